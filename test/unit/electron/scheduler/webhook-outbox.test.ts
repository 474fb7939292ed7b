/**
 * The webhook outbox's schedule of attempts with a fake clock and fake timers, over a real SQLite file: the backoff
 * (1 s doubling, at most 1 h apart, 24 h in all), Retry-After, what is given up at once or after three refusals, at
 * most four POSTs at once and one timer for everything waiting, a stop cutting an attempt off, and the JSON summary
 * a receiver gets.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createWebhookOutbox,
  MAX_IN_FLIGHT,
  runSummary,
  type DeliveryReport,
  type WebhookOutbox,
  type WebhookPost,
} from '../../../../electron/services/scheduler/webhook-outbox.js';
import { openDatabase, type Database } from '../../../../electron/services/store/db.js';
import { createOutboxStore, type OutboxStore } from '../../../../electron/services/store/outbox-store.js';
import type { Attempt, RunDetail } from '../../../../shared/contract/schemas.js';
import type { Step } from '../../../../shared/model/runbook.js';

const HOUR = 3_600_000;
const START = Date.parse('2026-03-01T09:00:00.000Z');

let dir: string;
let db: Database;
let store: OutboxStore;
const outboxes: WebhookOutbox[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-outbox-unit-'));
  db = openDatabase(join(dir, 'opsdeck.db'));
  store = createOutboxStore(db);
});

afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((o) => o.dispose()));
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A fake wall clock and fake timers; `advance` fires what falls due, letting each attempt settle before the next. */
function fakeTime() {
  let now = START;
  let nextId = 1;
  const timeouts = new Map<number, { at: number; fn: () => void }>();
  return {
    clock: { now: () => new Date(now) },
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        timeouts.set(nextId, { at: now + ms, fn });
        return nextId++;
      },
      clearTimeout: (h: unknown) => void timeouts.delete(h as number),
    },
    /** Timers armed now. */
    get armed() {
      return timeouts.size;
    },
    async advance(ms: number) {
      const until = now + ms;
      await settle();
      for (;;) {
        const due = [...timeouts.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timeouts.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await settle();
      }
      now = until;
    },
    /** The wall clock moves with no timer firing (the machine was off). */
    jump(ms: number) {
      now += ms;
    },
  };
}

/** A receiver answering each POST with the next of `answers` (the last one from then on), recording when it was asked. */
function receiver(time: ReturnType<typeof fakeTime>, answers: Array<{ status: number; retryAfter?: string } | Error>) {
  const at: number[] = [];
  const post: WebhookPost = async () => {
    at.push(time.clock.now().getTime() - START);
    const answer = answers[Math.min(at.length - 1, answers.length - 1)];
    if (!answer || answer instanceof Error) throw answer ?? new Error('no answer');
    return answer;
  };
  return { post, at };
}

function outbox(time: ReturnType<typeof fakeTime>, post: WebhookPost) {
  const reports = { delivered: [] as DeliveryReport[], gaveUp: [] as DeliveryReport[] };
  const o = createWebhookOutbox({
    store,
    clock: time.clock,
    timers: time.timers,
    post,
    onDelivered: (r) => reports.delivered.push(r),
    onGaveUp: (r) => reports.gaveUp.push(r),
  });
  outboxes.push(o);
  return { outbox: o, reports };
}

const entry = (runId = 'run-1') => ({ scheduleId: 'sched-1', runId, url: 'https://hooks.example.com/services/T0/B0/secret', body: { runId } });
const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });

