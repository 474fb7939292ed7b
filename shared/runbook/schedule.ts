/**
 * Runbooks say when they run in many dialects: crontab lines, systemd OnCalendar= values, and free text such as
 * "Daily, 9:00 AM EST". The cockpit schedules with one dialect only (5-field cron as croner reads it, plus an IANA
 * zone), so this module translates, and says why when it cannot (or what it had to assume).
 */
import { Cron } from 'croner';

export interface CronDerivation {
  /** 5-field cron as croner understands it, or null when none could be derived. */
  cron: string | null;
  /** IANA zone the cron is meant in; null = none stated (the host's zone applies). */
  timezone: string | null;
  /** Why cron is null, or what was assumed to derive it; null when nothing was assumed. */
  reason: string | null;
}

export interface CrontabEntry {
  cron: string | null;
  /** The rest of the line after the schedule, verbatim. */
  command: string;
  reason: string | null;
}

/**
 * Hour assumed when free text names a period but no time of day. Working hours: a wrong guess then fires while
 * someone is around to notice, at the price of running during the day rather than in a quiet night-time slot.
 */
const ASSUMED_HOUR = 9;
/** Weekday assumed for "weekly" without a day: Monday, as systemd's `weekly` does (cron's 0 would be Sunday). */
const ASSUMED_WEEKDAY = 1;
/**
 * Free text longer than this is prose, not frequency metadata: read as a schedule, a stray "daily" in a paragraph
 * would invent one. Higher accepts more verbose metadata; lower refuses more prose.
 */
const MAX_FREQUENCY_CHARS = 200;

function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}

function derivation(cron: string | null, timezone: string | null, reason: string | null): CronDerivation {
  return { cron, timezone, reason };
}

/**
 * The last gate before any cron leaves this module: croner must parse it and find a next run, so callers never get
 * an expression that throws on scheduling or silently never fires (e.g. "0 0 31 2 *").
 */
function verified(cron: string, timezone: string | null, reason: string | null): CronDerivation {
  try {
    const job = new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) });
    if (!job.nextRun()) return derivation(null, timezone, `"${cron}" never matches a real date`);
  } catch (error) {
    return derivation(null, timezone, `croner rejects "${cron}": ${error instanceof Error ? error.message : String(error)}`);
  }
  return derivation(cron, timezone, reason);
}

function isValidZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// crontab

interface FieldSpec {
  min: number;
  max: number;
  names?: readonly string[];
  /** Index in names that stands for min (month names start at 1). */
  nameBase: number;
}

const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] as const;
const DOW_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] as const;

const CRON_FIELDS: readonly FieldSpec[] = [
  { min: 0, max: 59, nameBase: 0 },
  { min: 0, max: 23, nameBase: 0 },
  { min: 1, max: 31, nameBase: 0 },
  { min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { min: 0, max: 7, names: DOW_NAMES, nameBase: 0 },
];

const CRONTAB_MACROS: Readonly<Record<string, string | null>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
  '@reboot': null,
};

function cronValue(token: string, spec: FieldSpec): number | null {
  if (/^\d{1,2}$/.test(token)) {
    const n = Number(token);
    return n >= spec.min && n <= spec.max ? n : null;
  }
  if (!spec.names) return null;
  const index = spec.names.indexOf(token.toUpperCase());
  return index < 0 ? null : index + spec.nameBase;
}

/** One cron field in the portable (Vixie) syntax: lists of *, N, A-B, each optionally /STEP (not N/STEP). */
function isCronField(field: string, spec: FieldSpec): boolean {
  return field.split(',').every((item) => {
    const match = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(item);
    if (!match) return false;
    const [, base = '', step] = match;
    if (step !== undefined && (Number(step) < 1 || Number(step) > spec.max)) return false;
    if (base === '*') return true;
    const range = base.split('-');
    if (range.length === 1) return step === undefined && cronValue(base, spec) !== null;
    if (range.length !== 2) return false;
    const from = cronValue(range[0] ?? '', spec);
    const to = cronValue(range[1] ?? '', spec);
    return from !== null && to !== null && from <= to;
  });
}

