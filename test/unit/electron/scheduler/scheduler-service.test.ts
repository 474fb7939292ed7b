// The owner's scheduler with a fake wall clock, a fake monotonic clock and fake timers, over a real SQLite file and
// a real library. The section runner is replaced by a recorder whose runs end when the test says: this suite is
// about which occurrences start, when, and what is recorded (the real runner is exercised by the daemon tests).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSchedulerService, WATCH_INTERVAL_MS } from '../../../../electron/services/scheduler/scheduler-service.js';
import type { SchedulerService } from '../../../../electron/services/scheduler/types.js';
import type { SectionRunRequest } from '../../../../electron/services/runs/section-runner.js';
import { getDeviceId, openDatabase, type Database } from '../../../../electron/services/store/db.js';
import { createLibraryStore } from '../../../../electron/services/store/library-store.js';
import { createScheduleStore, type ScheduleStore } from '../../../../electron/services/store/schedule-store.js';
import type { ScheduleFields } from '../../../../shared/contract/schedules.js';
import type { RunDetail } from '../../../../shared/contract/schemas.js';
import { summarizeRunbook } from '../../../../shared/model/summary.js';
import type { ScheduleRules } from '../../../../shared/model/schedule.js';
import { jitterMs } from '../../../../shared/schedule/jitter.js';
import { importText } from '../../../helpers/importer.js';

const RUNBOOK = (cmd: string, danger = '') => `# Nightly\n\n## Backup\n\n\`\`\`bash\n# Dump\n${cmd}\n\`\`\`\n${danger}`;

let dir: string;
let dbs: Database[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-sched-'));
});
afterEach(() => {
  for (const db of dbs) db.close();
  dbs = [];
  rmSync(dir, { recursive: true, force: true });
});

/** Fake clocks and timers: `advance` moves both clocks (the machine awake), `sleep` only the wall clock (suspended). */
function fakeTime(startIso: string) {
  let wall = Date.parse(startIso);
  let mono = 0;
  let nextId = 1;
  const timeouts = new Map<number, { at: number; fn: () => void }>();
  const intervals = new Map<number, { every: number; next: number; fn: () => void }>();
  const runDue = (until: number): void => {
    for (;;) {
      let best: { id: number; at: number; kind: 'timeout' | 'interval' } | null = null;
      for (const [id, t] of timeouts) if (t.at <= until && (!best || t.at < best.at)) best = { id, at: t.at, kind: 'timeout' };
      for (const [id, t] of intervals) if (t.next <= until && (!best || t.next < best.at)) best = { id, at: t.next, kind: 'interval' };
      if (!best) break;
      wall += best.at - mono;
      mono = best.at;
      if (best.kind === 'timeout') {
        const t = timeouts.get(best.id);
        timeouts.delete(best.id);
        t?.fn();
      } else {
        const t = intervals.get(best.id);
        if (t) {
          t.next += t.every;
          t.fn();
        }
      }
    }
    wall += until - mono;
    mono = until;
  };
  return {
    clock: { now: () => new Date(wall), monotonic: () => mono },
    timers: {
      setTimeout: (fn: () => void, ms: number) => {
        timeouts.set(nextId, { at: mono + ms, fn });
        return nextId++;
      },
      clearTimeout: (h: unknown) => void timeouts.delete(h as number),
      setInterval: (fn: () => void, ms: number) => {
        intervals.set(nextId, { every: ms, next: mono + ms, fn });
        return nextId++;
      },
      clearInterval: (h: unknown) => void intervals.delete(h as number),
    },
    advance: (ms: number) => runDue(mono + ms),
    /** The machine sleeps `ms` (monotonic time stands still), then wakes and runs for `after` ms. */
    sleep(ms: number, after = 2 * WATCH_INTERVAL_MS) {
      wall += ms;
      runDue(mono + after);
    },
    /** Someone sets the wall clock by `ms` (negative: back). */
    setWall: (ms: number) => void (wall += ms),
    nowIso: () => new Date(wall).toISOString(),
  };
}

