/**
 * The web host as a browser (and an attacker's page) meets it: a real server on 127.0.0.1, a small host built from
 * the real dispatch, real HTTP requests and a real WebSocket client. What is refused must be refused with no data.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { methods } from '../../shared/contract/methods.js';
import { createDispatch, type Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { AppInfo, Settings } from '../../shared/contract/schemas.js';
import { decodeBinaryFrame, TERM_DATA_FRAME, type ServerMessage } from '../../shared/contract/wire.js';
import { MAX_MESSAGE_BYTES, startWebServer, type WebServer } from '../../electron/host/ws-server.js';
import { runWebMode } from '../../electron/host/web-main.js';

const INDEX_MARKER = 'opsdeck-renderer-index';
const SECRET = 'this-file-is-outside-the-static-dir';

/** A host with the real dispatch and two real handlers; the rest answer `unavailable`. */
function createTestHost(dataDir: string) {
  let settings: Settings = { operator: 'alice', theme: 'dark' };
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const acks: Array<number | [number, string]> = [];
  let closed = false;
  const unavailable = (): never => {
    throw new ContractError('unavailable', 'not served by this test host');
  };
  const handlers: Handlers = {
    ...(Object.fromEntries(Object.keys(methods).map((m) => [m, unavailable])) as unknown as Handlers),
    'app.info': (): AppInfo => ({ version: '0.0.0-test', mode: 'web', dataDir, deviceId: 'device-1', hostname: 'testbox', settings }),
    'settings.update': (patch) => {
      settings = { ...settings, ...patch };
      return settings;
    },
  };
  return {
    dispatch: createDispatch(handlers),
    subscribe(listener: (event: string, payload: unknown) => void) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onAck: (chars: number, stream?: string) => void acks.push(stream === undefined ? chars : [chars, stream]),
    async close() {
      closed = true;
    },
    emit: (event: string, payload: unknown) => listeners.forEach((l) => l(event, payload)),
    acks,
    listenerCount: () => listeners.size,
    isClosed: () => closed,
  };
}

interface HttpResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A raw request: the path is sent exactly as written (no normalisation), headers as given. */
function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Connected = { ws: WebSocket; next: (match?: (m: ServerMessage) => boolean) => Promise<ServerMessage> };

/** Opens a WebSocket; resolves with the socket, or with the HTTP status it was refused with. */
function connect(url: string, options: WebSocket.ClientOptions = {}): Promise<Connected | { refused: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, options);
    const inbox: ServerMessage[] = [];
    const waiting: Array<{ match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }> = [];
    ws.on('message', (data, isBinary) => {
      // A binary frame is kept as the raw bytes, to check its layout; anything else must be JSON.
      const message = isBinary ? ({ kind: 'evt', event: 'binary', payload: Buffer.from(data as Buffer) } as ServerMessage) : (JSON.parse(String(data)) as ServerMessage);
      const i = waiting.findIndex((w) => w.match(message));
      if (i >= 0) waiting.splice(i, 1)[0]?.resolve(message);
      else inbox.push(message);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        ws,
        next: (match = () => true) => {
          const i = inbox.findIndex(match);
          if (i >= 0) return Promise.resolve(inbox.splice(i, 1)[0] as ServerMessage);
          return new Promise((r) => waiting.push({ match, resolve: r }));
        },
      }),
    );
  });
}

function opened(result: Connected | { refused: number }): Connected {
  if ('refused' in result) throw new Error(`connection refused with ${result.refused}`);
  return result;
}

let tmp: string;
let staticDir: string;
let host: ReturnType<typeof createTestHost>;
let server: WebServer;
let origin: string;
let wsUrl: string;
const sockets: WebSocket[] = [];

async function rpc(c: Connected, id: number, method: string, input: unknown): Promise<ServerMessage> {
  c.ws.send(JSON.stringify({ kind: 'rpc', id, method, input }));
  return c.next((m) => m.kind === 'rpc' && m.id === id);
}