export function parseCrontabLine(line: string): CrontabEntry | null {
  const text = line.trim();
  const macro = /^(@[A-Za-z]+)\s+(\S.*)$/s.exec(text);
  if (macro) {
    const name = (macro[1] ?? '').toLowerCase();
    const command = macro[2] ?? '';
    if (!(name in CRONTAB_MACROS)) return null;
    const cron = CRONTAB_MACROS[name] ?? null;
    if (cron === null) return { cron: null, command, reason: `${name} runs once at boot, not on a schedule` };
    return { cron, command, reason: null };
  }
  const match = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S.*)$/s.exec(text);
  if (!match) return null;
  const fields = match.slice(1, 6) as string[];
  if (!fields.every((field, i) => isCronField(field, CRON_FIELDS[i] as FieldSpec))) return null;
  const command = match[6] ?? '';
  const result = verified(fields.join(' '), null, null);
  return { cron: result.cron, command, reason: result.reason };
}

// ---------------------------------------------------------------------------------------------------------------
// systemd OnCalendar=

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

class Unsupported extends Error {}

function systemdWeekday(name: string): number | null {
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

// ---------------------------------------------------------------------------------------------------------------
// time zones in free text

const ZONE_ABBREVIATIONS: Readonly<Record<string, string>> = {
  EST: 'America/New_York',
  EDT: 'America/New_York',
  ET: 'America/New_York',
  CST: 'America/Chicago',
  CDT: 'America/Chicago',
  CT: 'America/Chicago',
  MST: 'America/Denver',
  MDT: 'America/Denver',
  MT: 'America/Denver',
  PST: 'America/Los_Angeles',
  PDT: 'America/Los_Angeles',
  PT: 'America/Los_Angeles',
  UTC: 'UTC',
  GMT: 'UTC',
  // CET is shared by much of Europe; Paris stands for all of it (same offsets and DST rules as Berlin).
  CET: 'Europe/Paris',
  CEST: 'Europe/Paris',
  BST: 'Europe/London',
  IST: 'Asia/Kolkata',
  JST: 'Asia/Tokyo',
  AEST: 'Australia/Sydney',
  AEDT: 'Australia/Sydney',
};

const ZONE_REGIONS: Readonly<Record<string, string>> = {
  eastern: 'America/New_York',
  central: 'America/Chicago',
  mountain: 'America/Denver',
  pacific: 'America/Los_Angeles',
};

/**
 * Earliest zone mention wins. Abbreviations match only as uppercase whole words ("est" in "latest" never does;
 * UTC/GMT followed by an offset are read as that offset, whole hours only). "Eastern"/"Central"/... count only
 * with "time" after them or right after a clock time, so "Central logging" names no zone. "Z" counts only glued
 * to a clock time ("00:15Z").
 */
export function zoneFromText(text: string): string | null {
  const found: { index: number; zone: string }[] = [];
  const add = (index: number, zone: string): void => {
    found.push({ index, zone });
  };
  for (const m of text.matchAll(/\b[A-Z][A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+/g)) {
    if (isValidZone(m[0])) add(m.index, m[0]);
  }
  for (const m of text.matchAll(/\b(UTC|GMT)\s?([+-])(\d{1,2})(?::?(\d{2}))?(?![\d:])/g)) {
    const hours = Number(m[3]);
    if (Number(m[4] ?? '0') !== 0 || hours > 14) continue;
    // Etc/GMT zones use the POSIX sign: UTC+2 is Etc/GMT-2.
    add(m.index, hours === 0 ? 'UTC' : `Etc/GMT${m[2] === '+' ? '-' : '+'}${hours}`);
  }
  for (const m of text.matchAll(/\b([A-Z]{2,4})\b(?!\s?[+-]\d)/g)) {
    const zone = ZONE_ABBREVIATIONS[m[1] ?? ''];
    if (zone !== undefined) add(m.index, zone);
  }
  for (const m of text.matchAll(/\b(Eastern|Central|Mountain|Pacific)(?:\s+(?:Standard|Daylight))?\s+[Tt]ime\b/g)) {
    add(m.index, ZONE_REGIONS[(m[1] ?? '').toLowerCase()] ?? 'UTC');
  }
  for (const m of text.matchAll(/\d(?:\s*[AaPp]\.?[Mm]\.?)?\s+(Eastern|Central|Mountain|Pacific)\b/g)) {
    add(m.index + m[0].length - (m[1] ?? '').length, ZONE_REGIONS[(m[1] ?? '').toLowerCase()] ?? 'UTC');
  }
  for (const m of text.matchAll(/\bZulu\b|\d:\d{2}(?::\d{2})?\s?(Z)\b/g)) add(m.index, 'UTC');
  found.sort((a, b) => a.index - b.index);
  return found[0]?.zone ?? null;
}

// ---------------------------------------------------------------------------------------------------------------
// free-text frequencies

interface ClockTime {
  hour: number;
  minute: number;
}

/** Clock times in the text: "9:00 AM", "9 AM", "9am", "09:00", "21:30", "noon", "midnight". */
function clockTimes(text: string): ClockTime[] | Unsupported {
  const times: ClockTime[] = [];
  const meridiem = (hour: number, suffix: string | undefined): number | null => {
    if (suffix === undefined) return hour <= 23 ? hour : null;
    if (hour < 1 || hour > 12) return null;
    return (hour % 12) + (suffix.toLowerCase().startsWith('p') ? 12 : 0);
  };
  for (const m of text.matchAll(/(?<![\d:.])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])(?:\s*([AaPp])\.?[Mm]\.?(?![A-Za-z]))?/g)) {
    const hour = meridiem(Number(m[1]), m[4]);
    const minute = Number(m[2]);
    if (hour === null || minute > 59) continue;
    if (m[3] !== undefined && Number(m[3]) !== 0) return new Unsupported(`seconds ("${m[0]}") cannot be expressed in 5-field cron`);
    times.push({ hour, minute });
  }
  for (const m of text.matchAll(/(?<![\d:.])(\d{1,2})\s*([AaPp])\.?[Mm]\.?(?![A-Za-z])/g)) {
    const hour = meridiem(Number(m[1]), m[2]);
    if (hour !== null) times.push({ hour, minute: 0 });
  }
  if (/\b(?:noon|midday)\b/i.test(text)) times.push({ hour: 12, minute: 0 });
  if (/\bmidnight\b/i.test(text)) times.push({ hour: 0, minute: 0 });
  return times.filter((t, i) => times.findIndex((u) => u.hour === t.hour && u.minute === t.minute) === i);
}

