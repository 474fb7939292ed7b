/**
 * Free-text frequencies ("Daily, 9:00 AM EST", "first Monday of each quarter") read as cron: a period, days, clock
 * times and a zone, every guess it had to make spelled out, and event-driven or on-demand runs refused.
 */
import { assertNever, derivation, Unsupported, verified } from './schedule-cron.js';
import type { CronDerivation } from './schedule-cron.js';
import { zoneFromText } from './schedule-zones.js';

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
