/**
 * A schedule's calendar compiled for the planner: croner evaluates the pattern on wall-clock time (croner pinned to
 * UTC+0, so it never applies DST itself), and the planner maps wall times to instants in the schedule's zone with its
 * own DST rules (occurrences.ts). Counting is in closed form: a cron day's times are hours x minutes x seconds, so
 * counting a month of per-minute occurrences looks at days, not minutes.
 */
import { Cron, CronPattern } from 'croner';
import type { CronMode } from 'croner';
import type { Calendar } from '../model/schedule.js';
import { DayIndex } from './day-index.js';
import { readOnCalendar } from './oncalendar.js';
import { CRON_NICKNAMES } from '../runbook/schedule-cron.js';
import { isValidZone } from './zone.js';

const SECOND = 1000;
const DAY = 86_400 * SECOND;
/**
 * Compiled calendars (and croner patterns) kept for reuse; a planner sees one per schedule. Dropped all at once
 * beyond this. Trades recompiling against memory: croner keeps ~40 KB per pattern (a table of 10,000 years).
 */
const MAX_CACHED = 2048;
/**
 * How far the day index looks for the next matching day before asking croner, which searches by year. Trades index
 * blocks built for a sparse calendar (Feb 29, a year field) against croner calls for it.
 */
const DAY_SEARCH_DAYS = 400;

/**
 * Wall times are milliseconds since 1970 read as if the zone's wall clock were UTC: "2026-03-08 02:30" in New York is
 * Date.UTC(2026, 2, 8, 2, 30) whether or not that moment exists there.
 */
export interface CompiledCalendar {
  readonly zone: string;
  /** The hour is fixed (not `*` or a step): DST gaps move it to the first valid instant, repeats run once. */
  readonly fixedTime: boolean;
  /** First matching wall time strictly after `wall`, or null when there is none. */
  nextWall(wall: number): number | null;
  /**
   * Last matching wall time strictly before `wall` and strictly after `floorWall`, or null. The floor bounds the
   * search (croner 10's previousRuns throws on some calendars, e.g. Feb 29, so the planner never calls it).
   */
  prevWall(wall: number, floorWall: number): number | null;
  /** How many matching wall times lie in (afterExclusive, untilInclusive]. */
  countWall(afterExclusive: number, untilInclusive: number): number;
}

/** A calendar or zone the planner cannot use; the message says why, for the user. */
export class InvalidCalendar extends Error {}

interface Source {
  pattern: string;
  mode: CronMode;
  zone: string;
  fixedTime: boolean;
}

function source(calendar: Calendar, timezone: string): Source {
  if (calendar.kind === 'oncalendar') {
    const read = readOnCalendar(calendar.expr, isValidZone);
    if (!read.ok) throw new InvalidCalendar(read.reason);
    // A zone written in the expression is the one systemd would use, so it wins over the schedule's field.
    const zone = read.value.timezone ?? timezone;
    return { pattern: read.value.pattern, mode: read.value.mode, zone, fixedTime: !read.value.hourWildcard };
  }
  const text = calendar.expr.trim();
  const expanded = CRON_NICKNAMES[text.toLowerCase()] ?? text;
  const fields = expanded.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    throw new InvalidCalendar(`"${text}" is not cron: 5 fields (minute first), or 6 with seconds first`);
  }
  const hour = fields[fields.length === 5 ? 1 : 2] ?? '';
  return {
    pattern: fields.join(' '),
    mode: fields.length === 5 ? '5-part' : '6-part',
    zone: timezone,
    fixedTime: !(hour.includes('*') || hour.includes('/')),
  };
}

/** Sorted set of the values 0..n-1 that a croner field array marks, with prefix counts for closed-form counting. */
class FieldSet {
  readonly size: number;
  readonly min: number;
  readonly max: number;
  /** below[v]: how many members are < v (length n + 1). */
  private readonly below: Int32Array;
  /** nextAt[v]: smallest member >= v, or -1 (length n + 1). */
  private readonly nextAt: Int32Array;
  /** prevAt[v]: largest member <= v, or -1. */
  private readonly prevAt: Int32Array;

  constructor(marks: readonly number[], n: number) {
    this.below = new Int32Array(n + 1);
    this.nextAt = new Int32Array(n + 1).fill(-1);
    this.prevAt = new Int32Array(n).fill(-1);
    let count = 0;
    let last = -1;
    for (let v = 0; v < n; v++) {
      this.below[v] = count;
      if (marks[v]) {
        count++;
        last = v;
      }
      this.prevAt[v] = last;
    }
    this.below[n] = count;
    let next = -1;
    for (let v = n - 1; v >= 0; v--) {
      if (marks[v]) next = v;
      this.nextAt[v] = next;
    }
    this.size = count;
    this.min = this.nextAt[0] ?? -1;
    this.max = last;
  }

