/**
 * Where an exported schedule and Opsdeck part ways at DST changes: systemd skips a wall time the clocks jump over
 * (Opsdeck runs it at the first valid instant after), and runs a repeated hour once (Opsdeck runs a wildcard or
 * step hour on elapsed time, so in both passes). Found by scanning the zone's next year of transitions, so the
 * export can say so for the dates it will happen on.
 */
import type { CalendarFields } from './export-calendar.js';
import { matchesWallMinute } from './export-calendar.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** How far ahead the export looks for DST changes: one year shows every rule a zone has (twice a year at most). */
const HORIZON_DAYS = 366;

export interface DstConflict {
  kind: 'gap' | 'repeat';
  /** The local date (YYYY-MM-DD) and wall times (HH:MM) concerned. */
  date: string;
  times: string[];
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(zone: string, at: number): number {
  let format = formatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(at / 1000) * 1000;
}

const wallDate = (wall: number): string => new Date(wall).toISOString().slice(0, 10);
const wallTime = (wall: number): string => new Date(wall).toISOString().slice(11, 16);

/** The DST changes of the next year at which the calendar has a wall time systemd treats unlike Opsdeck. */
export function dstConflicts(fields: CalendarFields, zone: string, from: Date): DstConflict[] {
  const conflicts: DstConflict[] = [];
  const start = Math.floor(from.getTime() / MINUTE) * MINUTE;
  for (let day = 0; day < HORIZON_DAYS; day++) {
    let lo = start + day * DAY;
    let hi = lo + DAY;
    const before = offsetAt(zone, lo);
    const after = offsetAt(zone, hi);
    if (before === after) continue;
    // Bisect to the minute of the change: transitions fall on whole minutes in every zone in use today.
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (offsetAt(zone, mid) === before) lo = mid;
      else hi = mid;
    }
    const change = hi;
    const [first, last] = after > before ? [change + before, change + after] : [change + after, change + before];
    // A fixed hour in a gap runs at the gap's end for Opsdeck, not at all for systemd; a wildcard or step hour runs
    // on elapsed time, which skips the gap as systemd does but runs a repeated hour twice where systemd runs it once.
    if (after > before ? !fields.elapsedHours : fields.elapsedHours) {
      const times: string[] = [];
      for (let wall = first; wall < last; wall += MINUTE) {
        const d = new Date(wall);
        if (matchesWallMinute(fields, d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes())) times.push(wallTime(wall));
      }
      if (times.length > 0) conflicts.push({ kind: after > before ? 'gap' : 'repeat', date: wallDate(first), times });
    }
  }
  return conflicts;
}

/** "02:30" or "02:00, 02:15 and 2 more". */
export function timesList(times: readonly string[]): string {
  return times.length <= 3 ? times.join(', ') : `${times.slice(0, 2).join(', ')} and ${times.length - 2} more`;
}
