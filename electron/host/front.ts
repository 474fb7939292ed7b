/**
 * The cockpit served by a process that does not own the data: `opsdeck ui` (and `npm start`'s web mode) while a
 * daemon owns the directory. Browser tabs talk to this process; it forwards every call and event over one
 * connection to the owner's socket, and keeps each tab's flow-control acks apart (flow-windows.ts) so that the
 * owner hears how far the slowest tab has drawn.
 */
import { countOutput, createFlowWindows } from './flow-windows.js';
import { connectToOwner } from './owner-socket.js';
import type { WebHostLike } from './web-main.js';

export interface FrontHost extends WebHostLike {
  /** Settles when the owner goes away. */
  readonly ownerGone: Promise<void>;
}

export async function attachToOwner(socketPath: string): Promise<FrontHost> {
  const client = await connectToOwner(socketPath, { client: 'desktop', acks: true });
  const flow = createFlowWindows((stream, units) => client.onAck(units, stream));
  client.subscribe((event, payload) => countOutput(flow, event, payload));
  return {
    dispatch: client.dispatch,
    subscribe: client.subscribe,
    openWindow: (options) => flow.open(options),
    close: () => client.close(),
    ownerGone: client.closed,
  };
}
