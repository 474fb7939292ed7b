/**
 * The planner's reader of systemd `OnCalendar=` expressions, to a croner pattern with seconds (and a year field when
 * one is given). The importer's translator (shared/runbook/schedule-oncalendar.ts) must end in 5-field cron and so
 * refuses seconds and years; the planner needs neither limit. It accepts what `systemd-analyze calendar` accepts
 * for the forms runbooks use, and refuses the rest with a reason, never guessing.
 */
import { systemdWeekday } from '../runbook/schedule-oncalendar.js';

export interface OnCalendarPattern {
  /** croner pattern: 6 fields (seconds first) or 7 (a year last). */
  pattern: string;
  mode: '6-part' | '7-part';
  /** The zone named at the end of the expression, or null. */
  timezone: string | null;
  /** The hour is `*` or a step: such a calendar runs on elapsed time across DST changes. */
  hourWildcard: boolean;
}

export type OnCalendarResult = { ok: true; value: OnCalendarPattern } | { ok: false; reason: string };

const SHORTHANDS: Readonly<Record<string, string>> = {
  minutely: '*-*-* *:*:00',
  hourly: '*-*-* *:00:00',
  daily: '*-*-* 00:00:00',
  weekly: 'Mon *-*-* 00:00:00',
  monthly: '*-*-01 00:00:00',
  yearly: '*-01-01 00:00:00',
  annually: '*-01-01 00:00:00',
  quarterly: '*-01,04,07,10-01 00:00:00',
  semiannually: '*-01,07-01 00:00:00',
};

class Refused extends Error {}

/** "Mon,Wed..Fri" -> "1,3-5" (systemd counts Monday first; cron's Sunday is 0, or 7 as a range end). */
function weekdays(token: string): string | null {
  const items: string[] = [];
  for (const item of token.split(',')) {
    const range = item.split(/\.\.|-/);
    const from = systemdWeekday(range[0] ?? '');
    const to = range.length === 2 ? systemdWeekday(range[1] ?? '') : from;
    if (range.length > 2 || from === null || to === null || from > to) return null;
    items.push(from === to ? String(from % 7) : `${from}-${to}`);
  }
  return items.join(',');
}

/** One component (*, N, A..B, N/S, A..B/S, comma lists) -> a croner field; null when it is not one. */
function component(text: string, min: number, max: number, digits: number): string | null {
  if (text === '*') return '*';
  const items: string[] = [];
  const number = `(\\d{1,${digits}})`;
  const grammar = new RegExp(`^${number}(?:\\.\\.${number})?(?:/(\\d{1,4}))?$`);
  for (const item of text.split(',')) {
    const match = grammar.exec(item);
    if (!match) return null;
    const from = Number(match[1]);
    const to = match[2] === undefined ? null : Number(match[2]);
    const step = match[3] === undefined ? null : Number(match[3]);
    if (from < min || from > max || (to !== null && (to < from || to > max)) || step === 0) return null;
    if (step === null) items.push(to === null ? String(from) : `${from}-${to}`);
    // systemd's N/S is N, N+S, ... up to the maximum; croner wants a range before a step.
    else items.push(`${from}-${to ?? max}/${step}`);
  }
  return items.join(',');
}

interface DatePart {
  year: string;
  month: string;
  day: string;
}

function date(token: string): DatePart | null {
  const match = /^(?:([^~-]+)-)?([^~-]+)([-~])([^~-]+)$/.exec(token);
  if (!match) return null;
  const [, yearPart = '*', monthPart = '', separator, dayPart = ''] = match;
  const year = component(yearPart, 1970, 9999, 4);
  const month = component(monthPart, 1, 12, 2);
  if (year === null || month === null) return null;
  if (separator === '~') {
    if (!/^\d{1,2}$/.test(dayPart)) return null;
    if (Number(dayPart) !== 1) throw new Refused(`"~${dayPart}" (days before the month's end) is not supported; only ~01, the last day, is`);
    return { year, month, day: 'L' };
  }
  const day = component(dayPart, 1, 31, 2);
  return day === null ? null : { year, month, day };
}

interface TimePart {
  hour: string;
  minute: string;
  second: string;
  hourWildcard: boolean;
}

function time(token: string): TimePart | null {
  const parts = token.split(':');
  if (parts.length < 2 || parts.length > 3) return null;
  const [hourPart = '', minutePart = '', secondText = '00'] = parts;
  let secondPart = secondText;
  const fraction = /^(.*)\.(\d+)$/.exec(secondText);
  if (fraction) {
    if (!/^0+$/.test(fraction[2] ?? '')) throw new Refused(`fractions of a second ("${secondText}") are not supported`);
    secondPart = fraction[1] ?? '';
  }
  const hour = component(hourPart, 0, 23, 2);
  const minute = component(minutePart, 0, 59, 2);
  const second = component(secondPart, 0, 59, 2);
  if (hour === null || minute === null || second === null) return null;
  return { hour, minute, second, hourWildcard: hourPart === '*' || hourPart.includes('/') };
}

/**
 * Reads one OnCalendar= expression. `isZone` decides whether a last word is a time zone (injected so this module
 * needs no zone table of its own).
 */
export function readOnCalendar(value: string, isZone: (name: string) => boolean): OnCalendarResult {
  const original = value.trim();
  const notUnderstood: OnCalendarResult = { ok: false, reason: `not an OnCalendar expression I understand: "${original}"` };
  let tokens = original === '' ? [] : original.split(/\s+/);
  let timezone: string | null = null;
  const last = tokens[tokens.length - 1];
  if (tokens.length > 1 && last !== undefined && /^[A-Za-z][A-Za-z0-9_+/-]*$/.test(last) && weekdays(last) === null) {
    if (!isZone(last)) return { ok: false, reason: `unknown time zone "${last}"` };
    timezone = last;
    tokens = tokens.slice(0, -1);
  }
  const first = tokens[0];
  if (first === undefined) return notUnderstood;
  const shorthand = SHORTHANDS[first.toLowerCase()];
  if (shorthand !== undefined) {
    if (tokens.length !== 1) return notUnderstood;
    tokens = shorthand.split(' ');
  }
  try {
    let index = 0;
    let dow: string | null = null;
    let datePart: DatePart | null = null;
    let timePart: TimePart | null = null;
    const at = (): string => tokens[index] ?? '';
    if (index < tokens.length && /^[A-Za-z]/.test(at())) {
      dow = weekdays(at());
      if (dow === null) return notUnderstood;
      index++;
    }
    if (index < tokens.length && !at().includes(':')) {
      datePart = date(at());
      if (datePart === null) return notUnderstood;
      index++;
    }
    if (index < tokens.length) {
      timePart = time(at());
      if (timePart === null) return notUnderstood;
      index++;
    }
    if (index !== tokens.length || (dow === null && datePart === null && timePart === null)) return notUnderstood;
    const day = datePart?.day ?? '*';
    // systemd requires the weekday AND the date to match; croner ORs a restricted day with a restricted weekday
    // unless the weekday field starts with "+".
    const dowField = dow === null ? '*' : day === '*' ? dow : `+${dow}`;
    const t = timePart ?? { hour: '0', minute: '0', second: '0', hourWildcard: false };
    const fields = [t.second, t.minute, t.hour, day, datePart?.month ?? '*', dowField];
    const year = datePart?.year ?? '*';
    const mode = year === '*' ? '6-part' : '7-part';
    if (mode === '7-part') fields.push(year);
    return { ok: true, value: { pattern: fields.join(' '), mode, timezone, hourWildcard: t.hourWildcard } };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message };
    throw error;
  }
}
