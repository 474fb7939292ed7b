/**
 * The two wire channels, `rpc` and `evt`, as messages. The web host sends them as JSON over its WebSocket;
 * the Electron bridge carries the same shapes over `ipcRenderer.invoke('rpc')` and the `evt` channel.
 */
import type { ContractErrorShape } from './errors.js';

export type RpcResult = { ok: true; result: unknown } | { ok: false; error: ContractErrorShape };

export interface RpcRequestMessage {
  kind: 'rpc';
  id: number;
  method: string;
  input: unknown;
}

export type RpcResponseMessage = { kind: 'rpc'; id: number } & RpcResult;

export interface EventMessage {
  kind: 'evt';
  event: string;
  payload: unknown;
}

/** Sent by the renderer to say it has drawn this many characters of output (flow control). */
export interface AckMessage {
  kind: 'ack';
  chars: number;
  /** Whose output was drawn: a terminal's id. Sent without an answer, so acking costs no round trip. */
  stream?: string;
}

export type ClientMessage = RpcRequestMessage | AckMessage;
export type ServerMessage = RpcResponseMessage | EventMessage;