interface FakeRun {
  id: string;
  request: SectionRunRequest;
  startedAt: string;
  end(status?: string): Promise<void>;
}

/** Stands in for the section runner: records each start; a run ends when the test ends it. */
function recorder(time: ReturnType<typeof fakeTime>) {
  const runs: FakeRun[] = [];
  let n = 0;
  return {
    runs,
    running: () => runs.filter((r) => !(r as FakeRun & { ended?: boolean }).ended),
    start(request: SectionRunRequest) {
      const id = `0190a000-0000-7000-8000-${String(++n).padStart(12, '0')}`;
      let resolve!: (d: RunDetail) => void;
      const done = new Promise<RunDetail>((r) => (resolve = r));
      // Only the fields the scheduler reads of a run; the whole RunDetail is the run service's business.
      const detail = (status: string) => ({ run: { id, status, failedStep: null, endReason: null } }) as unknown as RunDetail;
      const run: FakeRun & { ended?: boolean } = {
        id, request, startedAt: time.nowIso(),
        async end(status = 'completed') {
          run.ended = true;
          resolve(detail(status));
          await done;
          await new Promise((r) => setImmediate(r));
        },
      };
      runs.push(run);
      return { detail: detail('running'), done };
    },
  };
}

async function setup(markdown: string, startIso = '2026-03-02T08:00:00Z', file = 'sched.db') {
  const time = fakeTime(startIso);
  const db = openDatabase(join(dir, file));
  dbs.push(db);
  const deviceId = getDeviceId(db);
  const library = createLibraryStore({ db, clock: time.clock, deviceId });
  const store = createScheduleStore(db, deviceId, time.clock);
  const save = async (md: string) => {
    const rb = await importText(md, '/srv/nightly.md');
    return library.saveImport('/srv/nightly.md', `sha-${md.length}-${md.charCodeAt(md.length - 2)}`, rb, summarizeRunbook(rb));
  };
  const saved = await save(markdown);
  const runner = recorder(time);
  const make = (): SchedulerService =>
    createSchedulerService({
      store, library, sectionRunner: runner, clock: time.clock, timers: time.timers, env: { DB_PASSWORD: 'hunter22' }, hostname: 'laptop',
      operator: () => 'alice', deviceId, runStatus: () => 'completed', emit: () => undefined,
    });
  const sectionId = library.get(saved.runbookId).document.sections[0]?.sections[0]?.id ?? '';
  return { time, db, library, store, save, runner, make, runbookId: saved.runbookId, sectionId };
}

const rules = (over: Partial<ScheduleRules> = {}): ScheduleRules => ({
  calendar: { kind: 'cron', expr: '0 * * * *' }, timezone: 'UTC', catchUp: 'latest', catchUpWindowSec: null, overlap: 'skip', jitterSec: 0, ...over,
});
const fields = (runbookId: string, sectionId: string, r: Partial<ScheduleRules> = {}, extra: Partial<ScheduleFields> = {}): ScheduleFields => ({
  runbookId, sectionId, target: { kind: 'local' }, rules: rules(r), params: {}, secrets: {}, notify: { on: 'never', webhook: null }, ...extra,
});
const kinds = (store: ScheduleStore, id: string) => store.recent(id, 1000).reverse().map((r) => r.kind);
const flush = () => new Promise((r) => setImmediate(r));
const HOUR = 3600_000;