  has(v: number): boolean {
    return (this.below[v + 1] ?? 0) - (this.below[v] ?? 0) === 1;
  }
  countBelow(v: number): number {
    return this.below[v] ?? 0;
  }
  /** Smallest member >= v, or -1. */
  atOrAfter(v: number): number {
    return this.nextAt[v] ?? -1;
  }
  /** Largest member <= v, or -1. */
  atOrBefore(v: number): number {
    return v < 0 ? -1 : (this.prevAt[v] ?? -1);
  }
}

/**
 * A croner pattern on the wall clock, shared by every schedule and zone that uses it: croner keeps a 10,000-entry
 * year table per pattern, and the day index is worth sharing.
 */
class WallPattern {
  private readonly cron: Cron;
  private readonly h: FieldSet;
  private readonly m: FieldSet;
  private readonly s: FieldSet;
  private readonly perDay: number;
  private readonly firstTod: number;
  private readonly lastTod: number;
  private readonly everyDay: boolean;
  private readonly days: DayIndex;

  constructor(src: Pick<Source, 'pattern' | 'mode'>) {
    // utcOffset 0: croner computes on the wall clock and never applies a zone's DST (we do, in occurrences.ts).
    this.cron = new Cron(src.pattern, { paused: true, utcOffset: 0, mode: src.mode });
    const p = new CronPattern(src.pattern, undefined, { mode: src.mode });
    this.h = new FieldSet(p.hour, 24);
    this.m = new FieldSet(p.minute, 60);
    this.s = new FieldSet(p.second, 60);
    this.perDay = this.h.size * this.m.size * this.s.size;
    this.firstTod = (this.h.min * 3600 + this.m.min * 60 + this.s.min) * SECOND;
    this.lastTod = (this.h.max * 3600 + this.m.max * 60 + this.s.max) * SECOND;
    this.everyDay =
      p.starDOM && p.starDOW && p.starYear && p.month.every((v) => v === 1) &&
      !p.lastDayOfMonth && !p.lastWeekday && p.nearestWeekdays.every((v) => !v);
    // croner's own matcher decides each day (L, W, #, weekday AND/OR); the index only remembers its answers.
    this.days = new DayIndex((day) => this.cron.match(new Date(day * DAY + this.firstTod)));
    if (this.cron.nextRun(new Date(Date.UTC(1970, 0, 1))) === null) {
      throw new InvalidCalendar(`"${src.pattern}" never matches a real date`);
    }
  }

  private dayMatches(day: number): boolean {
    return this.everyDay || this.days.has(day);
  }

  /** Times of day (whole seconds) that match and are <= `sec`. */
  private todUpTo(sec: number): number {
    const hour = Math.floor(sec / 3600);
    const minute = Math.floor((sec % 3600) / 60);
    const second = sec % 60;
    let n = this.h.countBelow(hour) * this.m.size * this.s.size;
    if (this.h.has(hour)) {
      n += this.m.countBelow(minute) * this.s.size;
      if (this.m.has(minute)) n += this.s.countBelow(second + 1);
    }
    return n;
  }

  /** First matching second of the day strictly after `sec` (-1 for before midnight), or -1. */
  private todAfter(sec: number): number {
    const next = sec + 1;
    if (next >= 86_400) return -1;
    const hour = Math.floor(next / 3600);
    const minute = Math.floor((next % 3600) / 60);
    const second = next % 60;
    if (this.h.has(hour)) {
      if (this.m.has(minute)) {
        const s = this.s.atOrAfter(second);
        if (s >= 0) return hour * 3600 + minute * 60 + s;
      }
      const m = this.m.atOrAfter(minute + 1);
      if (m >= 0) return hour * 3600 + m * 60 + this.s.min;
    }
    const h = this.h.atOrAfter(hour + 1);
    return h >= 0 ? h * 3600 + this.m.min * 60 + this.s.min : -1;
  }

  /** Last matching second of the day strictly before `sec`, or -1. */
  private todBefore(sec: number): number {
    const prev = sec - 1;
    if (prev < 0) return -1;
    const hour = Math.floor(prev / 3600);
    const minute = Math.floor((prev % 3600) / 60);
    const second = prev % 60;
    if (this.h.has(hour)) {
      if (this.m.has(minute)) {
        const s = this.s.atOrBefore(second);
        if (s >= 0) return hour * 3600 + minute * 60 + s;
      }
      const m = this.m.atOrBefore(minute - 1);
      if (m >= 0) return hour * 3600 + m * 60 + this.s.max;
    }
    const h = this.h.atOrBefore(hour - 1);
    return h >= 0 ? h * 3600 + this.m.max * 60 + this.s.max : -1;
  }

