/**
 * The owner's scheduler: fires each occurrence of each schedule exactly once, records its outcome, and catches up
 * after sleep or downtime by the schedule's policy. One timer for the soonest thing due and one slow tick that
 * watches the wall clock against the monotonic one (sleep, clock set forward or back: re-plan everything). Planning
 * is shared/schedule/catch-up.ts, always from the newest occurrence recorded, so a restart or a clock set back never
 * repeats an occurrence and never loses one: a planned run is recorded `pending` in the same transaction as the
 * misses, and a pending record found at start-up (the owner stopped in between) becomes failed_to_start.
 * Firing starts the section's command steps with the section runner (origin `schedule`), as `opsdeck run` does.
 */
import type { Schedule, ScheduleFields } from '../../../shared/contract/schedules.js';
import { ContractError } from '../../../shared/contract/errors.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import type { Section } from '../../../shared/model/runbook.js';
import { planCatchUp, type PlannedRun } from '../../../shared/schedule/catch-up.js';
import { createClockWatch } from '../../../shared/schedule/clock.js';
import { CATCH_UP_STAGGER_MS, staggerMs } from '../../../shared/schedule/jitter.js';
import { decideOverlap, IDLE, runEnded, type OverlapState } from '../../../shared/schedule/overlap.js';
import { missOutcomes } from '../../../shared/schedule/outcome.js';
import type { SectionRunner } from '../runs/section-runner.js';
import { confirmationOf } from '../runs/step-gates.js';
import type { LibraryStore } from '../store/library-store.js';
import type { NewRecord, ScheduleRow, ScheduleStore } from '../store/schedule-store.js';
import { calendarChanged, createScheduleEditor, type EditorDeps } from './schedule-editor.js';
import { commandSteps, situationOf, type Situation } from './schedule-view.js';
import type { SchedulerService } from './types.js';

export interface SchedulerTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface SchedulerDeps extends Omit<EditorDeps, 'store' | 'library' | 'now'> {
  store: ScheduleStore;
  library: LibraryStore;
  sectionRunner: Pick<SectionRunner, 'start'>;
  /** The wall clock (occurrences) and a clock that never jumps (timers). */
  clock: { now(): Date; monotonic(): number };
  timers: SchedulerTimers;
  /** The owner's environment: where `env` secrets are read when a schedule fires. */
  env: Readonly<Record<string, string | undefined>>;
  hostname: string;
  emit(event: 'schedules.changed', payload: { scheduleId: string }): void;
  emit(event: 'schedule.notice', payload: { scheduleId: string; runId: string; status: string; title: string; body: string }): void;
  /** A scheduled run ended: deliver its notifications (webhook outbox); `occurrence` is null for a run started by hand. */
  onRunEnded?(schedule: Schedule, detail: RunDetail, occurrence: string | null): void;
  /** A run as recorded (for runs found interrupted at start-up), or null. */
  runDetail?(runId: string): RunDetail | null;
}

/**
 * How often the wall clock is compared with the monotonic one. Trades noticing a wake or a clock change sooner
 * against waking an idle owner: 10 s costs nothing measurable and keeps a wake's catch-up within seconds.
 */
export const WATCH_INTERVAL_MS = 10_000;
/** A catch-up after a wake starts within this much per schedule catching up, at most CATCH_UP_STAGGER_MS: one alone starts at once, a thousand spread over a minute. */
const STAGGER_PER_SCHEDULE_MS = 250;
/** Timers are armed at most this far ahead (setTimeout's limit is ~24.8 days; the watch re-plans anyway). */
const MAX_TIMER_MS = 3_600_000;

interface Live {
  row: ScheduleRow;
  nextFireAt: number | null;
  overlap: OverlapState;
  /** Catch-ups to run one after another (after a wake), each when the previous has ended. */
  chain: PlannedRun[];
  /** The run of the chained catch-up in progress. */
  chainRun: string | null;
  /** When the next chained catch-up may start (the wake's stagger). */
  chainAt: number | null;
}

