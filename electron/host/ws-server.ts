/**
 * Web mode's server: serves the built renderer and the contract (one WebSocket at /rpc) on 127.0.0.1 only. Any web
 * page the user visits can reach 127.0.0.1, so every request needs the per-launch token, a Host header naming us
 * (DNS rebinding) and, for the WebSocket, an Origin that is ours or absent.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { CallContext } from '../../shared/contract/dispatch.js';
import type { TermData } from '../../shared/contract/terminals.js';
import { encodeTermDataFrame, type RpcResult, type ServerMessage } from '../../shared/contract/wire.js';

/** What the server needs of the host (electron/host/host.ts); structural, so either side can change alone. */
export interface HostLike {
  dispatch(method: string, input: unknown, ctx?: CallContext): Promise<RpcResult>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  onAck?(chars: number, stream?: string): void;
  /** A flow-control window per browser tab, so that each tab's acks count for that tab (flow-windows.ts). */
  openWindow?(options: { acks: boolean }): { ack(chars: number, stream: string): void; close(): void };
}

export interface WebServerOptions {
  host: HostLike;
  /** The built renderer: index.html and its assets. */
  staticDir: string;
  /** 0 picks a free port (tests). */
  port: number;
  bindAddress?: '127.0.0.1';
  /** Defaults to 32 random bytes, base64url, new on every launch. */
  token?: string;
}

