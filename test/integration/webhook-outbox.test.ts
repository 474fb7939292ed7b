/**
 * The webhook outbox against a real HTTP receiver on 127.0.0.1, a real SQLite file and real timers (the first
 * retries are 1 s and 2 s apart, so a test takes a few seconds): a receiver that refuses twice gets the summary once,
 * intact; what one owner could not deliver the next one delivers; a receiver that is not there leaves the
 * notification waiting, with an error that names the host and port and none of the URL's secret parts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWebhookOutbox, type DeliveryReport, type WebhookOutbox } from '../../electron/services/scheduler/webhook-outbox.js';
import { openDatabase, type Database } from '../../electron/services/store/db.js';
import { createOutboxStore, type OutboxStore } from '../../electron/services/store/outbox-store.js';

interface Received {
  method: string | undefined;
  path: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A receiver that answers each request with the next status in `answers` (the last one from then on). */
async function startReceiver(answers: number[], port = 0): Promise<{ url: string; port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const answered = answers[Math.min(received.length, answers.length - 1)] ?? 200;
      received.push({ method: req.method, path: req.url, headers: req.headers, body, answered });
      res.writeHead(answered, { 'content-type': 'text/plain' }).end(answered < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actual = (server.address() as AddressInfo).port;
  receivers.push(server);
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on (it was free a moment ago). */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const realTimers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as NodeJS.Timeout),
};

const summary = {
  text: 'Opsdeck: Nightly › Backup failed at “Dump” (exit 2)',
  scheduleId: 'sched-1',
  runId: 'run-1',
  status: 'failed',
  steps: [{ id: 's1', title: 'Dump', status: 'failed', exitCode: 2 }],
  note: 'ünïcødé survives ✓',
};

let dir: string;
let receivers: Server[];
let dbs: Database[];
let outboxes: WebhookOutbox[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-outbox-'));
  receivers = [];
  dbs = [];
  outboxes = [];
});

