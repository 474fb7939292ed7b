/**
 * UTC offsets of an IANA zone and the instants they change, read from Intl (the only zone database shared/ has) and
 * cached per zone and UTC year, so the planner asks Intl about a hundred times per zone-year instead of once per
 * occurrence. The planner walks time in segments of constant offset; DST rules are applied at segment starts.
 */

const SECOND = 1000;
const DAY = 86_400 * SECOND;
/**
 * Offsets are probed this far apart and changes found by bisection. Trades Intl calls (~4 us each) against two
 * changes closer than this being missed when they cancel out; no zone in today's tzdata changes twice within a week.
 */
const PROBE_STEP = 7 * DAY;
/** Zone-years whose tables are kept; beyond this all are dropped (a planner sees a few dozen zones, not thousands). */
const MAX_CACHED_YEARS = 4096;

/** A span of real time with one UTC offset: instants in [start, end). Offsets are wall minus UTC, in ms. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  /**
   * The offset just before `start`: equal to `offset` when `start` is only a cache boundary, smaller at a
   * spring-forward (wall times in [start + offsetBefore, start + offset) do not exist), larger at a fall-back (wall
   * times in [start + offset, start + offsetBefore) happen a second time).
   */
  readonly offsetBefore: number;
}

interface Transition {
  at: number;
  before: number;
  after: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
interface YearTable {
  start: number;
  end: number;
  /** The year cut at each offset change, in order; the first starts at `start`, the last ends at `end`. */
  segments: Segment[];
}

/** Per zone: tables by UTC year, and the segment found last (most lookups fall in it again). */
interface ZoneCache {
  years: Map<number, YearTable>;
  last: Segment | null;
  lastYear: YearTable | null;
}
const zones = new Map<string, ZoneCache>();
let cachedYears = 0;

export function isValidZone(zone: string): boolean {
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset (wall clock minus UTC, ms, a whole number of seconds) at instant `t`. */
export function offsetAt(zone: string, t: number): number {
  const whole = Math.floor(t / SECOND) * SECOND;
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const part of formatter(zone).formatToParts(whole)) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      default: break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return wall.getTime() - whole;
}

function utcYearStart(year: number): number {
  if (year >= 100) return Date.UTC(year, 0, 1);
  const d = new Date(0);
  d.setUTCFullYear(year, 0, 1);
  return d.getTime();
}

function zoneCache(zone: string): ZoneCache {
  let z = zones.get(zone);
  if (!z) {
    z = { years: new Map(), last: null, lastYear: null };
    zones.set(zone, z);
  }
  return z;
}

/** Offset changes in [start of UTC year, start of next), each at the first whole second with the new offset. */
function transitionsOf(zone: string, year: number): YearTable {
  const cached = zoneCache(zone).years.get(year);
  if (cached) return cached;
  const start = utcYearStart(year);
  const end = utcYearStart(year + 1);
  const found: Transition[] = [];
  // Probing whole seconds just before each point means a change at exactly `start` is inside this year.
  let lo = start - SECOND;
  let loOffset = offsetAt(zone, lo);
  const startOffset = offsetAt(zone, start);
  while (lo < end - SECOND) {
    const hi = Math.min(lo + PROBE_STEP, end - SECOND);
    const hiOffset = offsetAt(zone, hi);
    if (hiOffset !== loOffset) {
      let a = lo;
      let b = hi;
      while (b - a > SECOND) {
        const mid = a + Math.floor((b - a) / (2 * SECOND)) * SECOND;
        if (offsetAt(zone, mid) === loOffset) a = mid;
        else b = mid;
      }
      found.push({ at: b, before: loOffset, after: offsetAt(zone, b) });
      // Look again from the change: a second change in the same probe step would otherwise be lost.
      lo = b;
      loOffset = offsetAt(zone, b);
      continue;
    }
    lo = hi;
    loOffset = hiOffset;
  }
  if (cachedYears >= MAX_CACHED_YEARS) {
    zones.clear();
    cachedYears = 0;
  }
  const segments: Segment[] = [];
  let from = start;
  let offset = startOffset;
  let before = startOffset;
  for (const tr of found) {
    if (tr.at > from) segments.push({ start: from, end: tr.at, offset, offsetBefore: before });
    from = tr.at;
    offset = tr.after;
    before = tr.before;
  }
  segments.push({ start: from, end, offset, offsetBefore: before });
  const table = { start, end, segments };
  zoneCache(zone).years.set(year, table);
  cachedYears++;
  return table;
}

/** The segment of constant offset that contains instant `t`; it never spans a UTC new year (a cache boundary). */
export function segmentAt(zone: string, t: number): Segment {
  const z = zoneCache(zone);
  const last = z.last;
  if (last && t >= last.start && t < last.end) return last;
  let table = z.lastYear;
  if (!table || t < table.start || t >= table.end) {
    table = transitionsOf(zone, new Date(t).getUTCFullYear());
    z.lastYear = table;
  }
  const segs = table.segments;
  let lo = 0;
  let hi = segs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((segs[mid]?.start ?? Infinity) <= t) lo = mid;
    else hi = mid - 1;
  }
  const seg = segs[lo] as Segment; // lo is within a non-empty list: every year has at least one segment
  z.last = seg;
  return seg;
}