type TriggerKind = 'on-demand' | 'after-event' | 'on-event';

/**
 * Words that tie a run to an event rather than the clock. "before" is deliberately absent: "before releases,
 * quarterly" states a deadline inside a period, while "after backup completion" names the run's trigger.
 */
const TRIGGERS: readonly { kind: TriggerKind; pattern: RegExp }[] = [
  { kind: 'on-demand', pattern: /\b(?:as (?:needed|required)|on[ -]demand|on request|ad[ -]hoc|manually|(?:if|when) (?:needed|required|necessary))\b/i },
  { kind: 'after-event', pattern: /\b(?:after|following|upon|once(?!\s+(?:a|an|per|every|each)\b))\b/i },
  { kind: 'on-event', pattern: /\b(?:when|whenever|if|in case|during incidents?)\b/i },
];

function triggerReason(text: string): string | null {
  let best: { kind: TriggerKind; index: number } | null = null;
  for (const { kind, pattern } of TRIGGERS) {
    const m = pattern.exec(text);
    if (m && (best === null || m.index < best.index)) best = { kind, index: m.index };
  }
  if (best === null) return null;
  const clause = (text.slice(best.index).split(/[,;()]/)[0] ?? '').trim();
  switch (best.kind) {
    case 'on-demand':
      return `runs on demand ("${clause}"), not on a recurring schedule`;
    case 'after-event':
      return `runs after an event ("${clause}"), not at a fixed time`;
    case 'on-event':
      return `runs when an event happens ("${clause}"), not on a recurring schedule`;
    default:
      return assertNever(best.kind);
  }
}

