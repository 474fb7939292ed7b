/**
 * systemd OnCalendar= values ("Mon..Fri *-*-* 09:00 Europe/Berlin", "weekly") translated to 5-field cron, refusing
 * with a reason what cron cannot say (specific years, seconds, days before the month's end).
 */
import { derivation, isValidZone, Unsupported, verified } from './schedule-cron.js';
import type { CronDerivation } from './schedule-cron.js';

const ONCALENDAR_SHORTHANDS: Readonly<Record<string, string>> = {
  minutely: '* * * * *',
  hourly: '0 * * * *',
  daily: '0 0 * * *',
  weekly: '0 0 * * 1',
  monthly: '0 0 1 * *',
  yearly: '0 0 1 1 *',
  annually: '0 0 1 1 *',
  quarterly: '0 0 1 1,4,7,10 *',
  semiannually: '0 0 1 1,7 *',
};

/** systemd's weekday order: Monday first, so ranges run Mon..Sun and Sunday is 7. */
const SYSTEMD_WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const SYSTEMD_WEEKDAY_LONG = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

/** A systemd weekday name (`mon`, `Monday`, any case) as 1 (Monday) .. 7 (Sunday); null when it is none. */
export function systemdWeekday(name: string): number | null {
  const lower = name.toLowerCase();
  const short = SYSTEMD_WEEKDAYS.indexOf(lower as (typeof SYSTEMD_WEEKDAYS)[number]);
  const long = SYSTEMD_WEEKDAY_LONG.indexOf(lower as (typeof SYSTEMD_WEEKDAY_LONG)[number]);
  const index = short >= 0 ? short : long;
  return index < 0 ? null : index + 1;
}

/** "Mon,Wed..Fri" -> "1,3-5"; null when it is not a weekday spec. Sunday alone is 0, as a range end 7. */
function systemdWeekdaysToCron(token: string): string | null {
  const items: string[] = [];
  for (const item of token.split(',')) {
    const range = item.split(/\.\.|-/);
    if (range.length === 1) {
      const day = systemdWeekday(item);
      if (day === null) return null;
      items.push(String(day % 7));
    } else if (range.length === 2) {
      const from = systemdWeekday(range[0] ?? '');
      const to = systemdWeekday(range[1] ?? '');
      if (from === null || to === null || from > to) return null;
      items.push(from === to ? String(from % 7) : `${from}-${to}`);
    } else {
      return null;
    }
  }
  return items.join(',');
}

/** One OnCalendar date/time component (*, N, A..B, N/S, A..B/S, lists) -> a cron field. */
function systemdComponentToCron(component: string, min: number, max: number): string | null {
  if (component === '*') return '*';
  const items: string[] = [];
  for (const item of component.split(',')) {
    const match = /^(\d{1,4})(?:\.\.(\d{1,4}))?(?:\/(\d{1,4}))?$/.exec(item);
    if (!match) return null;
    const from = Number(match[1]);
    const to = match[2] === undefined ? null : Number(match[2]);
    const step = match[3] === undefined ? null : Number(match[3]);
    if (from < min || from > max || (to !== null && (to < from || to > max)) || step === 0) return null;
    if (step === null) items.push(to === null ? String(from) : `${from}-${to}`);
    // systemd's N/S means N, N+S, ... up to the maximum; croner refuses N/S, so spell it as a range.
    else if (to === null) items.push(from === min ? `*/${step}` : `${from}-${max}/${step}`);
    else items.push(`${from}-${to}/${step}`);
  }
  return items.join(',');
}

interface CalendarDate {
  dayOfMonth: string;
  month: string;
}

