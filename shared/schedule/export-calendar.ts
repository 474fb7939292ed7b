/**
 * A schedule's calendar as the engines we export to spell it: systemd `OnCalendar=` lines and a 5-field cron for
 * crontab and Kubernetes. Cron is read by croner's own parser (the one the planner uses), so the translation means
 * what Opsdeck means; anything an engine cannot say exactly raises Untranslatable with the reason, never a guess.
 */
import { CronPattern } from 'croner';
import type { Calendar } from '../model/schedule.js';
import { onCalendarToCron } from '../runbook/schedule-oncalendar.js';
import { readOnCalendar } from './oncalendar.js';
import { CRON_NICKNAMES } from '../runbook/schedule-cron.js';
import { isValidZone } from './zone.js';

/** What an engine cannot express; the message is written into the export (or is the refusal). */
export class Untranslatable extends Error {
  override readonly name = 'Untranslatable';
}

/** Days of the month a clause allows: all, a list (1-31), or the last `count` days of the month. */
type DaysOfMonth = { kind: 'any' } | { kind: 'list'; days: number[] } | { kind: 'last'; count: number };

/** A day matches a clause when its weekday (0 = Sunday; null: any) AND its day of the month match. */
interface DayClause {
  weekdays: number[] | null;
  dom: DaysOfMonth;
}

/** A calendar as sets: a time matches when every field matches and at least one day clause does. */
export interface CalendarFields {
  seconds: number[];
  minutes: number[];
  hours: number[];
  /** 1-12. */
  months: number[];
  /** A union: systemd writes one OnCalendar= line per clause. */
  days: DayClause[];
  /** The hour field is a wildcard or a step: such patterns run on elapsed time across DST changes. */
  elapsedHours: boolean;
}

const indexes = (flags: readonly number[], offset = 0): number[] =>
  flags.flatMap((flag, index) => (flag ? [index + offset] : []));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const isFull = (values: readonly number[], min: number, max: number): boolean => values.length === max - min + 1;

/** croner's nth-weekday bits (1st..5th, last), as its parser stores them in dayOfWeek[]. */
const NTH_BITS = [1, 2, 4, 8, 16] as const;
const LAST_BIT = 32;
const ANY_WEEK = 63;

/** A cron expression (5 fields, or 6 with seconds first, or a nickname) read exactly as croner reads it. */
export function cronFields(text: string): CalendarFields {
  const expr = CRON_NICKNAMES[text.trim().toLowerCase()] ?? text.trim();
  const parts = expr.split(/\s+/);
  if (parts.length !== 5 && parts.length !== 6) {
    throw new Untranslatable(`"${expr}" is not a cron expression of 5 fields, or 6 with seconds`);
  }
  let pattern: CronPattern;
  try {
    pattern = new CronPattern(expr, undefined, { mode: parts.length === 5 ? '5-part' : '6-part' });
  } catch (error) {
    throw new Untranslatable(`croner rejects "${expr}": ${error instanceof Error ? error.message : String(error)}`);
  }
  if (pattern.nearestWeekdays.some(Boolean)) throw new Untranslatable('"W" (the weekday nearest a date) has no equivalent outside croner');
  if (pattern.lastWeekday) throw new Untranslatable('"LW" (the last weekday of the month) has no equivalent outside croner');

  const domClauses: DaysOfMonth[] = [];
  const listed = indexes(pattern.day, 1);
  if (pattern.starDOM) domClauses.push({ kind: 'any' });
  else {
    if (listed.length > 0) domClauses.push(isFull(listed, 1, 31) ? { kind: 'any' } : { kind: 'list', days: listed });
    if (pattern.lastDayOfMonth) domClauses.push({ kind: 'last', count: 1 });
  }

  let days: DayClause[];
  if (pattern.starDOW) {
    days = domClauses.map((dom) => ({ weekdays: null, dom }));
  } else {
    // croner (like Vixie cron) ORs a restricted day of month with a restricted weekday, unless "+" asks for AND.
    const and = pattern.useAndLogic || pattern.starDOM;
    const weekdayClauses = (dom: DaysOfMonth): DayClause[] => {
      const plain = pattern.dayOfWeek.flatMap((mask, day) => (mask === ANY_WEEK ? [day] : []));
      const out: DayClause[] = plain.length > 0 ? [{ weekdays: plain.length === 7 ? null : plain, dom }] : [];
      pattern.dayOfWeek.forEach((mask, day) => {
        if (mask === 0 || mask === ANY_WEEK) return;
        NTH_BITS.forEach((bit, n) => {
          if ((mask & bit) === 0) return;
          const week = range(n * 7 + 1, Math.min(n * 7 + 7, 31));
          if (dom.kind === 'last') throw new Untranslatable('an nth weekday on the last day of the month is not supported');
          const allowed = dom.kind === 'any' ? week : week.filter((d) => dom.days.includes(d));
          if (allowed.length > 0) out.push({ weekdays: [day], dom: { kind: 'list', days: allowed } });
        });
        if ((mask & LAST_BIT) !== 0) {
          if (dom.kind !== 'any') throw new Untranslatable('the last weekday of a month together with days of the month is not supported');
          out.push({ weekdays: [day], dom: { kind: 'last', count: 7 } });
        }
      });
      return out;
    };
    days = and ? domClauses.flatMap(weekdayClauses) : [...domClauses.map((dom) => ({ weekdays: null, dom })), ...weekdayClauses({ kind: 'any' })];
  }
  if (days.length === 0) throw new Untranslatable(`"${expr}" matches no day`);
  const hourField = parts.length === 6 ? parts[2] : parts[1];
  return {
    seconds: indexes(pattern.second),
    minutes: indexes(pattern.minute),
    hours: indexes(pattern.hour),
    months: indexes(pattern.month, 1),
    days,
    elapsedHours: hourField !== undefined && /[*/]/.test(hourField),
  };
}