describe('scheduler service', () => {
  it('fires each occurrence once, as a schedule run with the target confirmed, and records it started', async () => {
    const s = await setup(RUNBOOK('pg_dump app > /tmp/app.sql'));
    const scheduler = s.make();
    await scheduler.start();
    const schedule = await scheduler.create(fields(s.runbookId, s.sectionId), 'alice');
    expect(schedule.next.slice(0, 2)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z']);
    s.time.advance(HOUR);
    expect(s.runner.runs.map((r) => [r.startedAt, r.request.origin, r.request.confirmation])).toEqual([['2026-03-02T09:00:00.000Z', 'schedule', 'laptop']]);
    await s.runner.runs[0]?.end();
    s.time.advance(HOUR);
    await s.runner.runs[1]?.end();
    s.time.advance(HOUR);
    expect(s.runner.runs.map((r) => r.startedAt)).toEqual(['2026-03-02T09:00:00.000Z', '2026-03-02T10:00:00.000Z', '2026-03-02T11:00:00.000Z']);
    expect(kinds(s.store, schedule.id)).toEqual(['pending', 'started', 'pending', 'started', 'pending', 'started']);
    const view = scheduler.get(schedule.id);
    expect(view.recent.map((r) => r.outcome.kind)).toEqual(['started', 'started', 'started']);
    await scheduler.dispose();
  });

  describe('three days asleep', () => {
    const threeDays = 72 * HOUR;
    it('latest: one catch-up for the newest occurrence, the rest one summary', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { catchUp: 'latest', catchUpWindowSec: 7 * 24 * 3600 }), 'alice');
      s.time.advance(30 * 60_000); // 08:30
      s.time.sleep(threeDays); // wakes 08:30 three days later
      expect(s.runner.runs.map((r) => r.startedAt.slice(0, 13))).toEqual(['2026-03-05T08']);
      const summary = s.store.recent(id, 10).find((r) => r.kind === 'missed');
      expect(summary).toMatchObject({ firstAt: '2026-03-02T09:00:00.000Z', lastAt: '2026-03-05T07:00:00.000Z', count: 71 });
      const started = s.store.recent(id, 10).find((r) => r.kind === 'started');
      expect(started).toMatchObject({ occurrence: '2026-03-05T08:00:00.000Z', catchUp: true });
      await scheduler.dispose();
    });

    it('skip: records the misses and runs nothing', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { catchUp: 'skip', catchUpWindowSec: 7 * 24 * 3600 }), 'alice');
      s.time.advance(30 * 60_000);
      s.time.sleep(threeDays);
      expect(s.runner.runs).toHaveLength(0);
      expect(kinds(s.store, id)).toEqual(['missed']);
      expect(s.store.recent(id, 1)[0]).toMatchObject({ count: 72 });
      await scheduler.dispose();
    });

    it('all: at most 10, oldest first, each after the previous ended; beyond the window recorded, not run', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { catchUp: 'all', catchUpWindowSec: 24 * 3600 }), 'alice');
      s.time.advance(30 * 60_000);
      s.time.sleep(threeDays);
      expect(s.runner.runs).toHaveLength(1);
      for (let i = 0; i < 12; i++) {
        await s.runner.running()[0]?.end();
        s.time.advance(10);
      }
      const started = s.store.recent(id, 100).filter((r) => r.kind === 'started').map((r) => r.occurrence).reverse();
      expect(started).toHaveLength(10);
      expect(started[0]).toBe('2026-03-04T23:00:00.000Z');
      expect(started[9]).toBe('2026-03-05T08:00:00.000Z');
      const beyond = s.store.recent(id, 100).find((r) => r.kind === 'missed_beyond_window');
      const missed = s.store.recent(id, 100).find((r) => r.kind === 'missed');
      expect((beyond?.count ?? 0) + (missed?.count ?? 0) + 10).toBe(72);
      await scheduler.dispose();
    });
  });

  it('a clock set back an hour never fires an occurrence twice', async () => {
    const s = await setup(RUNBOOK('echo ok'));
    const scheduler = s.make();
    await scheduler.start();
    await scheduler.create(fields(s.runbookId, s.sectionId), 'alice');
    s.time.advance(HOUR + 60_000); // 09:01, 09:00 ran
    await s.runner.runs[0]?.end();
    s.time.setWall(-HOUR); // 08:01 again
    s.time.advance(2 * HOUR); // until 10:01
    expect(s.runner.runs.map((r) => r.request.origin)).toHaveLength(2);
    expect(new Set(s.runner.runs.map((r) => r.startedAt.slice(0, 13))).size).toBe(2);
    await scheduler.dispose();
  });

  it('overlap: skip records the occurrence, queue keeps one waiting, allow runs both', async () => {
    for (const [overlap, expected] of [
      ['skip', { runs: 1, skipped: 2 }],
      ['queue', { runs: 2, skipped: 1 }],
      ['allow', { runs: 3, skipped: 0 }],
    ] as const) {
      const s = await setup(RUNBOOK('echo ok'), undefined, `${overlap}.db`);
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { overlap }), 'alice');
      s.time.advance(3 * HOUR); // 09:00 starts and keeps running through 10:00 and 11:00
      await s.runner.runs[0]?.end();
      await flush();
      expect({ overlap, runs: s.runner.runs.length, skipped: kinds(s.store, id).filter((k) => k === 'skipped_overlap').length }).toEqual({ overlap, ...expected });
      await scheduler.dispose();
    }
  });

  it('jitter delays every occurrence by the same amount, across restarts', async () => {
    const s = await setup(RUNBOOK('echo ok'));
    let scheduler = s.make();
    await scheduler.start();
    const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { jitterSec: 600 }), 'alice');
    const delay = jitterMs(id, 600);
    s.time.advance(HOUR + delay - 1);
    expect(s.runner.runs).toHaveLength(0);
    s.time.advance(1);
    expect(s.runner.runs.map((r) => Date.parse(r.startedAt) - Date.parse('2026-03-02T09:00:00Z'))).toEqual([delay]);
    await s.runner.runs[0]?.end();
    await scheduler.dispose();
    scheduler = s.make(); // a restart
    await scheduler.start();
    s.time.advance(HOUR);
    expect(s.runner.runs.map((r) => Date.parse(r.startedAt) % HOUR)).toEqual([delay, delay]);
    await scheduler.dispose();
  });

  it('a new version that changes a scheduled step pauses the schedule until its text is approved', async () => {
    const s = await setup(RUNBOOK('pg_dump app > /tmp/app.sql'));
    const scheduler = s.make();
    await scheduler.start();
    const { id } = await scheduler.create(fields(s.runbookId, s.sectionId), 'alice');
    await s.save(RUNBOOK('pg_dump app | gzip > /tmp/app.sql.gz'));
    expect(scheduler.get(id)).toMatchObject({ state: 'needs_approval', changes: [{ title: 'Dump', change: 'changed' }] });
    expect(scheduler.get(id).stateReason).toMatch(/changed scheduled steps \("Dump" changed\)/);
    s.time.advance(3 * HOUR);
    expect(s.runner.runs).toHaveLength(0);
    expect(() => scheduler.runNow(id)).toThrow(/approve/);
    scheduler.approve(id, false);
    expect(scheduler.get(id).state).toBe('active');
    s.time.advance(HOUR);
    // Occurrences while held are not caught up: the schedule picks up from the approval.
    expect(s.runner.runs.map((r) => r.startedAt)).toEqual(['2026-03-02T12:00:00.000Z']);
    await scheduler.dispose();
  });

  it('destructive steps: refused without approval; a catch-up after a wake waits for approval', async () => {
    const s = await setup(RUNBOOK('rm -rf /var/backups/old'));
    const scheduler = s.make();
    await scheduler.start();
    await expect(scheduler.create(fields(s.runbookId, s.sectionId), 'alice')).rejects.toMatchObject({ code: 'approval_required' });
    const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, {}, { approveDestructive: true }), 'alice');
    s.time.advance(HOUR); // on time: runs
    await s.runner.runs[0]?.end();
    s.time.sleep(5.5 * HOUR); // wakes 14:30: the 14:00 occurrence is a catch-up
    expect(s.runner.runs).toHaveLength(1);
    expect(scheduler.get(id).waiting).toEqual(['2026-03-02T14:00:00.000Z']);
    scheduler.approve(id, false);
    await flush();
    expect(s.runner.runs.map((r) => r.request.origin)).toHaveLength(2);
    expect(scheduler.get(id).waiting).toEqual([]);
    await scheduler.dispose();
  });

  it('a run planned but not started when the owner stopped is recorded failed_to_start once, and never run late', async () => {
    const s = await setup(RUNBOOK('echo ok'));
    const scheduler = s.make();
    await scheduler.start();
    const { id } = await scheduler.create(fields(s.runbookId, s.sectionId), 'alice');
    // As if the owner died between recording the occurrence and starting it.
    s.store.append([{ scheduleId: id, kind: 'pending', occurrence: '2026-03-02T08:30:00.000Z', firstAt: null, lastAt: null, count: null, catchUp: false, manual: false, runId: null, reason: null }]);
    await scheduler.dispose();
    const again = s.make();
    await again.start();
    await again.dispose();
    const third = s.make();
    await third.start();
    expect(kinds(s.store, id)).toEqual(['pending', 'failed_to_start']);
    expect(third.get(id).recent[0]?.outcome).toMatchObject({ kind: 'failed_to_start', reason: 'Opsdeck stopped before the run could start' });
    expect(s.runner.runs).toHaveLength(0);
    await third.dispose();
  });

  it('a secret is never stored; from a variable the owner lacks, the run fails to start, saying which', async () => {
    const s = await setup(RUNBOOK('curl -H "Authorization: ${{ secrets.API_TOKEN }}" https://example.invalid'));
    const scheduler = s.make();
    await scheduler.start();
    await expect(scheduler.create(fields(s.runbookId, s.sectionId, {}, { params: { API_TOKEN: 'x' } }), 'alice')).rejects.toMatchObject({ code: 'invalid_param' });
    const { id, secrets } = await scheduler.create(fields(s.runbookId, s.sectionId, {}, { secrets: { API_TOKEN: { from: 'env', variable: 'NOT_SET_ANYWHERE' } } }), 'alice');
    expect(secrets).toEqual({ API_TOKEN: { from: 'env', variable: 'NOT_SET_ANYWHERE' } });
    s.time.advance(HOUR);
    expect(s.runner.runs).toHaveLength(0);
    expect(scheduler.get(id).recent[0]?.outcome).toMatchObject({ kind: 'failed_to_start', reason: expect.stringMatching(/NOT_SET_ANYWHERE, which is not set/) });
    await scheduler.dispose();
  });

  describe('what a review found', () => {
    it('a failed run now is answered with its reason and records nothing: the occurrences held meanwhile are still caught up', async () => {
      const s = await setup(RUNBOOK('curl -H "Authorization: ${{ secrets.API_TOKEN }}" https://example.invalid'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { catchUpWindowSec: 24 * 3600 }, { secrets: { API_TOKEN: { from: 'env', variable: 'NOT_SET' } } }), 'alice');
      scheduler.pause(id, 'maintenance');
      s.time.advance(2.5 * HOUR); // 10:30
      expect(() => scheduler.runNow(id)).toThrow(/NOT_SET, which is not set/);
      expect(kinds(s.store, id)).toEqual([]);
      scheduler.resume(id);
      s.time.advance(HOUR); // 11:30: the 11:00 occurrence fails to start, as it should; nothing was lost to run now
      expect(s.store.recent(id, 10).map((r) => [r.kind, r.occurrence]).reverse()).toEqual([
        ['pending', '2026-03-02T11:00:00.000Z'],
        ['failed_to_start', '2026-03-02T11:00:00.000Z'],
      ]);
      await scheduler.dispose();
    });

    it('a removed schedule starts nothing it had queued, and says so', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { overlap: 'queue' }), 'alice');
      s.time.advance(2 * HOUR); // 09:00 runs, 10:00 queued
      expect(scheduler.remove(id)).toEqual({ removed: true });
      await s.runner.runs[0]?.end();
      s.time.advance(2 * HOUR);
      expect(s.runner.runs).toHaveLength(1);
      expect(s.store.recent(id, 1)[0]).toMatchObject({ kind: 'failed_to_start', occurrence: '2026-03-02T10:00:00.000Z', reason: expect.stringMatching(/removed/) });
      await scheduler.dispose();
    });

    it('pausing during a catch-up chain records what will not run, and the queue is held too', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { catchUp: 'all', catchUpWindowSec: 24 * 3600 }), 'alice');
      s.time.advance(30 * 60_000);
      s.time.sleep(4 * HOUR); // wakes 12:30: 09:00..12:00 to catch up, one at a time
      expect(s.runner.runs).toHaveLength(1);
      scheduler.pause(id, 'enough');
      await s.runner.runs[0]?.end();
      s.time.advance(HOUR);
      expect(s.runner.runs).toHaveLength(1);
      const outcome = scheduler.get(id).recent.map((r) => [r.outcome.kind, 'occurrence' in r.outcome ? r.outcome.occurrence.slice(11, 16) : '']);
      expect(outcome).toEqual([['failed_to_start', '12:00'], ['failed_to_start', '11:00'], ['failed_to_start', '10:00'], ['started', '09:00']]);
      expect(s.store.unsettled()).toEqual([]);
      await scheduler.dispose();
    });

    it('a schedule held by a changed step fires again, without a restart, when the runbook goes back to the approved text', async () => {
      const s = await setup(RUNBOOK('pg_dump app > /tmp/app.sql'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId), 'alice');
      await s.save(RUNBOOK('pg_dump app | gzip > /tmp/app.sql.gz'));
      scheduler.runbookChanged(s.runbookId);
      expect(scheduler.get(id).state).toBe('needs_approval');
      s.time.advance(30 * 60_000);
      await s.save(`${RUNBOOK('pg_dump app > /tmp/app.sql')}\n`);
      scheduler.runbookChanged(s.runbookId);
      expect(scheduler.get(id).state).toBe('active');
      s.time.advance(HOUR); // 09:30
      expect(s.runner.runs.map((r) => r.startedAt)).toEqual(['2026-03-02T09:00:00.000Z']);
      await scheduler.dispose();
    });

    it('a changed parameter value of a destructive section needs approval again', async () => {
      const s = await setup(RUNBOOK('rm -rf "/var/backups/$OLD_DIR"'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, {}, { params: { OLD_DIR: 'old' }, approveDestructive: true }), 'alice');
      await expect(scheduler.update(id, { params: { OLD_DIR: '..' } })).rejects.toMatchObject({ code: 'approval_required' });
      expect(scheduler.get(id).params).toEqual({ OLD_DIR: 'old' });
      expect((await scheduler.update(id, { notify: { on: 'always', webhook: null } })).notify.on).toBe('always');
      expect((await scheduler.update(id, { params: { OLD_DIR: 'older' }, approveDestructive: true })).params).toEqual({ OLD_DIR: 'older' });
      await scheduler.dispose();
    });

    it('changing a rule other than the calendar keeps what downtime owes; a new calendar first settles the old one', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      let scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { catchUpWindowSec: 24 * 3600 }), 'alice');
      await scheduler.dispose(); // the owner is down 08:00 -> 11:30
      s.time.advance(3.5 * HOUR);
      const offline = s.make(); // a CLI command owning the directory: not started, fires nothing
      await offline.update(id, { rules: rules({ catchUpWindowSec: 24 * 3600, overlap: 'allow' }) });
      scheduler = s.make();
      await scheduler.start();
      expect(s.store.recent(id, 10).find((r) => r.kind === 'missed')).toMatchObject({ count: 2 });
      expect(s.runner.runs).toHaveLength(0); // the 11:00 catch-up waits for its stagger
      s.time.advance(1_000);
      expect(s.runner.runs.map((r) => r.startedAt.slice(11, 16))).toEqual(['11:30']);
      await s.runner.runs[0]?.end();
      s.time.advance(60 * 60_000); // 12:30: 12:00 ran
      await s.runner.runs[1]?.end();
      await scheduler.update(id, { rules: rules({ calendar: { kind: 'cron', expr: '45 * * * *' }, catchUpWindowSec: 24 * 3600 }) });
      s.time.advance(HOUR); // until 13:30: only 12:45 of the new calendar, nothing of the old
      expect(s.runner.runs.map((r) => r.startedAt.slice(11, 16))).toEqual(['11:30', '12:00', '12:45']);
      await scheduler.dispose();
    });

    it('catch-up all with an on-time occurrence runs every one, oldest first, one after another', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { catchUp: 'all', catchUpWindowSec: 24 * 3600 }), 'alice');
      s.time.advance(30 * 60_000);
      s.time.sleep(3.5 * HOUR - 15_000, 20_000); // wakes at 11:59:45 and notices at 12:00:05: 12:00 is on time
      for (let i = 0; i < 6 && s.runner.running().length > 0; i++) {
        await s.runner.running()[0]?.end();
        s.time.advance(10);
      }
      expect(s.store.recent(id, 100).filter((r) => r.kind === 'started').map((r) => r.occurrence?.slice(11, 16)).reverse()).toEqual(['09:00', '10:00', '11:00', '12:00']);
      expect(kinds(s.store, id)).not.toContain('skipped_overlap');
      await scheduler.dispose();
    });

    it("the tray's pause holds a queued occurrence too", async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await scheduler.start();
      const { id } = await scheduler.create(fields(s.runbookId, s.sectionId, { overlap: 'queue' }), 'alice');
      s.time.advance(2 * HOUR); // 09:00 runs, 10:00 queued
      scheduler.setSuspended(true);
      await s.runner.runs[0]?.end();
      expect(s.runner.runs).toHaveLength(1);
      expect(s.store.recent(id, 1)[0]).toMatchObject({ kind: 'failed_to_start', occurrence: '2026-03-02T10:00:00.000Z', reason: expect.stringMatching(/paused in this owner/) });
      await scheduler.dispose();
    });

    it('refuses a jitter as long as the time between occurrences', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const scheduler = s.make();
      await expect(scheduler.create(fields(s.runbookId, s.sectionId, { calendar: { kind: 'cron', expr: '*/5 * * * *' }, jitterSec: 1800 }), 'alice')).rejects.toMatchObject({
        code: 'invalid_schedule', message: expect.stringMatching(/jitter \(1800 s\) must be shorter than the time between occurrences \(300 s\)/),
      });
      await scheduler.dispose();
    });

    it('a re-plan never leaves a second timer armed (one would fire twice, and keep its process alive)', async () => {
      const s = await setup(RUNBOOK('echo ok'));
      const armed = new Set<unknown>();
      const timers = {
        ...s.time.timers,
        setTimeout: (fn: () => void, ms: number) => {
          const h = s.time.timers.setTimeout(() => {
            armed.delete(h);
            fn();
          }, ms);
          armed.add(h);
          return h;
        },
        clearTimeout: (h: unknown) => {
          armed.delete(h);
          s.time.timers.clearTimeout(h);
        },
      };
      const scheduler = createSchedulerService({
        store: s.store, library: s.library, sectionRunner: s.runner, clock: s.time.clock, timers, env: {}, hostname: 'laptop',
        operator: () => 'alice', deviceId: getDeviceId(s.db), runStatus: () => null, emit: () => undefined,
      });
      await scheduler.start();
      await scheduler.create(fields(s.runbookId, s.sectionId), 'alice');
      scheduler.setSuspended(true);
      scheduler.setSuspended(false);
      scheduler.woke();
      scheduler.woke();
      expect(armed.size).toBe(1);
      await scheduler.dispose();
      expect(armed.size).toBe(0);
    });
  });
});