describe('when the webhook is attempted again', () => {
  it('waits 1 s, 2 s, 4 s ... doubling up to an hour between attempts, makes the last at 24 h, then gives up', async () => {
    const time = fakeTime();
    const r = receiver(time, [{ status: 503 }]);
    const { outbox: o, reports } = outbox(time, r.post);
    o.start();
    o.enqueue(entry());
    await time.advance(25 * HOUR);

    const gaps = r.at.slice(1).map((t, i) => (t - (r.at[i] ?? 0)) / 1000);
    expect(r.at[0]).toBe(0);
    expect(gaps.slice(0, 13)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600]);
    expect(gaps.every((g) => g <= 3600)).toBe(true);
    expect(r.at.at(-1)).toBe(24 * HOUR);
    expect(reports.gaveUp).toEqual([
      { id: expect.any(String), scheduleId: 'sched-1', runId: 'run-1', destination: 'hooks.example.com:443', attempts: r.at.length, error: 'hooks.example.com:443 answered HTTP 503' },
    ]);
    expect(store.forRun('run-1')[0]).toMatchObject({ attempts: r.at.length, deliveredAt: null, givenUpAt: new Date(START + 24 * HOUR).toISOString() });
    expect(time.armed).toBe(0);
  });

  it("waits as long as a 429's Retry-After asks (within the hour)", async () => {
    const time = fakeTime();
    const r = receiver(time, [{ status: 429, retryAfter: '120' }, { status: 200 }]);
    const { outbox: o, reports } = outbox(time, r.post);
    o.start();
    o.enqueue(entry());
    await time.advance(HOUR);
    expect(r.at).toEqual([0, 120_000]);
    expect(reports.delivered).toHaveLength(1);
  });

  it('gives up after three refusals in a row (HTTP 404), but not when they were broken by a failure to connect', async () => {
    const time = fakeTime();
    const r = receiver(time, [{ status: 404 }, { status: 404 }, refused, { status: 404 }, { status: 404 }, { status: 404 }]);
    const { outbox: o, reports } = outbox(time, r.post);
    o.start();
    o.enqueue(entry());
    await time.advance(HOUR);
    expect(r.at).toHaveLength(6);
    expect(reports.gaveUp).toMatchObject([{ attempts: 6, error: 'hooks.example.com:443 refused the notification: HTTP 404' }]);
  });

  it('gives up at once on an address that is not http(s), without sending anything', async () => {
    const time = fakeTime();
    const r = receiver(time, [{ status: 200 }]);
    const { outbox: o, reports } = outbox(time, r.post);
    o.start();
    o.enqueue({ ...entry(), url: 'ftp://files.example.com/drop' });
    await time.advance(HOUR);
    expect(r.at).toEqual([]);
    expect(reports.gaveUp).toMatchObject([{ error: 'the webhook is not an http:// or https:// address (ftp:)' }]);
  });

  it('still makes one attempt for a notification whose 24 h passed while the owner was not running', async () => {
    const time = fakeTime();
    const first = outbox(time, receiver(time, [refused]).post);
    first.outbox.start();
    first.outbox.enqueue(entry());
    await time.advance(10);
    await first.outbox.dispose();

    time.jump(3 * 24 * HOUR);
    const r = receiver(time, [refused]);
    const second = outbox(time, r.post);
    second.outbox.start();
    await time.advance(HOUR);
    expect(r.at).toEqual([3 * 24 * HOUR + 10]);
    expect(second.reports.gaveUp).toMatchObject([{ attempts: 2, error: 'hooks.example.com:443: connection refused' }]);
  });
});

describe('how much the outbox does at once', () => {
  it('sends at most four at once; the others wait for a free slot, not for their backoff', async () => {
    const time = fakeTime();
    const waiting: Array<() => void> = [];
    const sent: string[] = [];
    const post: WebhookPost = (_url, body) =>
      new Promise((resolve) => {
        sent.push((JSON.parse(body) as { runId: string }).runId);
        waiting.push(() => resolve({ status: 204 }));
      });
    const { outbox: o, reports } = outbox(time, post);
    o.start();
    for (let i = 1; i <= 6; i++) o.enqueue(entry(`run-${i}`));
    await settle();
    expect(sent).toEqual(['run-1', 'run-2', 'run-3', 'run-4']);
    expect(MAX_IN_FLIGHT).toBe(4);

    waiting.shift()?.();
    await settle();
    expect(sent).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-5']);
    while (waiting.length > 0) {
      waiting.shift()?.();
      await settle();
    }
    expect(sent).toHaveLength(6);
    expect(reports.delivered.map((d) => d.runId).sort()).toEqual(['run-1', 'run-2', 'run-3', 'run-4', 'run-5', 'run-6']);
    expect(store.pending()).toEqual([]);
  });

  it('keeps one timer for everything waiting, set for the soonest', async () => {
    const time = fakeTime();
    const r = receiver(time, [refused]);
    const { outbox: o } = outbox(time, r.post);
    o.start();
    o.enqueue(entry('run-1'));
    await time.advance(500);
    o.enqueue(entry('run-2'));
    o.enqueue(entry('run-3'));
    await settle();
    expect(store.pending()).toHaveLength(3);
    expect(time.armed).toBe(1);
    // The soonest (run-1's second attempt, 1 s after its first) fires first.
    await time.advance(500);
    expect(r.at).toEqual([0, 500, 500, 1000]);
  });

  it('attempts at once when queued before start (a command-line owner), and retries only once started', async () => {
    const time = fakeTime();
    const r = receiver(time, [refused, { status: 200 }]);
    const { outbox: o, reports } = outbox(time, r.post);
    o.enqueue(entry());
    await time.advance(HOUR);
    expect(r.at).toEqual([0]);
    expect(time.armed).toBe(0);
    o.start();
    await time.advance(10);
    expect(r.at).toEqual([0, HOUR]);
    expect(reports.delivered).toHaveLength(1);
  });

  it('cuts off an attempt in flight when stopped; the next owner attempts it again', async () => {
    const time = fakeTime();
    const hanging: WebhookPost = (_url, _body, signal) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    const first = outbox(time, hanging);
    first.outbox.start();
    first.outbox.enqueue(entry());
    await settle();
    await first.outbox.dispose();
    expect(store.forRun('run-1')[0]).toMatchObject({ attempts: 1, deliveredAt: null, lastError: 'hooks.example.com:443: Opsdeck stopped before an answer' });

    const r = receiver(time, [{ status: 200 }]);
    const second = outbox(time, r.post);
    second.outbox.start();
    await time.advance(2_000);
    expect(second.reports.delivered).toMatchObject([{ runId: 'run-1', attempts: 2 }]);
  });
});

