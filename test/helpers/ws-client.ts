// Test helper: a small client for the running web host's WebSocket (/rpc), speaking the wire protocol of
// shared/contract/wire.ts as a non-browser client does (bearer token, no Origin). Calls resolve with the result or
// reject with an Error carrying the contract's error code; events (term.data from its binary frame, with its bytes)
// are kept in arrival order.
import WebSocket from 'ws';
import type { ErrorCode } from '../../shared/contract/errors.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/methods.js';
import { decodeBinaryFrame, type ServerMessage } from '../../shared/contract/wire.js';

export interface HostEvent {
  event: string;
  payload: unknown;
}

export class RpcError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = 'RpcError';
    this.code = code;
  }
}

export interface WsClient {
  /** The result is the host's JSON as sent, typed by the contract but not parsed with its schema. */
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
  /** Every event received so far, oldest first. */
  readonly events: HostEvent[];
  /** Hears each event as it arrives; returns a function that stops listening. */
  onEvent(fn: (e: HostEvent) => void): () => void;
  close(): Promise<void>;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  return data instanceof ArrayBuffer ? new Uint8Array(data) : data;
}

/** Connects to `origin` (e.g. http://127.0.0.1:PORT) with the launch token; resolves once the socket is open. */
export function connect(origin: string, token: string): Promise<WsClient> {
  const ws = new WebSocket(`${origin.replace(/^http/, 'ws')}/rpc`, { headers: { Authorization: `Bearer ${token}` } });
  const pending = new Map<number, { resolve: (v: never) => void; reject: (e: Error) => void }>();
  const events: HostEvent[] = [];
  const listeners = new Set<(e: HostEvent) => void>();
  let nextId = 1;

  ws.on('message', (data, isBinary) => {
    const message = isBinary ? decodeBinaryFrame(toBytes(data)) : (JSON.parse(String(data)) as ServerMessage);
    if (message === null) throw new Error('the host sent a binary frame that is not an event we know');
    if (message.kind === 'evt') {
      const e = { event: message.event, payload: message.payload };
      events.push(e);
      for (const l of listeners) l(e);
      return;
    }
    const call = pending.get(message.id);
    if (!call) return;
    pending.delete(message.id);
    if (message.ok) call.resolve(message.result as never);
    else call.reject(new RpcError(message.error.code, message.error.message));
  });
  ws.on('close', () => {
    for (const call of pending.values()) call.reject(new Error('the socket closed before the host answered'));
    pending.clear();
  });

  const client: WsClient = {
    call<M extends MethodName>(method: M, input: MethodInput<M>) {
      return new Promise<MethodOutput<M>>((resolve, reject) => {
        if (ws.readyState !== WebSocket.OPEN) return reject(new Error(`cannot call ${method}: the socket is not open`));
        const id = nextId++;
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ kind: 'rpc', id, method, input }));
      });
    },
    events,
    onEvent(fn) {
      listeners.add(fn);
      return () => void listeners.delete(fn);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.close();
      }),
  };

  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.off('error', reject);
      ws.on('error', () => undefined); // a dropped connection surfaces as 'close', which fails the pending calls
      resolve(client);
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => {
      reject(new Error(`the host refused the WebSocket: HTTP ${res.statusCode ?? 0}`));
      ws.terminate();
    });
  });
}