function systemdDateToCron(token: string): CalendarDate | null {
  const match = /^(?:([^~-]+)-)?([^~-]+)([-~])([^~-]+)$/.exec(token);
  if (!match) return null;
  const [, year, monthPart = '', separator, dayPart = ''] = match;
  if (year !== undefined && year !== '*') {
    if (!/^[\d*.,/]+$/.test(year)) return null;
    throw new Unsupported(`a specific year ("${year}") cannot be expressed in 5-field cron`);
  }
  const month = systemdComponentToCron(monthPart, 1, 12);
  if (month === null) return null;
  if (separator === '~') {
    if (!/^\d{1,2}$/.test(dayPart)) return null;
    if (Number(dayPart) !== 1) throw new Unsupported(`"~${dayPart}" (days before the month's end) is not supported; only ~01, the last day, is`);
    return { dayOfMonth: 'L', month };
  }
  const dayOfMonth = systemdComponentToCron(dayPart, 1, 31);
  return dayOfMonth === null ? null : { dayOfMonth, month };
}

interface CalendarTime {
  minute: string;
  hour: string;
}

function systemdTimeToCron(token: string): CalendarTime | null {
  const parts = token.split(':');
  if (parts.length < 2 || parts.length > 3) return null;
  const [hourPart = '', minutePart = '', secondPart] = parts;
  const hour = systemdComponentToCron(hourPart, 0, 23);
  const minute = systemdComponentToCron(minutePart, 0, 59);
  if (hour === null || minute === null) return null;
  if (secondPart !== undefined && !/^0{1,2}(?:\.0+)?$/.test(secondPart)) {
    if (!/^[\d*.,/]+$/.test(secondPart)) return null;
    throw new Unsupported(`seconds ("${secondPart}") cannot be expressed in 5-field cron`);
  }
  return { minute, hour };
}

export function onCalendarToCron(value: string): CronDerivation {
  const text = value.trim().replace(/\s+/g, ' ');
  const notUnderstood = derivation(null, null, `not an OnCalendar expression I understand: "${value.trim()}"`);
  const tokens = text === '' ? [] : text.split(' ');
  let timezone: string | null = null;
  const last = tokens[tokens.length - 1];
  if (tokens.length > 1 && last !== undefined && /^[A-Za-z][A-Za-z0-9_+/-]*$/.test(last) && systemdWeekdaysToCron(last) === null) {
    if (!isValidZone(last)) return notUnderstood;
    timezone = last;
    tokens.pop();
  }
  const first = tokens[0];
  if (first === undefined) return notUnderstood;

  const shorthand = ONCALENDAR_SHORTHANDS[first.toLowerCase()];
  if (shorthand !== undefined) return tokens.length === 1 ? verified(shorthand, timezone, null) : notUnderstood;

  try {
    let weekdays: string | null = null;
    let date: CalendarDate | null = null;
    let time: CalendarTime | null = null;
    let index = 0;
    const at = (): string | undefined => tokens[index];
    if (at() !== undefined && /^[A-Za-z]/.test(at() ?? '')) {
      weekdays = systemdWeekdaysToCron(at() ?? '');
      if (weekdays === null) return notUnderstood;
      index++;
    }
    if (at() !== undefined && !(at() ?? '').includes(':')) {
      date = systemdDateToCron(at() ?? '');
      if (date === null) return notUnderstood;
      index++;
    }
    if (at() !== undefined) {
      time = systemdTimeToCron(at() ?? '');
      if (time === null) return notUnderstood;
      index++;
    }
    if (index !== tokens.length || (weekdays === null && date === null && time === null)) return notUnderstood;

    const dayOfMonth = date?.dayOfMonth ?? '*';
    // systemd requires weekday AND date to match; cron ORs a restricted day-of-month with a restricted weekday,
    // so ask croner for AND with its "+" prefix.
    const dayOfWeek = weekdays === null ? '*' : dayOfMonth === '*' ? weekdays : `+${weekdays}`;
    const cron = [time?.minute ?? '0', time?.hour ?? '0', dayOfMonth, date?.month ?? '*', dayOfWeek].join(' ');
    return verified(cron, timezone, null);
  } catch (error) {
    if (error instanceof Unsupported) return derivation(null, timezone, error.message);
    throw error;
  }
}