function step(id: string, title: string): Step {
  return { id, kind: 'command', title, caption: null, line: 1, endLine: 3, script: 'pg_dump "$DB"', language: 'bash', params: ['DB'], danger: { level: 'safe', reasons: [] }, remote: null, checked: null, expectedOutput: null };
}

function attempt(stepId: string, status: Attempt['status'], exitCode: number | null, extra: Partial<Attempt> = {}): Attempt {
  return {
    id: `a-${stepId}`,
    stepId,
    status,
    startedAt: '2026-03-01T09:00:01.000Z',
    endedAt: '2026-03-01T09:00:02.000Z',
    exitCode,
    signal: null,
    durationMs: 1000,
    timeoutSec: 600,
    params: { DB: 'prod', PGPASSWORD: '••••' },
    chunks: 3,
    host: 'db1',
    endpoint: null,
    fanoutId: null,
    error: null,
    shell: null,
    failedCommand: null,
    ...extra,
  };
}

describe('the summary a webhook receives', () => {
  const detail: RunDetail = {
    run: {
      id: 'run-1',
      runbookId: 'rb-1',
      versionId: 'v-1',
      runbookTitle: 'Nightly',
      sectionId: 'backup',
      sectionTitle: 'Backup',
      operator: 'alice',
      target: 'host:db1',
      origin: 'schedule',
      status: 'failed',
      startedAt: '2026-03-01T09:00:00.000Z',
      endedAt: '2026-03-01T09:01:30.500Z',
      progress: { done: 1, total: 3 },
      failedStep: { id: 's2', title: 'Dump' },
      left: [{ id: 's3', title: 'Upload' }],
      endReason: null,
    },
    section: { id: 'backup', title: 'Backup', level: 2, line: 1, meta: {}, steps: [step('s1', 'Check disk'), step('s2', 'Dump')], sections: [{ id: 'up', title: 'Upload', level: 3, line: 9, meta: {}, steps: [step('s3', 'Upload')], sections: [] }] },
    params: [],
    steps: [
      { stepId: 's1', status: 'succeeded', skipReason: null, attempts: [attempt('s1', 'succeeded', 0)] },
      { stepId: 's2', status: 'failed', skipReason: null, attempts: [attempt('s2', 'failed', 2, { failedCommand: { command: 'pg_dump "$DB"', line: 1 } })] },
      { stepId: 's3', status: 'pending', skipReason: null, attempts: [] },
    ],
    notes: [],
    recordings: [],
    sessions: [],
  };

  it('says what ran, how it ended and where it failed, with no output and no parameter values', () => {
    const body = runSummary(detail, { id: 'sched-1', runbookTitle: 'Nightly', sectionTitle: 'Backup' }, '2026-03-01T09:00:00.000Z');
    expect(body).toEqual({
      text: 'Opsdeck: Nightly › Backup failed at “Dump” (exit 2)',
      scheduleId: 'sched-1',
      runbook: { id: 'rb-1', title: 'Nightly' },
      section: { id: 'backup', title: 'Backup' },
      occurrence: '2026-03-01T09:00:00.000Z',
      runId: 'run-1',
      status: 'failed',
      operator: 'alice',
      target: 'host:db1',
      origin: 'schedule',
      startedAt: '2026-03-01T09:00:00.000Z',
      endedAt: '2026-03-01T09:01:30.500Z',
      durationMs: 90_500,
      failedStep: { id: 's2', title: 'Dump', exitCode: 2, error: null, failedCommand: { command: 'pg_dump "$DB"', line: 1 } },
      leftSteps: 1,
      endReason: null,
      steps: [
        { id: 's1', title: 'Check disk', status: 'succeeded', exitCode: 0 },
        { id: 's2', title: 'Dump', status: 'failed', exitCode: 2 },
        { id: 's3', title: 'Upload', status: 'pending', exitCode: null },
      ],
    });
    expect(JSON.stringify(body)).not.toContain('prod');
  });

  it('reads as one line for a chat receiver when the run completed or ended with steps left', () => {
    const schedule = { id: 'sched-1', runbookTitle: 'Nightly', sectionTitle: 'Backup' };
    expect(runSummary({ ...detail, run: { ...detail.run, status: 'completed', failedStep: null, left: [] } }, schedule, null).text).toBe('Opsdeck: Nightly › Backup completed');
    expect(runSummary({ ...detail, run: { ...detail.run, status: 'incomplete', failedStep: null, endReason: 'disk full' } }, schedule, null).text).toBe(
      'Opsdeck: Nightly › Backup ended with 1 step left: disk full',
    );
  });
});
