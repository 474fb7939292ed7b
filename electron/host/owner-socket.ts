/**
 * The owner's local socket: how CLI commands and a second desktop app reach the process that owns the data
 * directory. A Unix socket inside the (0700) data directory, mode 0600, or a named pipe on Windows; no TCP port.
 * It carries the web host's messages (shared/contract/wire.ts), each framed by a 4-byte length: a frame whose first
 * byte is TERM_DATA_FRAME is terminal output as bytes, any other frame is one JSON message.
 */
import { createHash } from 'node:crypto';
import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import type { CallContext } from '../../shared/contract/dispatch.js';
import type { TermData } from '../../shared/contract/terminals.js';
import { decodeBinaryFrame, encodeTermDataFrame, TERM_DATA_FRAME, type RpcResult, type ServerMessage } from '../../shared/contract/wire.js';
import type { HostLike } from './ws-server.js';

/** Largest frame: a 20 MB runbook sent as JSON fits; a bigger length prefix means a broken peer. */
const MAX_FRAME_BYTES = 32 * 1024 * 1024;
/** A client this far behind on events is dropped rather than letting the owner's memory grow; it may reconnect. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** Unix socket paths are limited to 108 bytes (104 on macOS), the terminating NUL included. */
const MAX_UNIX_PATH = 103;

export type ClientKind = 'cli' | 'desktop';

/** The first message a client sends: who it is, and whether it acknowledges drawn output (flow control). */
export interface HelloMessage {
  kind: 'hello';
  client: ClientKind;
  acks: boolean;
}

export function ownerSocketPath(dataDir: string, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return `\\\\.\\pipe\\opsdeck-${createHash('sha256').update(dataDir).digest('hex').slice(0, 24)}`;
  const path = join(dataDir, 'owner.sock');
  if (Buffer.byteLength(path) > MAX_UNIX_PATH) {
    throw new Error(`the data directory's path is too long for a local socket (${Buffer.byteLength(path)} bytes, at most ${MAX_UNIX_PATH}): choose a shorter --data-dir`);
  }
  return path;
}

/** Splits a byte stream into frames; `onFrame` gets each payload. Throws on a frame over the limit. */
function createFrameReader(onFrame: (payload: Buffer) => void): (chunk: Buffer) => void {
  let buffered: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    while (buffered.length >= 4) {
      const length = buffered.readUInt32BE(0);
      if (length > MAX_FRAME_BYTES) throw new Error(`frame of ${length} bytes is over the limit`);
      if (buffered.length < 4 + length) return;
      const payload = buffered.subarray(4, 4 + length);
      buffered = buffered.subarray(4 + length);
      onFrame(payload);
    }
  };
}

function writeFrame(socket: Socket, payload: Uint8Array | string): void {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  socket.write(head);
  socket.write(body);
}