type Period =
  | { kind: 'minutes'; every: number }
  | { kind: 'hours'; every: number }
  | { kind: 'days' }
  | { kind: 'weeks' }
  /** every: months between runs, a divisor of 12 (1 monthly, 3 quarterly, 6 semiannually, 12 yearly). */
  | { kind: 'months'; every: number }
  /** Some number of runs per period without clock times to place them (e.g. "twice daily"). */
  | { kind: 'times-per'; period: 'days' | 'weeks' | 'months' };

type PeriodMatch = Period | Unsupported;

const NOT_PRECEDED = '(?<![\\w-])';
const PERIOD_PATTERNS: readonly { pattern: RegExp; period: (m: RegExpExecArray) => PeriodMatch }[] = [
  { pattern: /\b(?:bi-?weekly|fortnightly|every (?:other|second) week)\b/i, period: (m) => new Unsupported(`"${m[0]}" (every two weeks) cannot be expressed in cron`) },
  { pattern: /\b(?:bi-?monthly)\b/i, period: (m) => new Unsupported(`"${m[0]}" is ambiguous (twice a month or every two months)`) },
  { pattern: /\bevery (\d{1,4}) ?(?:minutes?|mins?|m)\b/i, period: (m) => minutes(Number(m[1]), m[0]) },
  { pattern: /\b(?:every|each) minute\b|\bminutely\b/i, period: () => ({ kind: 'minutes', every: 1 }) },
  { pattern: /\bevery (\d{1,3}) ?(?:hours?|hrs?|h)\b/i, period: (m) => hours(Number(m[1]), m[0]) },
  { pattern: /\b(?:every|each|once an|once per|per) hour\b|\bhourly\b/i, period: () => ({ kind: 'hours', every: 1 }) },
  { pattern: /\bevery (\d{1,3}) ?days?\b/i, period: (m) => (Number(m[1]) === 1 ? { kind: 'days' } : new Unsupported(`"${m[0]}" cannot be expressed in cron (day-of-month steps restart every month)`)) },
  { pattern: /\bevery (\d{1,3}) ?weeks?\b/i, period: (m) => (Number(m[1]) === 1 ? { kind: 'weeks' } : new Unsupported(`"${m[0]}" cannot be expressed in cron`)) },
  { pattern: /\bevery (\d{1,2}) ?months?\b/i, period: (m) => monthsEvery(Number(m[1]), m[0]) },
  { pattern: new RegExp(`${NOT_PRECEDED}(?:semi-?annual(?:ly)?|semi-?yearly|half-yearly|bi-?annual(?:ly)?|twice (?:a|per) year|twice yearly)\\b`, 'i'), period: () => ({ kind: 'months', every: 6 }) },
  { pattern: /\b(?:twice|three times|\d+ ?(?:x|times)) (?:a |an |per )?(day|daily|week|weekly|month|monthly)\b/i, period: (m) => ({ kind: 'times-per', period: /^d/i.test(m[1] ?? '') ? 'days' : /^w/i.test(m[1] ?? '') ? 'weeks' : 'months' }) },
  { pattern: new RegExp(`${NOT_PRECEDED}(?:daily|nightly|everyday)\\b|\\b(?:every|each|once a|once per|per) (?:day|night)\\b`, 'i'), period: () => ({ kind: 'days' }) },
  { pattern: new RegExp(`${NOT_PRECEDED}weekly\\b|\\b(?:every|each|once a|once per|per) week\\b`, 'i'), period: () => ({ kind: 'weeks' }) },
  { pattern: new RegExp(`${NOT_PRECEDED}monthly\\b|\\b(?:every|each|once a|once per|per) month\\b`, 'i'), period: () => ({ kind: 'months', every: 1 }) },
  { pattern: new RegExp(`${NOT_PRECEDED}quarterly\\b|\\b(?:every|each|once a|once per|per) quarter\\b`, 'i'), period: () => ({ kind: 'months', every: 3 }) },
  { pattern: new RegExp(`${NOT_PRECEDED}(?:yearly|annually|annual)\\b|\\b(?:every|each|once a|once per|per) year\\b`, 'i'), period: () => ({ kind: 'months', every: 12 }) },
];

