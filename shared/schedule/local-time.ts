/**
 * An occurrence as people read it: the wall clock in the schedule's zone with its UTC offset, so `schedule next` and
 * the Schedules page show "2026-11-01 01:30:00 -05:00" and the two 01:30s of a fall-back night are told apart.
 *
 * API: localTime(instant, zone) -> { local, utcOffset, iso }.
 */
import { offsetAt } from './zone.js';

export interface LocalTime {
  /** "YYYY-MM-DD HH:MM:SS" on the zone's wall clock. */
  local: string;
  /** "+HH:MM" or "-HH:MM" ("+00:00" for UTC); seconds too in the rare zone whose offset has them. */
  utcOffset: string;
  /** ISO 8601 with that offset: "2026-11-01T01:30:00-05:00". */
  iso: string;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

export function localTime(instant: Date, zone: string): LocalTime {
  const t = Math.floor(instant.getTime() / 1000) * 1000;
  const offset = offsetAt(zone, t);
  const wall = new Date(t + offset);
  const local = `${pad(wall.getUTCFullYear(), 4)}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())} ` +
    `${pad(wall.getUTCHours())}:${pad(wall.getUTCMinutes())}:${pad(wall.getUTCSeconds())}`;
  const abs = Math.abs(offset) / 1000;
  const seconds = abs % 60;
  const utcOffset = `${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 3600))}:${pad(Math.floor((abs % 3600) / 60))}${seconds ? `:${pad(seconds)}` : ''}`;
  return { local, utcOffset, iso: `${local.replace(' ', 'T')}${utcOffset}` };
}