function parseJson(payload: Buffer): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(payload.toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** What the socket server needs of the host: the web host's needs, plus a flow-control window per client. */
export type SocketHost = HostLike;

export interface OwnerSocketServer {
  path: string;
  close(): Promise<void>;
}

export async function serveOwnerSocket(host: SocketHost, path: string): Promise<OwnerSocketServer> {
  // Only the lock holder gets here, so a socket file left behind is a dead owner's.
  if (process.platform !== 'win32') rmSync(path, { force: true });
  const sockets = new Set<Socket>();
  const server = createServer((socket) => accept(socket));

  function accept(socket: Socket): void {
    sockets.add(socket);
    let ctx: CallContext = { origin: 'cli' };
    let window: ReturnType<NonNullable<HostLike['openWindow']>> | undefined;
    const send = (message: ServerMessage): void => {
      if (!socket.destroyed) writeFrame(socket, JSON.stringify(message));
    };
    const unsubscribe = host.subscribe((event, payload) => {
      if (socket.destroyed) return;
      if (socket.writableLength > MAX_BUFFERED_BYTES) {
        socket.destroy();
        return;
      }
      if (event === 'term.data') writeFrame(socket, encodeTermDataFrame(payload as TermData));
      else send({ kind: 'evt', event, payload });
    });
    const done = (): void => {
      sockets.delete(socket);
      unsubscribe();
      window?.close();
      window = undefined;
    };
    socket.on('close', done);
    socket.on('error', () => socket.destroy());
    const read = createFrameReader((payload) => {
      const message = parseJson(payload);
      if (!message) return send({ kind: 'rpc', id: -1, ok: false, error: { code: 'invalid_input', message: 'message is not a JSON object' } });
      if (message.kind === 'hello') {
        const hello = message as unknown as HelloMessage;
        ctx = { origin: hello.client === 'desktop' ? 'ui' : 'cli' };
        window?.close();
        window = host.openWindow?.({ acks: hello.acks === true });
        return;
      }
      if (message.kind === 'ack') {
        const chars = message.chars;
        const stream = typeof message.stream === 'string' ? message.stream : undefined;
        if (typeof chars !== 'number' || !Number.isFinite(chars) || chars < 0) return;
        if (window && stream !== undefined) window.ack(chars, stream);
        else host.onAck?.(chars, stream);
        return;
      }
      const id = typeof message.id === 'number' ? message.id : -1;
      if (message.kind !== 'rpc' || typeof message.method !== 'string') {
        return send({ kind: 'rpc', id, ok: false, error: { code: 'invalid_input', message: 'expected an rpc, ack or hello message' } });
      }
      const method = message.method;
      host.dispatch(method, message.input, ctx).then(
        (result) => send({ kind: 'rpc', id, ...result }),
        (error: unknown) => send({ kind: 'rpc', id, ok: false, error: { code: 'internal', message: `${method} failed: ${String(error).split('\n')[0] ?? ''}` } }),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        read(chunk);
      } catch {
        socket.destroy();
      }
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (process.platform !== 'win32') chmodSync(path, 0o600);

  let closing: Promise<void> | undefined;
  return {
    path,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.end();
        // Give clients a moment to read what was sent, then cut them.
        setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, 500).unref();
      });
      return closing;
    },
  };
}

/** The owner as a client sees it: the same shape as an in-process host, so the CLI works either way. */
export interface OwnerClient {
  dispatch(method: string, input: unknown, ctx?: CallContext): Promise<RpcResult>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  onAck(chars: number, stream?: string): void;
  /** Settles when the owner goes away (or close() was called). */
  readonly closed: Promise<void>;
  close(): Promise<void>;
}

/** Connects to the owner's socket; rejects (ENOENT, ECONNREFUSED) when nobody listens there. */
export function connectToOwner(path: string, hello: Omit<HelloMessage, 'kind'>): Promise<OwnerClient> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const pending = new Map<number, (result: RpcResult) => void>();
    const listeners = new Set<(event: string, payload: unknown) => void>();
    let nextId = 1;
    let connected = false;
    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => (resolveClosed = r));

    const read = createFrameReader((payload) => {
      if (payload[0] === TERM_DATA_FRAME) {
        const event = decodeBinaryFrame(payload);
        if (event) for (const l of listeners) l(event.event, event.payload);
        return;
      }
      const message = parseJson(payload) as ServerMessage | null;
      if (!message) return;
      if (message.kind === 'evt') {
        for (const l of listeners) l(message.event, message.payload);
        return;
      }
      const answer = pending.get(message.id);
      pending.delete(message.id);
      const { kind: _kind, id: _id, ...result } = message;
      answer?.(result);
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        read(chunk);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', (error) => {
      if (!connected) reject(error);
    });
    socket.on('close', () => {
      for (const answer of pending.values()) answer({ ok: false, error: { code: 'unavailable', message: 'the Opsdeck owner process went away during the call' } });
      pending.clear();
      resolveClosed();
    });
    socket.once('connect', () => {
      connected = true;
      writeFrame(socket, JSON.stringify({ kind: 'hello', ...hello } satisfies HelloMessage));
      resolve({
        dispatch(method, input) {
          if (socket.destroyed) return Promise.resolve({ ok: false, error: { code: 'unavailable', message: 'the Opsdeck owner process is gone' } });
          const id = nextId++;
          return new Promise<RpcResult>((answer) => {
            pending.set(id, answer);
            writeFrame(socket, JSON.stringify({ kind: 'rpc', id, method, input }));
          });
        },
        subscribe(listener) {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        onAck(chars, stream) {
          if (!socket.destroyed) writeFrame(socket, JSON.stringify(stream === undefined ? { kind: 'ack', chars } : { kind: 'ack', chars, stream }));
        },
        closed,
        close() {
          socket.end();
          return closed;
        },
      });
    });
  });
}