function minutes(every: number, said: string): PeriodMatch {
  if (every === 60) return { kind: 'hours', every: 1 };
  if (every < 1 || every > 59) return new Unsupported(`"${said}" cannot be expressed in cron`);
  return { kind: 'minutes', every };
}

function hours(every: number, said: string): PeriodMatch {
  if (every === 24) return { kind: 'days' };
  if (every < 1 || every > 23) return new Unsupported(`"${said}" cannot be expressed in cron`);
  return { kind: 'hours', every };
}

function monthsEvery(every: number, said: string): PeriodMatch {
  if (every < 1 || 12 % every !== 0) return new Unsupported(`"${said}" cannot be expressed in cron (the steps would restart every year)`);
  return { kind: 'months', every };
}

/** The first period mentioned wins; at the same position, the earlier pattern in PERIOD_PATTERNS. */
function findPeriod(text: string): PeriodMatch | null {
  let best: { index: number; period: PeriodMatch } | null = null;
  for (const { pattern, period } of PERIOD_PATTERNS) {
    const m = pattern.exec(text);
    if (m && (best === null || m.index < best.index)) best = { index: m.index, period: period(m) };
  }
  return best?.period ?? null;
}

const WEEKDAY_FULL = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const WEEKDAY_SHORT: Readonly<Record<string, number>> = { sun: 0, mon: 1, tue: 2, tues: 2, wed: 3, thu: 4, thur: 4, thurs: 4, fri: 5, sat: 6 };

interface DayMention {
  index: number;
  end: number;
  day: number;
}

/** Weekday names: full names in any case (plural too), abbreviations only Capitalised or UPPERCASE ("sat" is a verb). */
function weekdayMentions(text: string): DayMention[] {
  const found: DayMention[] = [];
  for (const m of text.matchAll(/\b[A-Za-z]+\b/g)) {
    const word = m[0];
    const lower = word.toLowerCase();
    const full = Math.max(WEEKDAY_FULL.indexOf(lower as (typeof WEEKDAY_FULL)[number]), WEEKDAY_FULL.indexOf(lower.replace(/s$/, '') as (typeof WEEKDAY_FULL)[number]));
    const capitalised = word === word.toUpperCase() || word === (word[0] ?? '').toUpperCase() + lower.slice(1);
    const short = capitalised ? WEEKDAY_SHORT[lower] : undefined;
    const day = full >= 0 ? full : short ?? null;
    if (day !== null) found.push({ index: m.index, end: m.index + word.length, day });
  }
  return found;
}

interface DaySelection {
  /** Weekdays to run on (cron numbering, Sunday 0); null = no weekday named. */
  weekdays: Set<number> | null;
  /** croner nth-weekday items ("1#1", "5#L"). */
  nth: string[];
  /** Days of month ("15", "L"). */
  daysOfMonth: string[];
}

const ORDINALS: Readonly<Record<string, string>> = { first: '1', '1st': '1', second: '2', '2nd': '2', third: '3', '3rd': '3', fourth: '4', '4th': '4', fifth: '5', '5th': '5', last: 'L' };

