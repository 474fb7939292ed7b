/**
 * The two wire channels, `rpc` and `evt`, as messages. The web host sends them as JSON over its WebSocket, except
 * `term.data`, whose bytes go as a binary frame (below); the Electron bridge carries the same shapes over
 * `ipcRenderer.invoke('rpc')` and the `evt` channel (structured clone carries the bytes as they are).
 */
import type { ContractErrorShape } from './errors.js';
import type { TermData } from './terminals.js';

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

/**
 * Sent by the renderer to say it has processed this much output (flow control), in the units the output came in:
 * bytes of `term.data`, characters of `step.output`.
 */
export interface AckMessage {
  kind: 'ack';
  chars: number;
  /** Whose output was drawn: a terminal's id. Sent without an answer, so acking costs no round trip. */
  stream?: string;
}

export type ClientMessage = RpcRequestMessage | AckMessage;
export type ServerMessage = RpcResponseMessage | EventMessage;

/**
 * A `term.data` event as one binary WebSocket frame: byte 0 is TERM_DATA_FRAME, byte 1 the length of the terminal's
 * id in UTF-8 (1 to 255), then the id, then the output bytes. No JSON: the output is neither escaped nor copied into
 * a string on either side.
 */
export const TERM_DATA_FRAME = 1;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function encodeTermDataFrame(event: TermData): Uint8Array {
  const id = utf8.encode(event.id);
  if (id.length === 0 || id.length > 255) throw new RangeError(`a terminal id must be 1 to 255 bytes (got ${id.length})`);
  const frame = new Uint8Array(2 + id.length + event.data.length);
  frame[0] = TERM_DATA_FRAME;
  frame[1] = id.length;
  frame.set(id, 2);
  frame.set(event.data, 2 + id.length);
  return frame;
}

/** The event a binary frame carries, or null for a frame that is not one we know (ignored, like unknown JSON). */
export function decodeBinaryFrame(frame: Uint8Array): EventMessage | null {
  if (frame.length < 2 || frame[0] !== TERM_DATA_FRAME) return null;
  const idLength = frame[1] as number;
  if (idLength === 0 || frame.length < 2 + idLength) return null;
  const payload: TermData = { id: utf8Decoder.decode(frame.subarray(2, 2 + idLength)), data: frame.subarray(2 + idLength) };
  return { kind: 'evt', event: 'term.data', payload };
}
