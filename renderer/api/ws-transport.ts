/**
 * The contract over a browser WebSocket to the web host (`/rpc` on the page's own host; the auth cookie goes along
 * by itself). Keeps one socket, reconnects with backoff, and keeps event listeners across reconnects. A call in
 * flight when the socket drops fails as `unavailable`: we cannot know whether the host ran it.
 */
import type { Transport } from '../../shared/contract/client.js';
import { decodeBinaryFrame, type RpcResult, type ServerMessage } from '../../shared/contract/wire.js';
import type { ConnectionSource, ConnectionState } from './connection.js';

/** First retry soon (a host restart takes ~1 s), then back off so a dead host is not hammered all day. */
const RETRY_FIRST_MS = 300;
const RETRY_MAX_MS = 5_000;
/** How long a call made while disconnected waits for a socket before it fails; longer feels hung, shorter flaps. */
const QUEUE_WAIT_MS = 10_000;

export interface WsTransport extends Transport, ConnectionSource {
  close(): void;
}

interface Pending {
  resolve(result: RpcResult): void;
}

interface Queued {
  method: string;
  input: unknown;
  resolve(result: RpcResult): void;
  timer: ReturnType<typeof setTimeout>;
}

function unavailable(message: string): RpcResult {
  return { ok: false, error: { code: 'unavailable', message } };
}

function isServerMessage(value: unknown): value is ServerMessage {
  if (typeof value !== 'object' || value === null) return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'rpc' || kind === 'evt';
}

export function rpcUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  return `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/rpc`;
}

export function createWsTransport(url: string): WsTransport {
  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let retryMs = RETRY_FIRST_MS;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let closed = false;
  const pending = new Map<number, Pending>();
  const queue: Queued[] = [];
  const eventListeners = new Set<(event: string, payload: unknown) => void>();
  const stateListeners = new Set<(state: ConnectionState) => void>();

  const setState = (next: ConnectionState): void => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const send = (method: string, input: unknown, resolve: (result: RpcResult) => void): void => {
    const id = nextId++;
    pending.set(id, { resolve });
    try {
      socket?.send(JSON.stringify({ kind: 'rpc', id, method, input }));
    } catch {
      pending.delete(id);
      resolve(unavailable('Not connected to Opsdeck.'));
    }
  };

  const flushQueue = (): void => {
    for (const item of queue.splice(0)) {
      clearTimeout(item.timer);
      send(item.method, item.input, item.resolve);
    }
  };

  const onMessage = (event: MessageEvent): void => {
    if (event.data instanceof ArrayBuffer) {
      // A binary frame: terminal output, bytes as they are (wire.ts).
      const decoded = decodeBinaryFrame(new Uint8Array(event.data));
      if (decoded) for (const listener of eventListeners) listener(decoded.event, decoded.payload);
      return;
    }
    if (typeof event.data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (!isServerMessage(message)) return;
    if (message.kind === 'rpc') {
      const call = pending.get(message.id);
      if (!call) return;
      pending.delete(message.id);
      call.resolve(message.ok ? { ok: true, result: message.result } : { ok: false, error: message.error });
      return;
    }
    for (const listener of eventListeners) listener(message.event, message.payload);
  };

  const scheduleRetry = (): void => {
    if (closed || retryTimer) return;
    // Jitter so that several windows do not reconnect in lockstep after a host restart.
    const delay = retryMs * (0.8 + Math.random() * 0.4);
    retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      connect();
    }, delay);
  };

  const connect = (): void => {
    if (closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      setState('reconnecting');
      scheduleRetry();
      return;
    }
    socket = ws;
    ws.binaryType = 'arraybuffer';
    ws.addEventListener('open', () => {
      if (socket !== ws) return;
      retryMs = RETRY_FIRST_MS;
      setState('connected');
      flushQueue();
    });
    ws.addEventListener('message', onMessage);
    ws.addEventListener('close', () => {
      if (socket !== ws) return;
      socket = null;
      for (const [id, call] of pending) {
        pending.delete(id);
        call.resolve(unavailable('The connection to Opsdeck was lost; the request may or may not have run.'));
      }
      if (closed) return;
      setState('reconnecting');
      scheduleRetry();
    });
  };

  const retryNow = (): void => {
    if (closed || state === 'connected' || socket) return;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
    retryMs = RETRY_FIRST_MS;
    connect();
  };
  if (typeof window !== 'undefined') window.addEventListener('online', retryNow);

  connect();

  return {
    request(method, input) {
      return new Promise<RpcResult>((resolve) => {
        if (closed) {
          resolve(unavailable('The connection to Opsdeck is closed.'));
        } else if (socket && socket.readyState === WebSocket.OPEN) {
          send(method, input, resolve);
        } else {
          const item: Queued = {
            method,
            input,
            resolve,
            timer: setTimeout(() => {
              const index = queue.indexOf(item);
              if (index >= 0) queue.splice(index, 1);
              resolve(unavailable('Opsdeck is not reachable; check that it is still running.'));
            }, QUEUE_WAIT_MS),
          };
          queue.push(item);
        }
      });
    },
    subscribe(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    ack(chars, stream) {
      if (chars <= 0 || !socket || socket.readyState !== WebSocket.OPEN) return;
      socket.send(JSON.stringify(stream === undefined ? { kind: 'ack', chars } : { kind: 'ack', chars, stream }));
    },
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (typeof window !== 'undefined') window.removeEventListener('online', retryNow);
      socket?.close();
      socket = null;
      for (const item of queue.splice(0)) {
        clearTimeout(item.timer);
        item.resolve(unavailable('The connection to Opsdeck is closed.'));
      }
    },
  };
}