function daySelection(text: string): DaySelection {
  const exceptAt = text.search(/\b(?:except|excluding|but not)\b/i);
  const mentions = weekdayMentions(text);
  const nth: string[] = [];
  const included = new Set<number>();
  const excluded = new Set<number>();
  mentions.forEach((mention, i) => {
    const ordinal = /\b(first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last)\s+$/i.exec(text.slice(0, mention.index));
    if (ordinal) {
      nth.push(`${mention.day}#${ORDINALS[(ordinal[1] ?? '').toLowerCase()] ?? '1'}`);
      return;
    }
    const target = exceptAt >= 0 && mention.index > exceptAt ? excluded : included;
    target.add(mention.day);
    const next = mentions[i + 1];
    if (next && /^\s*(?:-|\.\.|to|through|thru|until)\s*$/i.test(text.slice(mention.end, next.index))) {
      for (let d = mention.day; d !== next.day; d = (d + 1) % 7) target.add(d);
    }
  });
  const weekdayWords = /\b(?:week ?days?|business days?|working days?)\b/i.exec(text);
  const weekendWords = /\bweekends?\b/i.exec(text);
  for (const [m, days] of [[weekdayWords, [1, 2, 3, 4, 5]], [weekendWords, [0, 6]]] as const) {
    if (!m) continue;
    const target = exceptAt >= 0 && m.index > exceptAt ? excluded : included;
    for (const d of days) target.add(d);
  }
  let weekdays: Set<number> | null = null;
  if (included.size > 0 || excluded.size > 0) {
    weekdays = new Set(included.size > 0 ? included : [0, 1, 2, 3, 4, 5, 6]);
    for (const d of excluded) weekdays.delete(d);
  }

  const daysOfMonth: string[] = [];
  if (/\blast day\b|\bend of (?:the |each |every )?month\b/i.test(text)) daysOfMonth.push('L');
  for (const m of text.matchAll(/\b(\d{1,2})(?:st|nd|rd|th)\b/gi)) {
    const n = Number(m[1]);
    const followedByDay = mentions.some((d) => d.index > m.index && /^\s+$/.test(text.slice(m.index + m[0].length, d.index)));
    if (!followedByDay && n >= 1 && n <= 31) daysOfMonth.push(String(n));
  }
  return { weekdays, nth, daysOfMonth };
}