/**
 * The calendar's fields for a cron engine: an OnCalendar expression goes through the importer's translator to
 * 5-field cron, whose refusal (seconds, years, days before the month's end) is the reason given.
 */
export function calendarFields(calendar: Calendar): CalendarFields {
  if (calendar.kind === 'cron') return cronFields(calendar.expr);
  const derived = onCalendarToCron(calendar.expr);
  if (derived.cron === null) throw new Untranslatable(derived.reason ?? `"${calendar.expr}" cannot be expressed in cron`);
  return cronFields(derived.cron);
}

// ---- systemd ----

const pad = (n: number): string => String(n).padStart(2, '0');
const SYSTEMD_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** A progression of three or more as A/S (to the field's end) or A..B/S, runs of three or more as A..B, else a list. */
function systemdComponent(values: readonly number[], min: number, max: number): string {
  if (isFull(values, min, max)) return '*';
  const first = values[0];
  const second = values[1];
  if (first !== undefined && second !== undefined && values.length > 2) {
    const step = second - first;
    const progression = values.every((v, i) => v === first + i * step);
    const last = values[values.length - 1] ?? max;
    if (progression && step > 1) return last + step > max ? `${pad(first)}/${step}` : `${pad(first)}..${pad(last)}/${step}`;
  }
  return runs(values, (a, b) => `${pad(a)}..${pad(b)}`, pad);
}

function runs(values: readonly number[], span: (a: number, b: number) => string, one: (a: number) => string): string {
  const out: string[] = [];
  for (let i = 0; i < values.length; ) {
    let j = i;
    while (j + 1 < values.length && values[j + 1] === (values[j] ?? 0) + 1) j++;
    const a = values[i] ?? 0;
    const b = values[j] ?? 0;
    if (j - i >= 2) out.push(span(a, b));
    else for (let k = i; k <= j; k++) out.push(one(values[k] ?? 0));
    i = j + 1;
  }
  return out.join(',');
}

/** Weekdays Monday first, as systemd orders them (a range Sat..Sun would be empty there). */
function systemdWeekdays(days: readonly number[]): string {
  const mondayFirst = [...days].map((d) => (d + 6) % 7).sort((a, b) => a - b);
  return runs(mondayFirst, (a, b) => `${SYSTEMD_WEEKDAYS[(a + 1) % 7]}..${SYSTEMD_WEEKDAYS[(b + 1) % 7]}`, (a) => SYSTEMD_WEEKDAYS[(a + 1) % 7] ?? '');
}

/** One OnCalendar= value per day clause; together (a timer ORs its OnCalendar= lines) they mean the calendar. */
export function fieldsToOnCalendar(fields: CalendarFields, zone: string): string[] {
  const time = [systemdComponent(fields.hours, 0, 23), systemdComponent(fields.minutes, 0, 59), systemdComponent(fields.seconds, 0, 59)].join(':');
  const month = systemdComponent(fields.months, 1, 12);
  return fields.days.map(({ weekdays, dom }) => {
    const date = dom.kind === 'last'
      ? `*-${month}~${pad(dom.count)}${dom.count > 1 ? '/1' : ''}`
      : `*-${month}-${dom.kind === 'any' ? '*' : systemdComponent(dom.days, 1, 31)}`;
    return `${weekdays === null ? '' : `${systemdWeekdays(weekdays)} `}${date} ${time} ${zone}`;
  });
}

// ---- cron (Vixie cron, cronie, Kubernetes' robfig/cron) ----

/** Plain numeric fields every cron reads: *, A-B, *\/S, lists. */
function cronComponent(values: readonly number[], min: number, max: number): string {
  if (isFull(values, min, max)) return '*';
  const first = values[0];
  const second = values[1];
  if (first === min && second !== undefined && values.length > 2) {
    const step = second - first;
    if (values.every((v, i) => v === first + i * step) && (values[values.length - 1] ?? max) + step > max) return `*/${step}`;
  }
  return runs(values, (a, b) => `${a}-${b}`, String);
}

/** The 5-field cron every cron reads; throws Untranslatable for seconds, last days and AND of day and weekday. */
export function fieldsToCron(fields: CalendarFields): string {
  const guarded = fieldsToGuardedCron(fields);
  if (guarded.weekdayGuard !== null) {
    throw new Untranslatable('cron cannot require a weekday AND a day of the month (it runs on either), e.g. "the first Monday"');
  }
  return guarded.cron;
}

/**
 * A cron, and for a calendar that requires a weekday AND a day of the month ("the first Monday": days 1-7 that are
 * a Monday), the weekdays a crontab line must check itself before running, as operators write it
 * (`[ "$(date +%w)" = 1 ] && ...`): the cron then names the days of the month only.
 */
export function fieldsToGuardedCron(fields: CalendarFields): { cron: string; weekdayGuard: number[] | null } {
  if (fields.seconds.length !== 1 || fields.seconds[0] !== 0) {
    throw new Untranslatable('seconds cannot be expressed in 5-field cron (its finest unit is the minute); this export refuses rather than round the times');
  }
  const line = (domField: string, dowField: string): string =>
    [cronComponent(fields.minutes, 0, 59), cronComponent(fields.hours, 0, 23), domField, cronComponent(fields.months, 1, 12), dowField].join(' ');
  const [only] = fields.days;
  if (fields.days.length === 1 && only !== undefined && only.weekdays !== null && only.dom.kind === 'list') {
    return { cron: line(cronComponent(only.dom.days, 1, 31), '*'), weekdayGuard: only.weekdays };
  }
  const dom = new Set<number>();
  const weekdays = new Set<number>();
  let everyDay = false;
  for (const clause of fields.days) {
    if (clause.dom.kind === 'last') throw new Untranslatable('cron has no "last day of the month"');
    if (clause.weekdays === null) {
      if (clause.dom.kind === 'any') everyDay = true;
      else clause.dom.days.forEach((d) => dom.add(d));
    } else if (clause.dom.kind === 'any') {
      clause.weekdays.forEach((d) => weekdays.add(d));
    } else {
      throw new Untranslatable('cron cannot require a weekday AND a day of the month (it runs on either) in a calendar that also has other days');
    }
  }
  const sorted = (set: Set<number>): number[] => [...set].sort((a, b) => a - b);
  const domField = everyDay || dom.size === 0 ? '*' : cronComponent(sorted(dom), 1, 31);
  const dowField = everyDay || weekdays.size === 0 || weekdays.size === 7 ? '*' : cronComponent(sorted(weekdays), 0, 6);
  return { cron: line(domField, dowField), weekdayGuard: null };
}

/** Whether the calendar matches a wall-clock minute (any second in it). */
export function matchesWallMinute(fields: CalendarFields, year: number, month: number, day: number, hour: number, minute: number): boolean {
  if (!fields.months.includes(month) || !fields.hours.includes(hour) || !fields.minutes.includes(minute)) return false;
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return fields.days.some(({ weekdays, dom }) =>
    (weekdays === null || weekdays.includes(weekday)) &&
    (dom.kind === 'any' || (dom.kind === 'list' ? dom.days.includes(day) : day > daysInMonth - dom.count)));
}

/** The zone an OnCalendar expression names at its end, as the planner's reader (and systemd) reads it; null: none. */
export function onCalendarZone(expr: string): string | null {
  const read = readOnCalendar(expr, isValidZone);
  return read.ok ? read.value.timezone : onCalendarToCron(expr).timezone;
}

/** The zone the calendar is read in: an OnCalendar expression's own zone when it names one, else the schedule's. */
export function calendarZone(calendar: Calendar, timezone: string): string {
  return calendar.kind === 'oncalendar' ? (onCalendarZone(calendar.expr) ?? timezone) : timezone;
}

/**
 * The calendar's fields as the planner reads it (an OnCalendar expression with seconds included), for comparing
 * with systemd at DST changes; null for what the fields cannot hold (a year).
 */
export function plannerFields(calendar: Calendar): CalendarFields | null {
  if (calendar.kind === 'cron') return cronFields(calendar.expr);
  const read = readOnCalendar(calendar.expr, isValidZone);
  if (!read.ok || read.value.mode !== '6-part') return null;
  return { ...cronFields(read.value.pattern), elapsedHours: read.value.hourWildcard };
}
