/**
 * Whether the renderer can reach the host right now: the header's status dot and the views that refetch after a
 * reconnect (events sent while the socket was down are lost) read it from here.
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

export interface ConnectionSource {
  state(): ConnectionState;
  onState(listener: (state: ConnectionState) => void): () => void;
}

/** Electron's IPC never drops: the renderer lives exactly as long as its bridge. */
export const alwaysConnected: ConnectionSource = {
  state: () => 'connected',
  onState: () => () => undefined,
};
