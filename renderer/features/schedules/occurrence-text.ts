/**
 * An occurrence as the Schedules page shows it: the wall clock in the schedule's zone, the zone's abbreviation when
 * it has a real one (EST, EDT, CET), and the UTC offset, so the two 01:30s of a fall-back night read differently.
 */
import { localTime } from '../../../shared/schedule/local-time.js';

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export interface OccurrenceText {
  /** `Mon 2026-01-05 09:00` (seconds only when they are not :00). */
  local: string;
  /** `EST`, or null where Intl only knows `GMT+1`-style names (the offset says it better). */
  abbreviation: string | null;
  /** `UTC-05:00`. */
  offset: string;
  /** Everything in one line, for titles and tests: `Mon 2026-01-05 09:00 EST (UTC-05:00)`. */
  full: string;
  /** For tight places: `Mon 2026-01-05 09:00 EST`, or the offset where the zone has no name. */
  short: string;
}

const abbreviations = new Map<string, Intl.DateTimeFormat>();

function abbreviation(instant: Date, zone: string): string | null {
  let format = abbreviations.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'short' });
    abbreviations.set(zone, format);
  }
  const name = format.formatToParts(instant).find((part) => part.type === 'timeZoneName')?.value ?? '';
  return /^[A-Z]{2,5}$/.test(name) && name !== 'GMT' && name !== 'UTC' ? name : null;
}

/** The text of one instant in a zone; an unknown zone falls back to the ISO instant rather than throwing. */
export function occurrenceText(iso: string, zone: string): OccurrenceText {
  const instant = new Date(iso);
  let wall: ReturnType<typeof localTime>;
  try {
    wall = localTime(instant, zone);
  } catch {
    return { local: iso, abbreviation: null, offset: '', full: iso, short: iso };
  }
  const [date = '', time = ''] = wall.local.split(' ');
  const [y, m, d] = date.split('-').map(Number);
  const weekday = WEEKDAYS[new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 1)).getUTCDay()] ?? '';
  const clock = time.endsWith(':00') ? time.slice(0, 5) : time;
  const local = `${weekday} ${date} ${clock}`;
  const abbr = abbreviation(instant, zone);
  const offset = `UTC${wall.utcOffset}`;
  return { local, abbreviation: abbr, offset, full: `${local}${abbr ? ` ${abbr}` : ''} (${offset})`, short: `${local} ${abbr ?? offset}` };
}

/** How far away an instant is, for the agenda: `in 5 min`, `in 3 h 20 min`, `now`. */
export function untilText(iso: string, now: number): string {
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  if (Number.isNaN(minutes)) return '';
  if (minutes <= 0) return 'now';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `in ${hours} h` : `in ${hours} h ${rest} min`;
}
