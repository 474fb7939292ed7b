/**
 * Routes live `step.output` events to the pane drawing that attempt, and acknowledges output for flow control:
 * drawn output once xterm has rendered it, output nobody is looking at right away, so a run in another window
 * or a pane the user closed never stalls the command on the host.
 */
import type { Client } from '../../shared/contract/client.js';
import type { OutputChunk } from '../../shared/contract/schemas.js';
import { client } from './client.js';

/** The house's flow-control step: ack about every 5,000 chars (the host pauses above ~100,000 unacked). */
const ACK_EVERY_CHARS = 5_000;
/** A remainder below the step is acked after this idle time, so the host's count drains when output stops. */
const ACK_IDLE_MS = 250;

/** Receives a chunk; must call `drawn` exactly once when the chunk is on screen or will never be. */
export type OutputSink = (chunk: OutputChunk, drawn: () => void) => void;

export interface OutputFeed {
  attach(attemptId: string, sink: OutputSink): () => void;
}

export function createOutputFeed(source: Client): OutputFeed {
  const sinks = new Map<string, Set<OutputSink>>();
  let unacked = 0;
  let idleTimer: ReturnType<typeof setTimeout> | null = null;

  const flush = (): void => {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (unacked > 0) source.ack(unacked);
    unacked = 0;
  };
  const count = (chars: number): void => {
    unacked += chars;
    if (unacked >= ACK_EVERY_CHARS) flush();
    else if (!idleTimer) idleTimer = setTimeout(flush, ACK_IDLE_MS);
  };

  source.on('step.output', (chunk) => {
    const attached = sinks.get(chunk.attemptId);
    if (!attached || attached.size === 0) {
      count(chunk.data.length);
      return;
    }
    let counted = false;
    const drawn = (): void => {
      if (counted) return;
      counted = true;
      count(chunk.data.length);
    };
    for (const sink of attached) sink(chunk, drawn);
  });

  return {
    attach(attemptId, sink) {
      let set = sinks.get(attemptId);
      if (!set) sinks.set(attemptId, (set = new Set()));
      set.add(sink);
      return () => {
        set.delete(sink);
        if (set.size === 0) sinks.delete(attemptId);
      };
    },
  };
}

export const outputFeed: OutputFeed = createOutputFeed(client);
