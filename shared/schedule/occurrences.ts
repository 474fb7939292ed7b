/**
 * When a schedule fires: the occurrences of a calendar (5-field cron, 6-field cron with seconds first, or systemd
 * OnCalendar=) as real instants in the schedule's IANA zone. croner only matches wall-clock fields; the DST rules are
 * ours, because croner 10 alone moves a time lost to spring-forward by the gap (02:30 -> 03:30), and on elapsed
 * patterns returns one instant twice after spring-forward and drops the repeated hour after fall-back:
 *   - a fixed hour (no `*` or step in the hour field) that does not exist on a spring-forward day runs at the first
 *     valid instant after it (Vixie cron: 02:30 in New York runs at 03:00 EDT); one that occurs twice on a fall-back
 *     day runs once, at the first;
 *   - a wildcard or step hour runs on elapsed time: at every real instant whose wall clock matches (no gap, no
 *     doubling; both 01:30s of a fall-back night).
 * Every function is pure; pass `from`, never read the clock here. Ranges are (afterExclusive, untilInclusive], and
 * results are sorted and never repeat an instant. Invalid calendars throw InvalidCalendar (see calendarProblem).
 *
 * API: nextOccurrences, occurrencesBetween, previousOccurrences, countOccurrences (Dates); occurrenceCalculator(rules)
 * for the same on epoch ms, compiled once.
 */
import type { ScheduleRules } from '../model/schedule.js';
import { compileCalendar } from './calendar.js';
import type { CompiledCalendar } from './calendar.js';
import { segmentAt } from './zone.js';
import type { Segment } from './zone.js';

export { calendarProblem, InvalidCalendar } from './calendar.js';

/** What the occurrences depend on: the calendar and the zone it is read in. */
export type CalendarRules = Pick<ScheduleRules, 'calendar' | 'timezone'>;

/** No zone has ever been this far from UTC (today's extremes are -12 h and +14 h); only bounds a skip ahead. */
const MAX_ABS_OFFSET = 24 * 3600_000;

function instant(d: Date, name: string): number {
  const t = d.getTime();
  if (!Number.isFinite(t)) throw new RangeError(`${name} is not a valid date`);
  return t;
}

/**
 * The wall times that segment `seg` owns for this calendar, and how they map to instants. `gapFrom`, at a
 * spring-forward for a fixed-hour calendar: wall matches in [gapFrom, seg.start + offset] all run once, at seg.start.
 * `from`: the first wall time (inclusive) of the rest, each running at wall - offset.
 */
function wallRange(seg: Segment, cal: CompiledCalendar): { gapFrom: number | null; from: number } {
  if (!cal.fixedTime) return { gapFrom: null, from: seg.start + seg.offset };
  if (seg.offsetBefore < seg.offset) return { gapFrom: seg.start + seg.offsetBefore, from: seg.start + seg.offset + 1 };
  // At a fall-back, wall times before seg.start + offsetBefore already happened in the previous segment.
  return { gapFrom: null, from: seg.start + Math.max(seg.offset, seg.offsetBefore) };
}

function gapMatches(cal: CompiledCalendar, gapFrom: number, gapTo: number): boolean {
  const w = cal.nextWall(gapFrom - 1);
  return w !== null && w <= gapTo;
}

/** Appends occurrences in (after, until] to `out`, oldest first, until `limit` are held. */
function forward(cal: CompiledCalendar, after: number, until: number, limit: number, out: number[]): void {
  let lower = after;
  let seg = segmentAt(cal.zone, lower);
  // A pending skip over a long stretch with no match (a yearly or far-future calendar must not visit every segment).
  let skip: { from: number; to: number; found: number } | null = null;
  while (out.length < limit && seg.start <= until) {
    if (skip && seg.start >= skip.from && out.length === skip.found && skip.to > seg.start) {
      lower = Math.max(lower, skip.to - 1);
      seg = segmentAt(cal.zone, skip.to);
      skip = null;
      continue;
    }
    const o = seg.offset;
    const { gapFrom, from } = wallRange(seg, cal);
    if (gapFrom !== null && seg.start > lower && gapMatches(cal, gapFrom, seg.start + o)) out.push(seg.start);
    const hiWall = Math.min(seg.end - 1, until) + o;
    let w = Math.max(from - 1, lower + o);
    let beyond: number | null = null;
    while (out.length < limit) {
      const next = cal.nextWall(w);
      if (next === null) return;
      if (next > hiWall) {
        beyond = next;
        break;
      }
      out.push(next - o);
      w = next;
    }
    if (beyond === null || seg.end > until) return;
    // No wall time in (w, beyond) matches. A later instant t has wall t + offset(t): either <= w, which only a
    // fall-back within 2 * MAX_ABS_OFFSET of seg.end allows (those segments are walked), or >= beyond, so
    // t >= beyond - MAX_ABS_OFFSET. Past the first stretch, jump.
    if (skip === null || out.length !== skip.found) {
      skip = { from: seg.end + 2 * MAX_ABS_OFFSET, to: beyond - MAX_ABS_OFFSET, found: out.length };
    }
    seg = segmentAt(cal.zone, seg.end);
  }
}