async function openGood(extra: WebSocket.ClientOptions = {}): Promise<Connected> {
  const c = opened(await connect(wsUrl, { origin, headers: { Authorization: `Bearer ${server.token}` }, ...extra }));
  sockets.push(c.ws);
  return c;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-web-'));
  staticDir = join(tmp, 'renderer');
  mkdirSync(join(staticDir, 'assets'), { recursive: true });
  writeFileSync(join(staticDir, 'index.html'), `<!doctype html><div id="${INDEX_MARKER}"></div>`);
  writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("app");');
  writeFileSync(join(tmp, 'secret.txt'), SECRET);
  host = createTestHost(join(tmp, 'data'));
  server = await startWebServer({ host, staticDir, port: 0 });
  origin = `http://127.0.0.1:${server.port}`;
  wsUrl = `ws://127.0.0.1:${server.port}/rpc`;
});

afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});

afterAll(async () => {
  await server.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('the web server over HTTP', () => {
  it('prints a 127.0.0.1 address carrying a fresh 32-byte token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${server.token}`);
    expect(Buffer.from(server.token, 'base64url')).toHaveLength(32);
  });

  it('answers 401 with no data to a request without the token', async () => {
    const res = await get(server.port, '/');
    expect(res.status).toBe(401);
    expect(res.body).not.toContain(INDEX_MARKER);
    expect(res.body.length).toBeLessThan(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect((await get(server.port, '/assets/app.js')).status).toBe(401);
  });

  it('trades ?token= for an HttpOnly SameSite=Strict cookie and a redirect without the token; the cookie then works', async () => {
    const res = await get(server.port, `/runs/r1?token=${server.token}&tab=notes`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/runs/r1?tab=notes');
    const cookie = res.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toContain(`opsdeck_token=${server.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);

    const page = await get(server.port, '/', { Cookie: cookie.split(';')[0] ?? '' });
    expect(page.status).toBe(200);
    expect(page.body).toContain(INDEX_MARKER);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
  });

  it('refuses a wrong token, in the address, a cookie or a bearer header', async () => {
    const wrong = await get(server.port, '/?token=not-the-token');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    expect((await get(server.port, '/', { Cookie: 'opsdeck_token=not-the-token' })).status).toBe(401);
    expect((await get(server.port, '/', { Authorization: 'Bearer not-the-token' })).status).toBe(401);
    expect((await get(server.port, '/', { Authorization: `Bearer ${server.token}` })).status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding), even with the token', async () => {
    const res = await get(server.port, '/', { Host: `evil.example:${server.port}`, Authorization: `Bearer ${server.token}` });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain(INDEX_MARKER);
    expect((await get(server.port, '/', { Host: `localhost:${server.port}`, Authorization: `Bearer ${server.token}` })).status).toBe(200);
  });

  it('sends the security headers on every response, refusals included', async () => {
    for (const res of [await get(server.port, '/'), await get(server.port, '/', { Authorization: `Bearer ${server.token}` })]) {
      expect(res.headers['content-security-policy']).toBe(
        `default-src 'self'; connect-src 'self' ws://127.0.0.1:${server.port} ws://localhost:${server.port}; img-src 'self' data:; style-src 'self' 'unsafe-inline'`,
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
  });

  it('serves assets with their content type, routes to index.html and 404s a missing asset', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    const js = await get(server.port, '/assets/app.js', auth);
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app");');
    expect((await get(server.port, '/runs/42', auth)).body).toContain(INDEX_MARKER);
    expect((await get(server.port, '/assets/missing.js', auth)).status).toBe(404);
    expect((await get(server.port, '/', auth, 'POST')).status).toBe(405);
  });

  it('never serves a file outside the static directory', async () => {
    const auth = { Authorization: `Bearer ${server.token}` };
    for (const path of ['/../secret.txt', '/..%2fsecret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/../package.json']) {
      const res = await get(server.port, path, auth);
      expect(res.body, path).not.toContain(SECRET);
      expect(res.body, path).not.toContain('"name"');
      expect(res.status, path).not.toBe(200);
    }
  });

  it('says the renderer is not built when there is no index.html', async () => {
    const empty = join(tmp, 'empty');
    mkdirSync(empty, { recursive: true });
    const bare = await startWebServer({ host: createTestHost(tmp), staticDir: empty, port: 0 });
    try {
      const res = await get(bare.port, '/', { Authorization: `Bearer ${bare.token}` });
      expect(res.status).toBe(503);
      expect(res.body).toContain('npm run build');
    } finally {
      await bare.close();
    }
  });

  it('says plainly when the port is taken', async () => {
    await expect(startWebServer({ host: createTestHost(tmp), staticDir, port: server.port })).rejects.toThrow(
      `port ${server.port} is in use; try --port`,
    );
  });
});

describe('the /rpc WebSocket', () => {
  it('refuses a connection without the token', async () => {
    expect(await connect(wsUrl, { origin })).toEqual({ refused: 401 });
    expect(await connect(`${wsUrl}?token=not-the-token`, { origin })).toEqual({ refused: 401 });
  });

  it("refuses another site's page even when it has the token", async () => {
    const headers = { Authorization: `Bearer ${server.token}` };
    expect(await connect(wsUrl, { origin: 'http://evil.example', headers })).toEqual({ refused: 403 });
    expect(await connect(wsUrl, { origin: `http://127.0.0.1:${server.port + 1}`, headers })).toEqual({ refused: 403 });
    expect(await connect(wsUrl, { origin: 'null', headers })).toEqual({ refused: 403 });
  });

  it('refuses a foreign Host header', async () => {
    const headers = { Authorization: `Bearer ${server.token}`, Host: `evil.example:${server.port}` };
    expect(await connect(wsUrl, { headers })).toEqual({ refused: 403 });
  });

  it('answers app.info to our own page, authenticated by cookie, ?token= or bearer', async () => {
    const byCookie = opened(await connect(wsUrl, { origin: `http://localhost:${server.port}`, headers: { Cookie: `opsdeck_token=${server.token}` } }));
    const byQuery = opened(await connect(`${wsUrl}?token=${server.token}`, { origin }));
    const noOrigin = opened(await connect(wsUrl, { headers: { Authorization: `Bearer ${server.token}` } }));
    sockets.push(byCookie.ws, byQuery.ws, noOrigin.ws);
    for (const c of [byCookie, byQuery, noOrigin]) {
      const reply = await rpc(c, 1, 'app.info', {});
      expect(reply).toMatchObject({ kind: 'rpc', id: 1, ok: true, result: { mode: 'web', hostname: 'testbox', settings: { operator: 'alice' } } });
    }
  });

  it('passes calls through dispatch: settings change, bad input, unknown and unavailable methods', async () => {
    const c = await openGood();
    expect(await rpc(c, 2, 'settings.update', { theme: 'light' })).toMatchObject({ ok: true, result: { theme: 'light', operator: 'alice' } });
    expect(await rpc(c, 3, 'app.info', {})).toMatchObject({ ok: true, result: { settings: { theme: 'light' } } });
    expect(await rpc(c, 4, 'settings.update', { theme: 'blue' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await rpc(c, 5, 'app.info', { extra: true })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await rpc(c, 6, 'files.read', { path: '/etc/passwd' })).toMatchObject({ ok: false, error: { code: 'unknown_method' } });
    expect(await rpc(c, 7, 'runbooks.list', {})).toMatchObject({ ok: false, error: { code: 'unavailable' } });
  });

  it('answers a malformed message with invalid_input and keeps the socket open', async () => {
    const c = await openGood();
    c.ws.send('{not json');
    expect(await c.next()).toMatchObject({ kind: 'rpc', id: -1, ok: false, error: { code: 'invalid_input' } });
    c.ws.send(JSON.stringify({ kind: 'rpc', id: 8 }));
    expect(await c.next()).toMatchObject({ kind: 'rpc', id: 8, ok: false, error: { code: 'invalid_input' } });
    c.ws.send(JSON.stringify({ kind: 'subscribe', id: 9 }));
    expect(await c.next()).toMatchObject({ kind: 'rpc', id: 9, ok: false, error: { code: 'invalid_input' } });
    c.ws.send(Buffer.from('{}'));
    expect(await c.next()).toMatchObject({ id: -1, ok: false, error: { code: 'invalid_input' } });
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    expect(await rpc(c, 10, 'app.info', {})).toMatchObject({ ok: true });
  });

  it("broadcasts the host's events to every socket and passes acks to the host", async () => {
    const a = await openGood();
    const b = await openGood();
    const payload = { runId: 'r1', attemptId: 'a1', stepId: 's1', seq: 0, stream: 'stdout', data: 'hello\n', at: '2026-01-01T00:00:00Z' };
    host.emit('step.output', payload);
    for (const c of [a, b]) expect(await c.next((m) => m.kind === 'evt')).toEqual({ kind: 'evt', event: 'step.output', payload });

    // Terminal output: a binary frame (type, id length, id, bytes), which the shared decoder reads back as sent.
    const output = Buffer.from('ok ✓\r\n\u001b[31mred\u001b[0m', 'utf8');
    host.emit('term.data', { id: 'term-1', data: output });
    for (const c of [a, b]) {
      const frame = (await c.next((m) => m.kind === 'evt' && m.event === 'binary')) as { payload: Buffer };
      expect([...frame.payload.subarray(0, 2)]).toEqual([TERM_DATA_FRAME, 'term-1'.length]);
      expect(frame.payload.subarray(2, 8).toString()).toBe('term-1');
      expect(frame.payload.subarray(8)).toEqual(output);
      const decoded = decodeBinaryFrame(frame.payload) as { event: string; payload: { id: string; data: Uint8Array } };
      expect(decoded).toMatchObject({ kind: 'evt', event: 'term.data', payload: { id: 'term-1' } });
      expect(Buffer.from(decoded.payload.data).toString('utf8')).toBe(output.toString('utf8'));
    }
    expect(decodeBinaryFrame(Uint8Array.from([9, 1, 65]))).toBeNull();

    a.ws.send(JSON.stringify({ kind: 'ack', chars: 5000 }));
    a.ws.send(JSON.stringify({ kind: 'ack', chars: 4000, stream: 'term-1' }));
    await rpc(a, 11, 'app.info', {});
    expect(host.acks).toEqual(expect.arrayContaining([5000, [4000, 'term-1']]));
  });

  it('closes a socket that sends more than the largest message allowed', async () => {
    const c = await openGood();
    const closedWith = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    c.ws.send('x'.repeat(MAX_MESSAGE_BYTES + 1));
    expect(await closedWith).toBe(1009);
  });

  it('close() closes the sockets, stops listening and unsubscribes from the host', async () => {
    const own = createTestHost(tmp);
    const s = await startWebServer({ host: own, staticDir, port: 0 });
    const c = opened(await connect(`ws://127.0.0.1:${s.port}/rpc`, { headers: { Authorization: `Bearer ${s.token}` } }));
    const closedWith = new Promise<number>((resolve) => c.ws.on('close', (code) => resolve(code)));
    expect(own.listenerCount()).toBe(1);
    await s.close();
    expect(await closedWith).toBe(1001);
    expect(own.listenerCount()).toBe(0);
    await expect(get(s.port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('runWebMode', () => {
  it('serves the host, prints the address and closes both on stop()', async () => {
    const own = createTestHost(tmp);
    const lines: string[] = [];
    const web = await runWebMode({ dataDir: tmp, port: 0, log: (l) => lines.push(l), createHost: async () => own, staticDir, handleSignals: false });
    expect(lines).toEqual([`Opsdeck is running at ${web.url}`, 'Open it in your browser; stop with Ctrl-C.']);
    const port = Number(new URL(web.url).port);
    expect((await get(port, new URL(web.url).pathname + new URL(web.url).search)).status).toBe(302);
    await web.stop();
    await web.done;
    expect(own.isClosed()).toBe(true);
    await expect(get(port, '/')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('closes the host again when the port is taken', async () => {
    const own = createTestHost(tmp);
    await expect(
      runWebMode({ dataDir: tmp, port: server.port, log: () => undefined, createHost: async () => own, staticDir, handleSignals: false }),
    ).rejects.toThrow('is in use');
    expect(own.isClosed()).toBe(true);
  });
});