/**
 * The library, with each runbook read once while `during` runs: listing a thousand schedules of one runbook reads
 * (and parses) its document once, not three thousand times. Outside `during` every read goes to the store.
 */
function memoized(library: LibraryStore): { store: LibraryStore; during<T>(fn: () => T): T } {
  let cache: Map<string, ReturnType<LibraryStore['get']>> | null = null;
  return {
    store: {
      ...library,
      get(query, resolvedPath) {
        if (!cache || resolvedPath !== undefined) return library.get(query, resolvedPath);
        let found = cache.get(query);
        if (!found) {
          found = library.get(query);
          cache.set(query, found);
        }
        return found;
      },
    },
    during(fn) {
      cache = new Map();
      try {
        return fn();
      } finally {
        cache = null;
      }
    },
  };
}

export function createSchedulerService(deps: SchedulerDeps): SchedulerService {
  const { store, timers } = deps;
  const memo = memoized(deps.library);
  const library = memo.store;
  const nowDate = (): Date => deps.clock.now();
  const editor = createScheduleEditor({ ...deps, library, now: nowDate });
  const live = new Map<string, Live>();
  const watch = createClockWatch({ wallNow: () => deps.clock.now().getTime(), monotonicNow: () => deps.clock.monotonic() });
  let timer: unknown = null;
  let ticker: unknown = null;
  let started = false;
  let suspended = false;
  let disposed = false;

  const changed = (scheduleId: string): void => deps.emit('schedules.changed', { scheduleId });
  const firesHere = (row: ScheduleRow): boolean => row.homeDevice === deps.deviceId;

  function situation(row: ScheduleRow): Situation {
    let sections: readonly Section[] | null;
    try {
      const rb = library.get(row.runbookId);
      sections = rb.archived ? null : rb.document.sections;
    } catch {
      sections = null;
    }
    return situationOf(row, sections);
  }

  function liveOf(row: ScheduleRow): Live {
    let l = live.get(row.id);
    if (!l) {
      l = { row, nextFireAt: null, overlap: IDLE, chain: [], chainRun: null, chainAt: null };
      live.set(row.id, l);
    } else {
      l.row = row;
    }
    return l;
  }

  /** Accounts for every occurrence up to now: records misses and pending runs in one transaction, then starts them. */
  function plan(l: Live, now: Date, catchingUp: number): void {
    const row = l.row;
    if (!firesHere(row) || row.paused || situation(row).state !== 'active') {
      l.nextFireAt = null;
      return;
    }
    const recorded = store.lastHandled(row.id);
    const lastHandled = new Date(recorded !== null && recorded > row.activeSince ? recorded : row.activeSince);
    const p = planCatchUp({ scheduleId: row.id, rules: row.spec.rules, lastHandled, now });
    l.nextFireAt = p.nextFireAt ? p.nextFireAt.getTime() : null;
    if (p.runs.length === 0 && !p.missed && !p.missedBeyondWindow) return;
    const gated = needsCatchUpApproval(row);
    const records: NewRecord[] = missOutcomes(p).map((o) => ({
      scheduleId: row.id, kind: o.kind === 'missed' ? 'missed' : 'missed_beyond_window', occurrence: null,
      firstAt: 'first' in o ? o.first : null, lastAt: 'last' in o ? o.last : null, count: 'count' in o ? o.count : null,
      catchUp: false, manual: false, runId: null, reason: null,
    }));
    for (const run of p.runs) {
      records.push({
        scheduleId: row.id, kind: run.catchUp && gated ? 'waiting_approval' : 'pending', occurrence: run.occurrence.toISOString(),
        firstAt: null, lastAt: null, count: null, catchUp: run.catchUp, manual: false, runId: null, reason: null,
      });
    }
    store.append(records);
    const spread = Math.min(CATCH_UP_STAGGER_MS, STAGGER_PER_SCHEDULE_MS * Math.max(1, catchingUp));
    const chained = p.runs.filter((r) => r.catchUp && !gated);
    for (const run of p.runs) {
      if (run.catchUp && gated) continue;
      // With catch-ups to run, the on-time occurrence joins their chain, last: every run in order, one at a time.
      if (run.catchUp || chained.length > 0 || l.chain.length > 0) {
        l.chain.push(run);
        l.chainAt ??= now.getTime() + Math.floor((staggerMs(row.id) / CATCH_UP_STAGGER_MS) * spread);
      } else {
        fire(l, run.occurrence.toISOString(), false);
      }
    }
    changed(row.id);
  }

  /** A catch-up of destructive or fan-out steps waits for someone after a wake. */
  function needsCatchUpApproval(row: ScheduleRow): boolean {
    if (row.spec.target.kind === 'tag') return true;
    const section = situation(row).section;
    return section ? commandSteps(section).some((s) => s.danger.level === 'destructive') : false;
  }

  function record(row: ScheduleRow, kind: NewRecord['kind'], occurrence: string, extra: Partial<NewRecord> = {}): void {
    store.append([{ scheduleId: row.id, kind, occurrence, firstAt: null, lastAt: null, count: null, catchUp: false, manual: false, runId: null, reason: null, ...extra }]);
    changed(row.id);
  }

  /** An occurrence is due: the overlap policy decides whether it starts now, waits, or is skipped. */
  function fire(l: Live, occurrence: string, catchUp: boolean): void {
    const { decision, state } = decideOverlap(l.row.spec.rules.overlap, l.overlap, new Date(occurrence));
    l.overlap = state;
    if (decision.action === 'skip') record(l.row, 'skipped_overlap', occurrence, { reason: decision.reason, catchUp });
    else if (decision.action === 'start') launch(l, occurrence, catchUp, false);
    // queue: its pending record stands until the running one ends (overlap.ts keeps which occurrence).
  }

  /**
   * A chained run starts only when no run of the schedule runs (each after the previous has ended, whatever the
   * overlap policy): answers with the run it started, null when it could not start, or 'wait'.
   */
  function fireChained(l: Live, run: PlannedRun): string | null | 'wait' {
    if (l.overlap.running > 0) return 'wait';
    l.overlap = { ...l.overlap, running: l.overlap.running + 1 };
    return launch(l, run.occurrence.toISOString(), run.catchUp, false);
  }

  /** Starts the run (the overlap state already counts it); records started, or failed_to_start and why. */
  function launch(l: Live, occurrence: string, catchUp: boolean, manual: boolean): string | null {
    const row = l.row;
    let detail: { detail: RunDetail; done: Promise<RunDetail> };
    try {
      const s = situation(row);
      if (s.state !== 'active' && !manual) throw new ContractError('conflict', s.reason ?? s.state);
      if (!s.section) throw new ContractError('conflict', s.reason ?? 'the section is gone');
      const params = { ...row.spec.params, ...editor.secretValues(row, deps.env) };
      const versionId = library.get(row.runbookId).version.id;
      detail = deps.sectionRunner.start({
        runbookId: row.runbookId, sectionId: row.sectionId, versionId, params, target: row.spec.target,
        // Approved when the schedule was made (bound to the text): the runner needs no one to type the name.
        confirmation: confirmationOf(row.spec.target, deps.hostname).expect, origin: 'schedule',
      });
    } catch (error) {
      release(l);
      // Run now is answered with the reason; it is not an occurrence of the calendar, so nothing is recorded.
      if (manual) throw error;
      record(row, 'failed_to_start', occurrence, { reason: reasonOf(error), catchUp });
      return null;
    }
    const runId = detail.detail.run.id;
    // The end is followed before anything else can fail: the overlap count is always given back.
    void detail.done.then((final) => ended(l, final, manual ? null : occurrence));
    try {
      record(row, 'started', occurrence, { runId, catchUp, manual });
    } catch (error) {
      deps.onError?.(error);
    }
    return runId;
  }

  /** Why a schedule may not start anything now, or null. */
  function heldBecause(l: Live): string | null {
    if (live.get(l.row.id) !== l) return 'the schedule was removed';
    if (suspended) return 'schedules were paused in this owner (the tray)';
    if (l.row.paused) return `the schedule was paused (${l.row.pauseReason ?? 'paused'})`;
    const s = situation(l.row);
    return s.state === 'active' ? null : (s.reason ?? s.state);
  }

  /** A run of the schedule ended or never started: the queued occurrence, if any, starts now, unless held. */
  function release(l: Live): void {
    const { start, state } = runEnded(l.overlap);
    l.overlap = state;
    if (!start) return;
    const held = heldBecause(l);
    if (held === null) {
      launch(l, start.toISOString(), false, false);
      return;
    }
    l.overlap = runEnded(l.overlap).state;
    if (live.get(l.row.id) === l) record(l.row, 'failed_to_start', start.toISOString(), { reason: `not run: ${held}` });
  }

  /** Records each occurrence waiting in the chain or the queue as not run, and why; they are forgotten. */
  function dropWaiting(l: Live, why: string): void {
    const dropped = l.chain.map((r) => ({ occurrence: r.occurrence.toISOString(), catchUp: r.catchUp }));
    if (l.overlap.queued) dropped.push({ occurrence: l.overlap.queued.toISOString(), catchUp: false });
    l.chain = [];
    l.chainAt = null;
    l.overlap = { ...l.overlap, queued: null };
    if (dropped.length === 0) return;
    store.append(dropped.map((d) => ({ scheduleId: l.row.id, kind: 'failed_to_start' as const, occurrence: d.occurrence, firstAt: null, lastAt: null, count: null, catchUp: d.catchUp, manual: false, runId: null, reason: `not run: ${why}` })));
  }

  function ended(l: Live, final: RunDetail, occurrence: string | null): void {
    if (disposed) return;
    try {
      const current = live.get(l.row.id) === l;
      if (current) {
        changed(l.row.id);
        try {
          notify(l.row, final, occurrence);
        } catch (error) {
          // A notification that cannot be made never stops the schedule.
          deps.onError?.(error);
        }
      }
      if (l.chainRun === final.run.id) l.chainRun = null;
      release(l);
      if (current && started && !suspended) runChains(nowDate().getTime());
    } catch (error) {
      deps.onError?.(error);
    }
    arm();
  }

  function notify(row: ScheduleRow, final: RunDetail, occurrence: string | null): void {
    const status = final.run.status;
    const on = row.spec.notify.on;
    if (on === 'never' || (on === 'failure' && status === 'completed')) return;
    const view = get(row.id);
    const what = `${view.runbookTitle} › ${view.sectionTitle}`;
    const failed = final.run.failedStep ? `: "${final.run.failedStep.title}" failed` : final.run.endReason ? `: ${final.run.endReason}` : '';
    deps.emit('schedule.notice', { scheduleId: row.id, runId: final.run.id, status, title: `Scheduled run ${status}`, body: `${what}${failed}` });
    deps.onRunEnded?.(view, final, occurrence);
  }

  /** Starts the next chained catch-up of each schedule whose time has come. */
  function runChains(nowMs: number): void {
    for (const l of live.values()) {
      while (l.chainRun === null && l.chain.length > 0 && (l.chainAt === null || l.chainAt <= nowMs)) {
        const next = l.chain[0];
        if (!next) break;
        const runId = fireChained(l, next);
        if (runId === 'wait') break;
        l.chain.shift();
        l.chainAt = null;
        // Failed to start: nothing runs, so the chain goes on at once.
        l.chainRun = runId;
      }
    }
  }

  function tick(reason: 'timer' | 'replan'): void {
    // A re-plan outside the timer drops the armed one: a handle lost here would fire later, and keep its process alive.
    if (reason === 'replan' && timer !== null) timers.clearTimeout(timer);
    timer = null;
    if (disposed || !started || suspended) return;
    const now = nowDate();
    const nowMs = now.getTime();
    const due = [...live.values()].filter((l) => reason === 'replan' || (l.nextFireAt !== null && l.nextFireAt <= nowMs));
    memo.during(() => {
      for (const l of due) {
        try {
          plan(l, now, due.length);
        } catch (error) {
          deps.onError?.(error);
        }
      }
    });
    try {
      runChains(nowMs);
    } catch (error) {
      deps.onError?.(error);
    }
    arm();
  }

  function arm(): void {
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
    if (disposed || !started || suspended) return;
    let soonest = Number.POSITIVE_INFINITY;
    for (const l of live.values()) {
      if (l.nextFireAt !== null) soonest = Math.min(soonest, l.nextFireAt);
      if (l.chainRun === null && l.chain.length > 0) soonest = Math.min(soonest, l.chainAt ?? 0);
    }
    if (soonest === Number.POSITIVE_INFINITY) return;
    const delay = Math.max(0, Math.min(MAX_TIMER_MS, soonest - nowDate().getTime()));
    timer = timers.setTimeout(() => tick('timer'), delay);
  }

  function replanAll(): void {
    for (const row of store.list()) liveOf(row);
    tick('replan');
  }

  /** Pending records left by an owner that stopped before starting them: each is recorded as failed, once. */
  function settleLeftovers(): void {
    const rows = store.unsettled().filter((r) => r.kind === 'pending');
    if (rows.length === 0) return;
    store.append(
      rows.map((r) => ({
        scheduleId: r.scheduleId, kind: 'failed_to_start' as const, occurrence: r.occurrence, firstAt: null, lastAt: null, count: null,
        catchUp: r.catchUp, manual: false, runId: null, reason: 'Opsdeck stopped before the run could start',
      })),
    );
  }

  const get = (id: string): Schedule => editor.view(store.get(id), situation, firesHere);

  /** After a change to one schedule: forget its timers and plan it again from its records. */
  function refresh(id: string): void {
    const l = live.get(id);
    let row: ScheduleRow | null = null;
    try {
      row = store.get(id);
    } catch {
      live.delete(id);
    }
    if (row && l) l.row = row;
    else if (row) liveOf(row);
    changed(id);
    if (started && !suspended && row) {
      const entry = live.get(id);
      if (entry) plan(entry, nowDate(), 1);
      arm();
    }
  }

  return {
    list: () =>
      memo.during(() => {
        const waiting = new Map<string, string[]>();
        for (const r of store.unsettled()) {
          if (r.kind === 'waiting_approval') waiting.set(r.scheduleId, [...(waiting.get(r.scheduleId) ?? []), r.occurrence ?? '']);
        }
        return store.list().map((row) => editor.view(row, situation, firesHere, waiting.get(row.id) ?? []));
      }),
    get,
    async create(fields: ScheduleFields, createdBy: string) {
      const row = await editor.create(fields, createdBy);
      refresh(row.id);
      return get(row.id);
    },
    async update(id, fields) {
      const before = store.get(id);
      const l = live.get(id);
      if (l && started && !suspended && fields.rules && calendarChanged(before, { rules: fields.rules })) {
        // What the old calendar owed up to now is accounted for by its own rules before the new one starts.
        l.row = before;
        plan(l, nowDate(), 1);
      }
      await editor.update(id, fields);
      if (l && (fields.rules || fields.target || fields.sectionId || fields.runbookId || fields.params)) dropWaiting(l, `the schedule was changed by ${deps.operator()}`);
      refresh(id);
      return get(id);
    },
    pause(id, reason) {
      const why = reason?.trim() ? reason.trim() : `paused by ${deps.operator()}`;
      store.update(id, { paused: true, pauseReason: why });
      const l = live.get(id);
      if (l) dropWaiting(l, `the schedule was paused (${why})`);
      refresh(id);
      return get(id);
    },
    resume(id) {
      const row = store.get(id);
      if (row.paused) store.update(id, { paused: false, pauseReason: null, activeSince: nowDate().toISOString() });
      refresh(id);
      return get(id);
    },
    remove(id) {
      const l = live.get(id);
      if (l) dropWaiting(l, `the schedule was removed by ${deps.operator()}`);
      const removed = store.remove(id);
      live.delete(id);
      changed(id);
      arm();
      return { removed };
    },
    runNow(id) {
      const row = store.get(id);
      const s = situation(row);
      if (!s.section) throw new ContractError('conflict', s.reason ?? 'the section is gone');
      if (s.state === 'needs_approval') throw new ContractError('approval_required', s.reason ?? 'approve the changed steps first');
      const l = liveOf(row);
      l.overlap = { ...l.overlap, running: l.overlap.running + 1 };
      try {
        return { runId: launch(l, nowDate().toISOString(), false, true) ?? '' };
      } catch (error) {
        if (error instanceof ContractError) throw error;
        throw new ContractError('conflict', reasonOf(error));
      }
    },
    approve(id, dropWaiting) {
      const row = store.get(id);
      const s = situation(row);
      if (!s.section) throw new ContractError('conflict', s.reason ?? 'the section is gone');
      editor.approve(row, s.section, s.state === 'needs_approval');
      const waiting = store.unsettledOf(id).filter((r) => r.kind === 'waiting_approval');
      const l = liveOf(store.get(id));
      if (dropWaiting) {
        for (const w of waiting) record(l.row, 'failed_to_start', w.occurrence ?? '', { catchUp: true, reason: `not run: dropped by ${deps.operator()} when approving` });
      } else {
        for (const w of waiting) {
          store.append([{ ...w, kind: 'pending', reason: null }]);
          l.chain.push({ occurrence: new Date(w.occurrence ?? 0), notBefore: nowDate(), catchUp: true });
        }
      }
      refresh(id);
      if (started && !suspended) runChains(nowDate().getTime());
      return get(id);
    },
    agenda: (hours) => memo.during(() => editor.agenda(store.list().filter((r) => !r.paused && firesHere(r) && situation(r).state === 'active'), hours)),
    exportable: (id) => editor.exportable(store.get(id)),
    runbookChanged(runbookId) {
      for (const row of store.list()) if (row.runbookId === runbookId) refresh(row.id);
    },
    runsInterrupted(runIds) {
      for (const runId of runIds) {
        const r = store.byRun(runId);
        const detail = r ? deps.runDetail?.(runId) : null;
        if (!r || !detail) continue;
        try {
          notify(store.get(r.scheduleId), detail, r.manual ? null : r.occurrence);
        } catch (error) {
          deps.onError?.(error);
        }
      }
    },
    async start() {
      if (started || disposed) return;
      started = true;
      settleLeftovers();
      await editor.unseal(store.list()).catch((error: unknown) => deps.onError?.(error));
      if (disposed) return;
      for (const row of store.list()) liveOf(row);
      tick('replan');
      ticker = timers.setInterval(() => {
        const change = watch.check(WATCH_INTERVAL_MS);
        if (change.kind !== 'steady') replanAll();
      }, WATCH_INTERVAL_MS);
    },
    setSuspended(value) {
      suspended = value;
      if (!value) replanAll();
      else arm();
    },
    woke() {
      watch.check();
      if (started) replanAll();
    },
    dispose() {
      disposed = true;
      if (timer !== null) timers.clearTimeout(timer);
      if (ticker !== null) timers.clearInterval(ticker);
      // Runs in progress are the section runner's to stop; their ends are no longer followed here (see ended()).
      return Promise.resolve();
    },
  };
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]?.slice(0, 500) || 'the run could not start';
}