/** Appends occurrences in (after, until] to `out`, newest first, until `limit` are held. */
function backward(cal: CompiledCalendar, after: number, until: number, limit: number, out: number[]): void {
  let seg = segmentAt(cal.zone, until);
  while (out.length < limit && seg.end - 1 > after) {
    const o = seg.offset;
    const { gapFrom, from } = wallRange(seg, cal);
    const loWall = Math.max(from - 1, after + o);
    let w = Math.min(seg.end - 1, until) + o + 1;
    while (out.length < limit) {
      const prev = cal.prevWall(w, loWall);
      if (prev === null) break;
      out.push(prev - o);
      w = prev;
    }
    if (out.length < limit && gapFrom !== null && seg.start > after && seg.start <= until && gapMatches(cal, gapFrom, seg.start + o)) {
      out.push(seg.start);
    }
    if (seg.start <= after) return;
    seg = segmentAt(cal.zone, seg.start - 1);
  }
}

function count(cal: CompiledCalendar, after: number, until: number): number {
  let n = 0;
  let seg = segmentAt(cal.zone, after);
  while (seg.start <= until) {
    const o = seg.offset;
    const { gapFrom, from } = wallRange(seg, cal);
    if (gapFrom !== null && seg.start > after && gapMatches(cal, gapFrom, seg.start + o)) n++;
    n += cal.countWall(Math.max(from - 1, after + o), Math.min(seg.end - 1, until) + o);
    if (seg.end > until) break;
    seg = segmentAt(cal.zone, seg.end);
  }
  return n;
}

/**
 * One calendar's occurrences on epoch milliseconds, compiled once: for callers that ask many questions of the same
 * schedule (the catch-up planner, the scheduler's timers) without a Date per answer.
 */
export interface OccurrenceCalculator {
  /** The first occurrence strictly after `t`, or null. */
  after(t: number): number | null;
  /** Occurrences in (afterExclusive, untilInclusive], oldest first, at most `limit`. */
  between(afterExclusive: number, untilInclusive: number, limit: number): number[];
  /** The newest `limit` occurrences in (afterExclusive, untilInclusive], newest first. */
  newest(untilInclusive: number, afterExclusive: number, limit: number): number[];
  /** How many occurrences lie in (afterExclusive, untilInclusive]. */
  count(afterExclusive: number, untilInclusive: number): number;
}

const calculators = new WeakMap<CompiledCalendar, OccurrenceCalculator>();

export function occurrenceCalculator(rules: CalendarRules): OccurrenceCalculator {
  const cal = compileCalendar(rules.calendar, rules.timezone);
  let calc = calculators.get(cal);
  if (!calc) {
    calc = calculatorOf(cal);
    calculators.set(cal, calc);
  }
  return calc;
}

function calculatorOf(cal: CompiledCalendar): OccurrenceCalculator {
  return {
    after(t) {
      const out: number[] = [];
      forward(cal, t, Number.MAX_SAFE_INTEGER, 1, out);
      return out[0] ?? null;
    },
    between(afterExclusive, untilInclusive, limit) {
      const out: number[] = [];
      forward(cal, afterExclusive, untilInclusive, Math.max(0, limit), out);
      return out;
    },
    newest(untilInclusive, afterExclusive, limit) {
      const out: number[] = [];
      backward(cal, afterExclusive, untilInclusive, Math.max(0, limit), out);
      return out;
    },
    count(afterExclusive, untilInclusive) {
      return count(cal, afterExclusive, untilInclusive);
    },
  };
}

/** The next `count` occurrences strictly after `from`. */
export function nextOccurrences(rules: CalendarRules, from: Date, count: number): Date[] {
  return occurrenceCalculator(rules).between(instant(from, 'from'), Number.MAX_SAFE_INTEGER, count).map((t) => new Date(t));
}

/** Occurrences in (afterExclusive, untilInclusive], oldest first, at most `limit` (the oldest ones). */
export function occurrencesBetween(rules: CalendarRules, afterExclusive: Date, untilInclusive: Date, limit: number): Date[] {
  return occurrenceCalculator(rules)
    .between(instant(afterExclusive, 'afterExclusive'), instant(untilInclusive, 'untilInclusive'), limit)
    .map((t) => new Date(t));
}

/** The newest `limit` occurrences in (afterExclusive, untilInclusive], newest first. */
export function previousOccurrences(rules: CalendarRules, untilInclusive: Date, afterExclusive: Date, limit: number): Date[] {
  return occurrenceCalculator(rules)
    .newest(instant(untilInclusive, 'untilInclusive'), instant(afterExclusive, 'afterExclusive'), limit)
    .map((t) => new Date(t));
}

/** How many occurrences lie in (afterExclusive, untilInclusive], computed without listing them. */
export function countOccurrences(rules: CalendarRules, afterExclusive: Date, untilInclusive: Date): number {
  return occurrenceCalculator(rules).count(instant(afterExclusive, 'afterExclusive'), instant(untilInclusive, 'untilInclusive'));
}