afterEach(async () => {
  await Promise.all(outboxes.map((o) => o.dispose()));
  for (const db of dbs) if (db.open) db.close();
  await Promise.all(receivers.map((s) => new Promise((resolve) => s.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

/** An owner's outbox over the database file in `dir` (the same file each time: a restart). */
function openOutbox(reports: { delivered: DeliveryReport[]; gaveUp: DeliveryReport[] } = { delivered: [], gaveUp: [] }): {
  db: Database;
  store: OutboxStore;
  outbox: WebhookOutbox;
} {
  const db = openDatabase(join(dir, 'opsdeck.db'));
  dbs.push(db);
  const store = createOutboxStore(db);
  const outbox = createWebhookOutbox({
    store,
    clock: { now: () => new Date() },
    timers: realTimers,
    onDelivered: (r) => reports.delivered.push(r),
    onGaveUp: (r) => reports.gaveUp.push(r),
  });
  outboxes.push(outbox);
  return { db, store, outbox };
}

describe('the webhook outbox', { timeout: 30_000 }, () => {
  it('retries a receiver that refuses twice (HTTP 500) and delivers the summary once, intact, on the third attempt', async () => {
    const receiver = await startReceiver([500, 500, 200]);
    const reports = { delivered: [] as DeliveryReport[], gaveUp: [] as DeliveryReport[] };
    const { store, outbox } = openOutbox(reports);
    outbox.start();
    // Credentials in the URL are sent as basic auth, as curl sends them.
    outbox.enqueue({ scheduleId: 'sched-1', runId: 'run-1', url: `http://hook-user:p%40ss@127.0.0.1:${receiver.port}/hooks/opsdeck?team=ops`, body: summary });

    await vi.waitFor(() => expect(reports.delivered).toHaveLength(1), { timeout: 15_000 });
    expect(receiver.received.map((r) => r.answered)).toEqual([500, 500, 200]);
    const accepted = receiver.received.filter((r) => r.answered === 200);
    expect(accepted).toHaveLength(1);
    expect(JSON.parse(accepted[0]?.body ?? '')).toEqual(summary);
    // Every attempt sent the same POST: the summary as JSON, saying who sent it.
    for (const r of receiver.received) {
      expect(r).toMatchObject({ method: 'POST', path: '/hooks/opsdeck?team=ops', body: accepted[0]?.body });
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['user-agent']).toBe('opsdeck');
      expect(r.headers.authorization).toBe(`Basic ${Buffer.from('hook-user:p@ss').toString('base64')}`);
    }
    const [row] = store.forRun('run-1');
    expect(row).toMatchObject({ attempts: 3, givenUpAt: null, lastError: `127.0.0.1:${receiver.port} answered HTTP 500` });
    expect(row?.deliveredAt).not.toBeNull();
    expect(reports.delivered[0]).toMatchObject({ scheduleId: 'sched-1', runId: 'run-1', attempts: 3, destination: `127.0.0.1:${receiver.port}`, error: null });
    expect(store.pending()).toEqual([]);
    expect(reports.gaveUp).toEqual([]);
  });

  it('keeps what it could not deliver across a restart: the next owner delivers it once the receiver is back', async () => {
    const port = await deadPort();
    const first = openOutbox();
    first.outbox.start();
    first.outbox.enqueue({ scheduleId: 'sched-1', runId: 'run-1', url: `http://127.0.0.1:${port}/hook`, body: summary });
    await vi.waitFor(() => expect(first.store.forRun('run-1')[0]?.lastError).toBe(`127.0.0.1:${port}: connection refused`), { timeout: 10_000 });
    // The owner stops (the app quits, the laptop goes to sleep for the night).
    await first.outbox.dispose();
    first.db.close();

    const receiver = await startReceiver([200], port);
    const reports = { delivered: [] as DeliveryReport[], gaveUp: [] as DeliveryReport[] };
    const second = openOutbox(reports);
    expect(second.store.pending().map((r) => r.runId)).toEqual(['run-1']);
    second.outbox.start();
    await vi.waitFor(() => expect(reports.delivered).toHaveLength(1), { timeout: 15_000 });
    expect(receiver.received).toHaveLength(1);
    expect(JSON.parse(receiver.received[0]?.body ?? '')).toEqual(summary);
    const [row] = second.store.forRun('run-1');
    expect(row?.deliveredAt).not.toBeNull();
    expect(row?.attempts).toBeGreaterThanOrEqual(2);
  });

  it('leaves a notification to a receiver that is not there waiting, and its error names only host:port, never the token', async () => {
    const port = await deadPort();
    const url = `http://hook-user:hunter2@127.0.0.1:${port}/services/T000/B000/XXXXsecretXXXX?token=s3cr3t-t0k3n`;
    const reports = { delivered: [] as DeliveryReport[], gaveUp: [] as DeliveryReport[] };
    const { store, outbox } = openOutbox(reports);
    outbox.start();
    outbox.enqueue({ scheduleId: 'sched-1', runId: 'run-1', url, body: summary });

    await vi.waitFor(() => expect(store.forRun('run-1')[0]?.attempts).toBeGreaterThanOrEqual(2), { timeout: 10_000 });
    const [row] = store.forRun('run-1');
    expect(row).toMatchObject({ deliveredAt: null, givenUpAt: null, lastError: `127.0.0.1:${port}: connection refused` });
    expect(store.pending().map((r) => r.id)).toEqual([row?.id]);
    for (const secret of ['hunter2', 'hook-user', 'XXXXsecretXXXX', 's3cr3t-t0k3n', '/services']) expect(row?.lastError).not.toContain(secret);
    expect(reports).toEqual({ delivered: [], gaveUp: [] });
  });

  it('gives up on a receiver that answers 404 three times in a row, and says so', async () => {
    const receiver = await startReceiver([404]);
    const reports = { delivered: [] as DeliveryReport[], gaveUp: [] as DeliveryReport[] };
    const { store, outbox } = openOutbox(reports);
    outbox.start();
    outbox.enqueue({ scheduleId: 'sched-1', runId: 'run-1', url: `${receiver.url}/gone`, body: summary });

    await vi.waitFor(() => expect(reports.gaveUp).toHaveLength(1), { timeout: 15_000 });
    expect(receiver.received).toHaveLength(3);
    const error = `127.0.0.1:${receiver.port} refused the notification: HTTP 404`;
    expect(reports.gaveUp[0]).toMatchObject({ runId: 'run-1', attempts: 3, error });
    expect(store.forRun('run-1')[0]).toMatchObject({ deliveredAt: null, lastError: error, attempts: 3 });
    expect(store.forRun('run-1')[0]?.givenUpAt).not.toBeNull();
    expect(store.pending()).toEqual([]);
  });
});