  nextWall(wall: number): number | null {
    // Within the same matching day the next time follows from the fields alone; croner only to change days.
    const day = Math.floor(wall / DAY);
    const sec = Math.floor((wall - day * DAY) / SECOND);
    const tod = this.todAfter(sec);
    if (tod >= 0 && this.dayMatches(day)) return day * DAY + tod * SECOND;
    const nextDay = this.everyDay ? day + 1 : this.days.nextAfter(day, DAY_SEARCH_DAYS);
    if (nextDay !== null) return nextDay * DAY + this.firstTod;
    // Far ahead (a calendar for one future year): croner's forward search skips whole years.
    const next = this.cron.nextRun(new Date(wall));
    return next === null ? null : next.getTime();
  }

  prevWall(wall: number, floorWall: number): number | null {
    const ceil = Math.ceil(wall / SECOND) * SECOND;
    const day = Math.floor(ceil / DAY);
    const tod = this.todBefore(Math.floor((ceil - day * DAY) / SECOND));
    let found: number | null = null;
    if (tod >= 0 && this.dayMatches(day)) found = day * DAY + tod * SECOND;
    else {
      const prevDay = this.everyDay ? day - 1 : this.days.prevBefore(day, day - Math.floor(floorWall / DAY));
      if (prevDay !== null) found = prevDay * DAY + this.lastTod;
    }
    return found !== null && found > floorWall ? found : null;
  }

  countWall(afterExclusive: number, untilInclusive: number): number {
    if (untilInclusive <= afterExclusive) return 0;
    const da = Math.floor(afterExclusive / DAY);
    const db = Math.floor(untilInclusive / DAY);
    const upTo = (t: number, day: number): number => this.todUpTo(Math.floor((t - day * DAY) / SECOND));
    if (da === db) return this.dayMatches(da) ? upTo(untilInclusive, db) - upTo(afterExclusive, da) : 0;
    let n = 0;
    if (this.dayMatches(da)) n += this.perDay - upTo(afterExclusive, da);
    if (this.dayMatches(db)) n += upTo(untilInclusive, db);
    if (this.everyDay) return n + (db - da - 1) * this.perDay;
    return db - da > 1 ? n + this.days.countBetween(da + 1, db - 1) * this.perDay : n;
  }
}

class Compiled implements CompiledCalendar {
  constructor(
    readonly zone: string,
    readonly fixedTime: boolean,
    private readonly wall: WallPattern,
  ) {}
  nextWall(wall: number): number | null {
    return this.wall.nextWall(wall);
  }
  prevWall(wall: number, floorWall: number): number | null {
    return this.wall.prevWall(wall, floorWall);
  }
  countWall(afterExclusive: number, untilInclusive: number): number {
    return this.wall.countWall(afterExclusive, untilInclusive);
  }
}

const cache = new Map<string, Compiled>();
const patterns = new Map<string, WallPattern>();

/** Compiles (or reuses) a calendar in a zone; throws InvalidCalendar with a reason for the user. */
export function compileCalendar(calendar: Calendar, timezone: string): CompiledCalendar {
  const key = `${calendar.kind}\u0000${calendar.expr}\u0000${timezone}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const src = source(calendar, timezone);
  if (!isValidZone(src.zone)) throw new InvalidCalendar(`unknown time zone "${src.zone}"`);
  const patternKey = `${src.mode}\u0000${src.pattern}`;
  let wall = patterns.get(patternKey);
  if (!wall) {
    try {
      wall = new WallPattern(src);
    } catch (error) {
      if (error instanceof InvalidCalendar) throw error;
      throw new InvalidCalendar(`croner rejects "${src.pattern}": ${error instanceof Error ? error.message : String(error)}`);
    }
    if (patterns.size >= MAX_CACHED) patterns.clear();
    patterns.set(patternKey, wall);
  }
  const compiled = new Compiled(src.zone, src.fixedTime, wall);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, compiled);
  return compiled;
}

/** Why a calendar cannot be planned, or null when it can: for validating a schedule before saving it. */
export function calendarProblem(calendar: Calendar, timezone: string): string | null {
  try {
    compileCalendar(calendar, timezone);
    return null;
  } catch (error) {
    if (error instanceof InvalidCalendar) return error.message;
    throw error;
  }
}