/** {1,2,3,4,5} -> "1-5", {2,4} -> "2,4", all seven -> "*". */
function weekdayField(days: Set<number>): string {
  const sorted = [...days].sort((a, b) => a - b);
  if (sorted.length === 7) return '*';
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    parts.push(j - i >= 2 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
}

const MONTH_FULL = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'] as const;

function namedMonths(text: string): number[] {
  const months: number[] = [];
  MONTH_FULL.forEach((name, i) => {
    if (new RegExp(`\\b${name}\\b`).test(text)) months.push(i + 1);
  });
  return months;
}

function normaliseFreeText(text: string): string {
  return text
    .replace(/[`*]/g, '')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
}

export function frequencyToCron(text: string): CronDerivation {
  const s = normaliseFreeText(text);
  if (s === '') return derivation(null, null, 'no frequency given');
  if (s.length > MAX_FREQUENCY_CHARS) return derivation(null, null, `text longer than ${MAX_FREQUENCY_CHARS} characters is prose, not a frequency`);
  const timezone = zoneFromText(s);
  const fail = (reason: string): CronDerivation => derivation(null, timezone, reason);

  const times = clockTimes(s);
  if (times instanceof Unsupported) return fail(times.message);
  if (times.length === 0) {
    const trigger = triggerReason(s);
    if (trigger !== null) return fail(trigger);
  }

  const found = findPeriod(s);
  if (found instanceof Unsupported) return fail(found.message);
  const days = daySelection(s);
  let period: Period;
  if (found !== null) period = found;
  else if (days.weekdays !== null) period = { kind: 'weeks' };
  else if (days.nth.length > 0 || days.daysOfMonth.length > 0) period = { kind: 'months', every: 1 };
  else return fail(`no recurring period (hourly, daily, weekly, monthly, ...) found in "${s}"; not a recurring schedule`);

  const assumed: string[] = [];
  let minute = '0';
  let hour = String(ASSUMED_HOUR);
  if (times.length > 0) {
    const minutesSeen = new Set(times.map((t) => t.minute));
    if (minutesSeen.size > 1) return fail('several times of day with different minutes cannot be one cron expression');
    minute = String(times[0]?.minute ?? 0);
    hour = times.map((t) => t.hour).sort((a, b) => a - b).join(',');
  }
  const clockNeeded = (): void => {
    if (times.length === 0) assumed.push(`no time of day given; ${String(ASSUMED_HOUR).padStart(2, '0')}:00 assumed`);
  };
  const weekdayOr = (fallback: string): string => (days.weekdays === null ? fallback : weekdayField(days.weekdays));

  let fields: [string, string, string, string, string];
  switch (period.kind) {
    case 'minutes': {
      if (times.length > 0) return fail('a clock time together with an every-N-minutes interval is ambiguous');
      if (60 % period.every !== 0) assumed.push(`${period.every} does not divide the hour; runs at minute 0, ${period.every}, ${period.every * 2}, ... of each hour`);
      fields = [period.every === 1 ? '*' : `*/${period.every}`, '*', '*', '*', weekdayOr('*')];
      break;
    }
    case 'hours': {
      if (times.length > 1) return fail('several clock times together with an every-N-hours interval are ambiguous');
      if (24 % period.every !== 0) assumed.push(`${period.every} does not divide the day; the hour steps restart at midnight`);
      const first = times[0];
      const start = first === undefined ? 0 : first.hour % period.every;
      const hourField = period.every === 1 ? '*' : start === 0 ? `*/${period.every}` : `${start}-23/${period.every}`;
      fields = [first === undefined ? '0' : minute, hourField, '*', '*', weekdayOr('*')];
      break;
    }
    case 'days':
      clockNeeded();
      fields = [minute, hour, '*', '*', weekdayOr('*')];
      break;
    case 'weeks':
      clockNeeded();
      if (days.weekdays === null) assumed.push('no weekday given; Monday assumed');
      fields = [minute, hour, '*', '*', weekdayOr(String(ASSUMED_WEEKDAY))];
      break;
    case 'months': {
      clockNeeded();
      const named = period.every === 12 ? namedMonths(s) : [];
      const months: number[] = named.length > 0 ? named : [];
      if (months.length === 0) for (let m = 1; m <= 12; m += period.every) months.push(m);
      const monthField = months.length === 12 ? '*' : months.join(',');
      if (days.nth.length > 0) fields = [minute, hour, '*', monthField, days.nth.join(',')];
      else if (days.daysOfMonth.length > 0) fields = [minute, hour, days.daysOfMonth.join(','), monthField, '*'];
      else if (days.weekdays !== null) {
        const first = [...days.weekdays].sort((a, b) => a - b);
        assumed.push(`no week of the month given; the first ${first.map((d) => WEEKDAY_FULL[d]).join('/')} assumed`);
        fields = [minute, hour, '*', monthField, first.map((d) => `${d}#1`).join(',')];
      } else {
        assumed.push('no day of the month given; the 1st assumed');
        fields = [minute, hour, '1', monthField, '*'];
      }
      break;
    }
    case 'times-per':
      if (period.period !== 'days') return fail(`several runs per ${period.period.slice(0, -1)} cannot be expressed without their days`);
      if (times.length < 2) return fail('several runs per day without their clock times cannot be placed');
      fields = [minute, hour, '*', '*', weekdayOr('*')];
      break;
    default:
      return assertNever(period);
  }
  return verified(fields.join(' '), timezone, assumed.length > 0 ? assumed.join('; ') : null);
}