export interface WebServer {
  /** What to print: opening it sets the cookie and drops the token from the address bar. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export const COOKIE_NAME = 'opsdeck_token';
/** Largest WebSocket message: a 20 MB runbook upload fits with room for JSON escaping; more is refused unread. */
export const MAX_MESSAGE_BYTES = 25 * 1024 * 1024;
/** A socket this far behind on events is closed rather than letting its queue grow without bound; it reconnects. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;
/** How long close() waits for sockets to say goodbye before cutting them. */
const CLOSE_GRACE_MS = 1000;

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Opsdeck</title></head>
<body style="font-family: system-ui, sans-serif; background: #15171c; color: #e6e6e6; padding: 2rem">
<h1>Opsdeck's interface is not built</h1>
<p>The server is running, but there is no renderer to serve. Run <code>npm run build</code>, then start Opsdeck again.</p>
</body></html>
`;

export async function startWebServer(opts: WebServerOptions): Promise<WebServer> {
  const bindAddress = opts.bindAddress ?? '127.0.0.1';
  if (bindAddress !== '127.0.0.1') throw new Error('the web host binds 127.0.0.1 only');
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const tokenDigest = digest(token);
  const staticRoot = resolve(opts.staticDir);
  const { host } = opts;

  // Filled in once listening: the port is part of every allowed Host and Origin, and of the CSP.
  let allowedHosts = new Set<string>();
  let allowedOrigins = new Set<string>();
  let securityHeaders: Record<string, string> = {};

  const tokenMatches = (candidate: string | undefined): boolean =>
    typeof candidate === 'string' && candidate.length > 0 && timingSafeEqual(digest(candidate), tokenDigest);

  const isAuthenticated = (req: IncomingMessage, url: URL, allowQuery: boolean): boolean =>
    tokenMatches(readCookie(req.headers.cookie, COOKIE_NAME)) ||
    tokenMatches(readBearer(req.headers.authorization)) ||
    (allowQuery && tokenMatches(url.searchParams.get('token') ?? undefined));

  const hostAllowed = (req: IncomingMessage): boolean => allowedHosts.has((req.headers.host ?? '').toLowerCase());

  const sendText = (res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, { ...securityHeaders, 'Cache-Control': 'no-store', 'Content-Type': 'text/plain; charset=utf-8', ...extra });
    res.end(body);
  };

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'internal error\n');
      else res.destroy();
    });
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!hostAllowed(req)) return sendText(res, 403, 'forbidden: unexpected Host header\n');
    const url = parseRequestUrl(req.url);
    if (!url) return sendText(res, 400, 'bad request\n');

    const queryToken = url.searchParams.get('token');
    if (queryToken !== null) {
      if (!tokenMatches(queryToken)) return sendText(res, 401, 'unauthorized\n');
      // Trade the token in the address for a cookie, so it is not left in history or shown to anyone looking on.
      url.searchParams.delete('token');
      res.writeHead(302, {
        ...securityHeaders,
        'Cache-Control': 'no-store',
        'Set-Cookie': `${COOKIE_NAME}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        // One leading slash: `//host` would send the browser to another site.
        Location: `/${url.pathname.replace(/^\/+/, '')}${url.search}`,
      });
      res.end();
      return;
    }
    if (!isAuthenticated(req, url, false)) {
      return sendText(res, 401, 'unauthorized: open the address Opsdeck printed when it started\n');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
    await serveStatic(req, res, url.pathname);
  }

  async function serveStatic(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<void> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(pathname);
    } catch {
      return sendText(res, 400, 'bad request\n');
    }
    if (decoded.includes('\0')) return sendText(res, 400, 'bad request\n');
    const target = resolve(staticRoot, `.${decoded}`);
    if (target !== staticRoot && !target.startsWith(staticRoot + sep)) return sendText(res, 404, 'not found\n');

    if (target !== staticRoot && (await isFile(target))) return sendFile(req, res, target);
    // An address with no extension is a route of the single-page app; one with an extension is a missing asset.
    if (extname(decoded) !== '') return sendText(res, 404, 'not found\n');
    const index = resolve(staticRoot, 'index.html');
    if (await isFile(index)) return sendFile(req, res, index);
    res.writeHead(503, { ...securityHeaders, 'Cache-Control': 'no-store', 'Content-Type': 'text/html; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : NOT_BUILT_PAGE);
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, file: string): void {
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    res.writeHead(200, {
      ...securityHeaders,
      'Content-Type': type,
      // index.html names the current assets, so it must never be stale; the rest is revalidated.
      'Cache-Control': file.endsWith(`${sep}index.html`) ? 'no-store' : 'no-cache',
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream = createReadStream(file);
    stream.on('error', () => res.destroy());
    stream.pipe(res);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES, perMessageDeflate: false });
  const sockets = new Set<WebSocket>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = parseRequestUrl(req.url);
    if (!hostAllowed(req)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!url || url.pathname !== '/rpc') return refuseUpgrade(socket, 404, 'Not Found');
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins.has(origin)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!isAuthenticated(req, url, true)) return refuseUpgrade(socket, 401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => acceptSocket(ws));
  });

  function acceptSocket(ws: WebSocket): void {
    sockets.add(ws);
    const window = host.openWindow?.({ acks: true });
    const gone = (): void => {
      sockets.delete(ws);
      window?.close();
    };
    ws.on('message', (data: RawData, isBinary: boolean) => void handleMessage(ws, data, isBinary, window));
    ws.on('close', gone);
    ws.on('error', gone);
  }

  async function handleMessage(ws: WebSocket, data: RawData, isBinary: boolean, window: { ack(chars: number, stream: string): void } | undefined): Promise<void> {
    const message = parseClientMessage(data, isBinary);
    if ('invalid' in message) {
      return send(ws, { kind: 'rpc', id: message.id, ok: false, error: { code: 'invalid_input', message: message.invalid } });
    }
    if (message.kind === 'ack') {
      if (window && message.stream !== undefined) window.ack(message.chars, message.stream);
      else host.onAck?.(message.chars, message.stream);
      return;
    }
    let result: RpcResult;
    try {
      result = await host.dispatch(message.method, message.input, { origin: 'ui' });
    } catch (error) {
      // dispatch should never throw; if it does, the caller still gets an answer rather than a hung promise.
      const text = error instanceof Error ? error.message : String(error);
      result = { ok: false, error: { code: 'internal', message: `${message.method} failed: ${text.split('\n')[0] ?? ''}` } };
    }
    send(ws, { kind: 'rpc', id: message.id, ...result });
  }

  function send(ws: WebSocket, message: ServerMessage): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
  }

  const unsubscribe = host.subscribe((event, payload) => {
    if (sockets.size === 0) return;
    // Terminal output goes as bytes in a binary frame; every other event as JSON text.
    const frame = event === 'term.data' ? encodeTermDataFrame(payload as TermData) : JSON.stringify({ kind: 'evt', event, payload } satisfies ServerMessage);
    for (const ws of sockets) {
      if (ws.readyState !== WebSocket.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.close(1013, 'too far behind on events');
      else ws.send(frame);
    }
  });

  let port: number;
  try {
    port = await listen(server, opts.port, bindAddress);
  } catch (error) {
    unsubscribe();
    wss.close();
    throw error;
  }
  allowedHosts = new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  allowedOrigins = new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  securityHeaders = {
    'Content-Security-Policy': `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; img-src 'self' data:; style-src 'self' 'unsafe-inline'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
  };

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      unsubscribe();
      const serverClosed = new Promise<void>((done) => server.close(() => done()));
      const socketsClosed = [...sockets].map(
        (ws) =>
          new Promise<void>((done) => {
            const timer = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
            ws.once('close', () => {
              clearTimeout(timer);
              done();
            });
            ws.close(1001, 'Opsdeck is stopping');
          }),
      );
      await Promise.all(socketsClosed);
      server.closeAllConnections();
      await new Promise<void>((done) => wss.close(() => done()));
      await serverClosed;
    })();
    return closing;
  };

  return { url: `http://127.0.0.1:${port}/?token=${token}`, port, token, close };
}

type ParsedClientMessage =
  | { kind: 'rpc'; id: number; method: string; input: unknown }
  | { kind: 'ack'; chars: number; stream?: string }
  | { invalid: string; id: number };

/** Turns one WebSocket frame into a client message, or says what is wrong with it (and which id to answer). */
export function parseClientMessage(data: RawData, isBinary: boolean): ParsedClientMessage {
  if (isBinary) return { invalid: 'binary messages are not accepted; send JSON text', id: -1 };
  let value: unknown;
  try {
    value = JSON.parse(rawToString(data));
  } catch {
    return { invalid: 'message is not valid JSON', id: -1 };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { invalid: 'message must be a JSON object', id: -1 };
  const record = value as Record<string, unknown>;
  const id = typeof record.id === 'number' && Number.isSafeInteger(record.id) ? record.id : -1;
  if (record.kind === 'ack') {
    const chars = record.chars;
    if (typeof chars !== 'number' || !Number.isFinite(chars) || chars < 0) return { invalid: 'ack.chars must be a non-negative number', id };
    const stream = record.stream;
    if (stream === undefined) return { kind: 'ack', chars };
    if (typeof stream !== 'string' || stream.length > 200) return { invalid: 'ack.stream must be a short string', id };
    return { kind: 'ack', chars, stream };
  }
  if (record.kind !== 'rpc') return { invalid: 'message kind must be "rpc" or "ack"', id };
  if (id === -1) return { invalid: 'rpc.id must be an integer', id };
  if (typeof record.method !== 'string') return { invalid: 'rpc.method must be a string', id };
  return { kind: 'rpc', id, method: record.method, input: record.input };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** Hashing first gives both sides the same length, so the comparison takes the same time whatever was sent. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function readBearer(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

function parseRequestUrl(raw: string | undefined): URL | undefined {
  try {
    // The base is only there to parse a path; the Host header is checked separately.
    return new URL(raw ?? '/', 'http://127.0.0.1');
  } catch {
    return undefined;
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function refuseUpgrade(socket: Duplex, status: number, reason: string): void {
  const body = `${reason.toLowerCase()}\n`;
  socket.once('finish', () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function listen(server: ReturnType<typeof createServer>, port: number, address: string): Promise<number> {
  return new Promise((done, fail) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') fail(new Error(`port ${port} is in use; try --port`));
      else if (error.code === 'EACCES') fail(new Error(`port ${port} needs privileges; try --port with a number above 1024`));
      else fail(error);
    };
    const onListening = (): void => {
      server.off('error', onError);
      done((server.address() as AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, address);
  });
}
