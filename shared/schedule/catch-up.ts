/**
 * The scheduler's planner: given a schedule, the newest occurrence already recorded and now, what to run, what to
 * record as missed, and when to wake next. The owner calls it when a schedule's timer fires, after a wake or a clock
 * jump (clock.ts), and at start-up; it works from the last occurrence recorded, never from "now minus something", so
 * a clock set back never fires an occurrence twice and a restart never loses or repeats one.
 *
 * Occurrences in (lastHandled, now] are split, oldest first, into:
 *   - missedBeyondWindow: older than the catch-up window (default one period of the calendar, at most 7 days);
 *   - missed: in the window but not run by the catch-up policy (`skip`: all; `latest`: all but the newest;
 *     `all`: all but the newest MAX_CATCH_UP_RUNS);
 *   - runs: the catch-ups to start, oldest first, plus the newest occurrence when it is on time (within
 *     ON_TIME_TOLERANCE_MS plus the schedule's jitter), which runs whatever the policy.
 * Each summary is one record (first, last, count), counted in closed form: 30 days of a per-minute schedule are not
 * listed. The owner records, in one transaction, the summaries, one pending record per planned run and
 * handledThrough as the new lastHandled; then arms a timer for nextFireAt, and turns each pending record into its
 * outcome (outcome.ts) when it starts the run or cannot. A pending record found at start-up (the owner stopped in
 * between) becomes failed_to_start with that reason, so no occurrence is recorded twice or lost.
 * Planning is synchronous (~20 us a schedule when warm): plan a thousand schedules in slices, yielding between.
 * Catch-ups start at notBefore (the wake's stagger, stable per schedule) one after another: each when the previous
 * ends. Jitter applies to on-time runs only; catch-ups are already late and the stagger spreads them.
 *
 * API: planCatchUp(input) -> CatchUpPlan; ON_TIME_TOLERANCE_MS.
 */
import { MAX_CATCH_UP_RUNS, MAX_CATCH_UP_WINDOW_SEC } from '../model/schedule.js';
import type { ScheduleRules } from '../model/schedule.js';
import { jitterMs, staggerMs } from './jitter.js';
import { occurrenceCalculator } from './occurrences.js';

/**
 * An occurrence found at most this late (plus the schedule's jitter) is on time, not a catch-up. Trades treating a
 * short stall (a busy loop, a suspended process for seconds) as on time against calling a late run on time; systemd's
 * default timer accuracy is the same minute.
 */
export const ON_TIME_TOLERANCE_MS = 60_000;

const MAX_WINDOW_MS = MAX_CATCH_UP_WINDOW_SEC * 1000;

export interface CatchUpInput {
  /** The schedule's id: its jitter and stagger derive from it. */
  scheduleId: string;
  rules: ScheduleRules;
  /**
   * The newest occurrence already recorded, whatever its outcome; for a schedule with none yet, when it was created
   * (or resumed: occurrences while paused are not misses).
   */
  lastHandled: Date;
  /** The wall clock now (injected: the planner never reads a clock). */
  now: Date;
}

export interface PlannedRun {
  occurrence: Date;
  /** Start no earlier than this: occurrence + jitter when on time; the wake's stagger for catch-ups. */
  notBefore: Date;
  /** Run after a wake or downtime, not on time: a schedule with destructive or fan-out steps waits for approval. */
  catchUp: boolean;
}

export interface MissSummary {
  first: Date;
  last: Date;
  count: number;
}

export interface CatchUpPlan {
  /** Oldest first: the catch-ups, then the on-time occurrence if there is one. */
  runs: PlannedRun[];
  missed: MissSummary | null;
  missedBeyondWindow: MissSummary | null;
  /** The newest occurrence this plan accounts for (>= lastHandled): store it as the new lastHandled. */
  handledThrough: Date;
  /** The first occurrence after everything handled, or null when the calendar has no more. */
  next: Date | null;
  /** When to wake for `next`: next + the schedule's jitter. */
  nextFireAt: Date | null;
  /** The catch-up window this plan used, ms. */
  windowMs: number;
}

function windowFor(rules: ScheduleRules, periodMs: number | null): number {
  if (rules.catchUpWindowSec !== null) return Math.min(rules.catchUpWindowSec * 1000, MAX_WINDOW_MS);
  return periodMs === null ? MAX_WINDOW_MS : Math.min(periodMs, MAX_WINDOW_MS);
}

export function planCatchUp(input: CatchUpInput): CatchUpPlan {
  const { rules, scheduleId } = input;
  const last = input.lastHandled.getTime();
  const now = input.now.getTime();
  if (!Number.isFinite(last) || !Number.isFinite(now)) throw new RangeError('lastHandled and now must be valid dates');
  const occ = occurrenceCalculator(rules);
  const jitter = jitterMs(scheduleId, rules.jitterSec);
  const date = (t: number | null): Date | null => (t === null ? null : new Date(t));

  // A clock set back (now < lastHandled) finds nothing here: the next occurrence is the first after lastHandled.
  const newest = now > last ? occ.newest(now, last, 1)[0] : undefined;
  const next = occ.after(Math.max(now, last));
  const nextFireAt = date(next === null ? null : next + jitter);
  if (newest === undefined) {
    const following = next === null ? null : occ.after(next);
    const period = next !== null && following !== null ? following - next : null;
    return { runs: [], missed: null, missedBeyondWindow: null, handledThrough: input.lastHandled, next: date(next), nextFireAt, windowMs: windowFor(rules, period) };
  }

  // One period: from the newest occurrence to the next, so the default window always holds the newest miss.
  const windowMs = windowFor(rules, next === null ? null : next - newest);
  const onTime = now - newest <= ON_TIME_TOLERANCE_MS + jitter;
  const missedUntil = onTime ? newest - 1 : now;
  const windowAfter = now - windowMs - 1; // in the window: occurrences at or after now - windowMs

  const summary = (after: number, until: number): MissSummary | null => {
    const count = until > after ? occ.count(after, until) : 0;
    if (count === 0) return null;
    const first = occ.after(after);
    const lastMiss = occ.newest(until, after, 1)[0];
    return first !== null && lastMiss !== undefined ? { first: new Date(first), last: new Date(lastMiss), count } : null;
  };

  const missedBeyondWindow = summary(last, Math.min(missedUntil, windowAfter));
  const inAfter = Math.max(last, windowAfter);
  const toRun = (() => {
    switch (rules.catchUp) {
      case 'skip': return 0;
      case 'latest': return onTime ? 0 : 1;
      case 'all': return MAX_CATCH_UP_RUNS;
      default: return assertNever(rules.catchUp);
    }
  })();
  const catchUps = toRun > 0 && missedUntil > inAfter ? occ.newest(missedUntil, inAfter, toRun).reverse() : [];
  const missed = summary(inAfter, (catchUps[0] ?? missedUntil + 1) - 1);

  const startAt = new Date(now + staggerMs(scheduleId));
  const runs: PlannedRun[] = catchUps.map((t) => ({ occurrence: new Date(t), notBefore: new Date(startAt), catchUp: true }));
  if (onTime) runs.push({ occurrence: new Date(newest), notBefore: new Date(newest + jitter), catchUp: false });
  return { runs, missed, missedBeyondWindow, handledThrough: new Date(newest), next: date(next), nextFireAt, windowMs };
}

function assertNever(value: never): never {
  throw new Error(`unexpected catch-up policy: ${String(value)}`);
}
