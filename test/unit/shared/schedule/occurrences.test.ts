import { Cron } from 'croner';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calendarProblem,
  countOccurrences,
  InvalidCalendar,
  nextOccurrences,
  occurrencesBetween,
  previousOccurrences,
} from '../../../../shared/schedule/occurrences.js';
import type { CalendarRules } from '../../../../shared/schedule/occurrences.js';

const cron = (expr: string, timezone: string): CalendarRules => ({ calendar: { kind: 'cron', expr }, timezone });
const onCalendar = (expr: string, timezone: string): CalendarRules => ({ calendar: { kind: 'oncalendar', expr }, timezone });
const iso = (ds: readonly Date[]): string[] => ds.map((d) => d.toISOString());
const at = (s: string): Date => new Date(s);

/** The wall clock of instant t in zone, as "YYYY-MM-DD HH:MM:SS" (Intl, independent of the planner's zone code). */
const formats = new Map<string, Intl.DateTimeFormat>();
function wall(t: number, zone: string): string {
  let f = formats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('sv-SE', { timeZone: zone, dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' });
    formats.set(zone, f);
  }
  return f.format(t);
}
const wallAsUtc = (t: number, zone: string): Date => new Date(`${wall(t, zone).replace(' ', 'T')}Z`);

describe('DST: America/New_York (spring-forward 2026-03-08 02:00 -> 03:00, fall-back 2026-11-01 02:00 -> 01:00)', () => {
  it('a fixed time lost to spring-forward runs at the first valid instant after it, 03:00 EDT', () => {
    expect(iso(nextOccurrences(cron('30 2 * * *', 'America/New_York'), at('2026-03-07T12:00:00Z'), 3))).toEqual([
      '2026-03-08T07:00:00.000Z', // 03:00 EDT
      '2026-03-09T06:30:00.000Z', // 02:30 EDT
      '2026-03-10T06:30:00.000Z',
    ]);
  });

  it('croner 10 alone moves that time by the size of the gap instead (why the planner applies its own rule)', () => {
    const alone = new Cron('30 2 * * *', { paused: true, timezone: 'America/New_York' });
    expect(alone.nextRun(at('2026-03-07T12:00:00Z'))?.toISOString()).toBe('2026-03-08T07:30:00.000Z'); // 03:30 EDT
  });

  it('a fixed time that occurs twice on fall-back day runs once, at the first', () => {
    expect(iso(nextOccurrences(cron('30 1 * * *', 'America/New_York'), at('2026-10-31T12:00:00Z'), 2))).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; not 01:30 EST an hour later
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('a wildcard hour runs on elapsed time: both 01:30s on fall-back night, no gap on spring-forward night', () => {
    const hourly = cron('30 * * * *', 'America/New_York');
    expect(iso(occurrencesBetween(hourly, at('2026-11-01T04:00:00Z'), at('2026-11-01T08:00:00Z'), 10))).toEqual([
      '2026-11-01T04:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-01T07:30:00.000Z',
    ]);
    expect(iso(occurrencesBetween(hourly, at('2026-03-08T05:00:00Z'), at('2026-03-08T09:00:00Z'), 10))).toEqual([
      '2026-03-08T05:30:00.000Z', // 00:30 EST
      '2026-03-08T06:30:00.000Z', // 01:30 EST
      '2026-03-08T07:30:00.000Z', // 03:30 EDT, one real hour later
      '2026-03-08T08:30:00.000Z',
    ]);
  });

  it('croner 10 alone returns one instant twice after spring-forward and drops the repeated hour (pinned)', () => {
    const alone = new Cron('30 * * * *', { paused: true, timezone: 'America/New_York' });
    expect(iso(alone.nextRuns(4, at('2026-03-08T05:00:00Z')))).toEqual([
      '2026-03-08T05:30:00.000Z',
      '2026-03-08T06:30:00.000Z',
      '2026-03-08T07:30:00.000Z',
      '2026-03-08T07:30:00.000Z',
    ]);
    expect(iso(alone.nextRuns(3, at('2026-11-01T05:00:00Z')))).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T07:30:00.000Z',
      '2026-11-01T08:30:00.000Z',
    ]);
  });

  it('several fixed times inside the gap run once, at 03:00, and an existing 03:30 still runs', () => {
    expect(iso(occurrencesBetween(cron('0,30 2,3 * * *', 'America/New_York'), at('2026-03-08T00:00:00Z'), at('2026-03-08T12:00:00Z'), 10))).toEqual([
      '2026-03-08T07:00:00.000Z',
      '2026-03-08T07:30:00.000Z',
    ]);
  });

  it('a fixed hour with every minute runs once at 03:00 on spring-forward day and 60 times on fall-back day', () => {
    const everyMinuteAt2 = cron('* 2 * * *', 'America/New_York');
    expect(iso(occurrencesBetween(everyMinuteAt2, at('2026-03-08T00:00:00Z'), at('2026-03-08T12:00:00Z'), 100))).toEqual([
      '2026-03-08T07:00:00.000Z',
    ]);
    const everyMinuteAt1 = cron('* 1 * * *', 'America/New_York');
    const fallBack = occurrencesBetween(everyMinuteAt1, at('2026-11-01T00:00:00Z'), at('2026-11-01T12:00:00Z'), 200);
    expect(fallBack).toHaveLength(60);
    expect(fallBack[59]?.toISOString()).toBe('2026-11-01T05:59:00.000Z'); // the first pass only
  });
});

describe('DST: Europe/Berlin (2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00)', () => {
  it('02:30 runs at 03:00 CEST on spring-forward day and once, at 02:30 CEST, on fall-back day', () => {
    const r = cron('30 2 * * *', 'Europe/Berlin');
    expect(iso(nextOccurrences(r, at('2026-03-28T12:00:00Z'), 2))).toEqual(['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z']);
    expect(iso(nextOccurrences(r, at('2026-10-24T12:00:00Z'), 2))).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('every 30 minutes stays 30 real minutes apart across both changes', () => {
    const r = cron('*/30 * * * *', 'Europe/Berlin');
    for (const from of ['2026-03-28T23:00:00Z', '2026-10-24T23:00:00Z']) {
      const list = occurrencesBetween(r, at(from), new Date(at(from).getTime() + 5 * 3600_000), 100);
      expect(list).toHaveLength(10);
      for (let i = 1; i < list.length; i++) expect((list[i]?.getTime() ?? 0) - (list[i - 1]?.getTime() ?? 0)).toBe(1_800_000);
    }
  });
});

describe('DST: Australia/Lord_Howe, a 30-minute shift (2026-04-05 02:00 -> 01:30, 2026-10-04 02:00 -> 02:30)', () => {
  it('02:15 lost to spring-forward runs at 02:30 (+11); 01:45 repeated at fall-back runs once, at the first', () => {
    expect(iso(nextOccurrences(cron('15 2 * * *', 'Australia/Lord_Howe'), at('2026-10-03T00:00:00Z'), 2))).toEqual([
      '2026-10-03T15:30:00.000Z',
      '2026-10-04T15:15:00.000Z',
    ]);
    expect(iso(nextOccurrences(cron('45 1 * * *', 'Australia/Lord_Howe'), at('2026-04-04T00:00:00Z'), 2))).toEqual([
      '2026-04-04T14:45:00.000Z', // 01:45 +11
      '2026-04-05T15:15:00.000Z', // next day, +10:30
    ]);
  });

  it('croner 10 alone picks the second 01:45 there, unlike New York where it picks the first (pinned)', () => {
    const alone = new Cron('45 1 * * *', { paused: true, timezone: 'Australia/Lord_Howe' });
    expect(alone.nextRun(at('2026-04-04T00:00:00Z'))?.toISOString()).toBe('2026-04-04T15:15:00.000Z');
  });

  it('every 15 minutes runs every 15 real minutes across both half-hour changes', () => {
    const r = cron('*/15 * * * *', 'Australia/Lord_Howe');
    for (const from of ['2026-04-04T13:00:00Z', '2026-10-03T14:00:00Z']) {
      const list = occurrencesBetween(r, at(from), new Date(at(from).getTime() + 3 * 3600_000), 100);
      expect(list).toHaveLength(12);
      for (let i = 1; i < list.length; i++) expect((list[i]?.getTime() ?? 0) - (list[i - 1]?.getTime() ?? 0)).toBe(900_000);
    }
    expect(wall(at('2026-04-04T15:00:00Z').getTime(), 'Australia/Lord_Howe')).toBe('2026-04-05 01:30:00'); // the repeat
  });
});

describe('calendars', () => {
  it('6-field cron has seconds first', () => {
    expect(iso(nextOccurrences(cron('*/20 * * * * *', 'UTC'), at('2026-01-01T00:00:05Z'), 3))).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
      '2026-01-01T00:01:00.000Z',
    ]);
    expect(iso(nextOccurrences(cron('15 30 9 * * 1-5', 'Europe/Berlin'), at('2026-01-02T12:00:00Z'), 2))).toEqual([
      '2026-01-05T08:30:15.000Z', // Monday 09:30:15 CET
      '2026-01-06T08:30:15.000Z',
    ]);
  });

  it('OnCalendar with a zone is read in that zone, seconds included, and its zone wins over the schedule field', () => {
    const r = onCalendar('Mon..Fri *-*-* 09:00:30 America/New_York', 'Europe/Berlin');
    expect(iso(nextOccurrences(r, at('2026-01-02T15:00:00Z'), 2))).toEqual(['2026-01-05T14:00:30.000Z', '2026-01-06T14:00:30.000Z']);
    expect(iso(nextOccurrences(onCalendar('*-*-* 02:30:00 Europe/Berlin', 'UTC'), at('2026-03-28T12:00:00Z'), 1))).toEqual([
      '2026-03-29T01:00:00.000Z',
    ]);
    expect(iso(nextOccurrences(onCalendar('*:*:0/20', 'UTC'), at('2026-01-01T00:00:00Z'), 2))).toEqual([
      '2026-01-01T00:00:20.000Z',
      '2026-01-01T00:00:40.000Z',
    ]);
  });

  it('OnCalendar shorthands, years and the last day of the month', () => {
    expect(iso(nextOccurrences(onCalendar('weekly', 'UTC'), at('2026-12-02T00:00:00Z'), 1))).toEqual(['2026-12-07T00:00:00.000Z']);
    expect(iso(nextOccurrences(onCalendar('2027-*-* 00:00:05', 'UTC'), at('2026-06-01T00:00:00Z'), 1))).toEqual(['2027-01-01T00:00:05.000Z']);
    expect(iso(nextOccurrences(onCalendar('*-02~01 12:00', 'UTC'), at('2027-01-01T00:00:00Z'), 2))).toEqual([
      '2027-02-28T12:00:00.000Z',
      '2028-02-29T12:00:00.000Z',
    ]);
  });

  it('refuses what it cannot plan, saying why', () => {
    expect(calendarProblem({ kind: 'cron', expr: '* * * *' }, 'UTC')).toMatch(/5 fields/);
    expect(calendarProblem({ kind: 'cron', expr: '0 0 31 2 *' }, 'UTC')).toMatch(/never matches/);
    expect(calendarProblem({ kind: 'cron', expr: '* * * * *' }, 'Mars/Olympus')).toMatch(/unknown time zone/);
    expect(calendarProblem({ kind: 'oncalendar', expr: '*:*/15' }, 'UTC')).toMatch(/not an OnCalendar/);
    expect(calendarProblem({ kind: 'oncalendar', expr: '*-*~03' }, 'UTC')).toMatch(/days before the month's end/);
    expect(calendarProblem({ kind: 'oncalendar', expr: '*:*:00.5' }, 'UTC')).toMatch(/fractions/);
    expect(calendarProblem({ kind: 'cron', expr: '@daily' }, 'UTC')).toBeNull();
    expect(() => nextOccurrences(cron('nope', 'UTC'), at('2026-01-01T00:00:00Z'), 1)).toThrow(InvalidCalendar);
  });

  it('a calendar whose only year is past has no next occurrence; one years ahead is found without walking there', () => {
    expect(nextOccurrences(onCalendar('2020-01-01 00:00:00', 'UTC'), at('2026-01-01T00:00:00Z'), 1)).toEqual([]);
    expect(iso(nextOccurrences(onCalendar('2300-06-01 00:00:00', 'Europe/Berlin'), at('2026-01-01T00:00:00Z'), 1))).toEqual([
      '2300-05-31T22:00:00.000Z',
    ]);
  });

  it('finds the previous occurrence of a Feb 29 calendar, where croner 10 previousRuns throws (pinned)', () => {
    const leap = cron('0 0 29 2 *', 'Europe/Berlin');
    expect(iso(previousOccurrences(leap, at('2026-11-20T12:00:00Z'), at('2020-01-01T00:00:00Z'), 2))).toEqual([
      '2024-02-28T23:00:00.000Z',
      '2020-02-28T23:00:00.000Z',
    ]);
    expect(previousOccurrences(leap, at('2026-11-20T12:00:00Z'), at('2024-03-01T00:00:00Z'), 1)).toEqual([]);
    const alone = new Cron('0 0 29 2 *', { paused: true, utcOffset: 0 });
    expect(() => alone.previousRuns(1, at('2026-11-20T12:00:00Z'))).toThrow(TypeError);
  });

  it('counts a month of per-minute occurrences without listing them, across a DST change', () => {
    const r = cron('* * * * *', 'America/New_York');
    const after = at('2026-10-15T00:00:00Z');
    const until = at('2026-11-14T00:00:00Z');
    expect(countOccurrences(r, after, until)).toBe(30 * 1440);
    expect(countOccurrences(cron('0 9 * * 1-5', 'America/New_York'), after, until)).toBe(22); // Oct 15-16, then four full weeks
    expect(countOccurrences(cron('30 1 * * *', 'America/New_York'), after, until)).toBe(30);
  });
});

// Independent oracle: step every minute through real time and read the wall clock with Intl.
const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'] as const;
const TRANSITIONS: Record<(typeof ZONES)[number], readonly string[]> = {
  'America/New_York': ['2026-03-08T07:00:00Z', '2026-11-01T06:00:00Z'],
  'Europe/Berlin': ['2026-03-29T01:00:00Z', '2026-10-25T01:00:00Z'],
  'Australia/Lord_Howe': ['2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z'],
};

function oracle(minute: string, hour: string, rest: string, zone: string, after: number, until: number): number[] {
  const matcher = new Cron(`${minute} ${hour} ${rest}`, { paused: true, utcOffset: 0 });
  const fixed = !(hour.includes('*') || hour.includes('/'));
  const out: number[] = [];
  const seen = new Set<string>();
  let gapPending = false;
  for (let t = Math.floor(after / 60_000) * 60_000 - 4 * 3600_000; t <= until; t += 60_000) {
    const w = wallAsUtc(t, zone);
    const previousWall = wallAsUtc(t - 60_000, zone).getTime();
    const jumped = w.getTime() - previousWall > 60_000;
    if (fixed && jumped) {
      // Wall minutes skipped between the previous instant and this one: a fixed calendar runs them now, once.
      for (let g = previousWall + 60_000; g < w.getTime(); g += 60_000) if (matcher.match(new Date(g))) gapPending = true;
    }
    const key = w.toISOString();
    const matches = matcher.match(w) && !(fixed && seen.has(key));
    seen.add(key);
    if ((matches || gapPending) && t > after) out.push(t);
    gapPending = false;
  }
  return out;
}

describe('properties against a minute-by-minute oracle, in the three zones around their DST changes', () => {
  const minute = fc.constantFrom('*', '*/15', '0', '30', '0,45', '5-10', '15');
  const hour = fc.constantFrom('*', '*/2', '1', '2', '1-3', '0,2', '3');
  const rest = fc.constantFrom('* * *', '* * 0', '* * 1-5', '1,4,5 * *', 'L * *', '* * 0#1', '1-7 * +0');
  const zone = fc.constantFrom(...ZONES);
  const which = fc.integer({ min: 0, max: 1 });
  const offsetMin = fc.integer({ min: -30 * 60, max: 6 * 60 });
  const lengthMin = fc.integer({ min: 1, max: 30 * 60 });

  it('occurrencesBetween is sorted, never repeats an instant, equals the oracle, and agrees with count and previous', () => {
    fc.assert(
      fc.property(minute, hour, rest, zone, which, offsetMin, lengthMin, (m, h, r, z, i, off, len) => {
        const transition = at(TRANSITIONS[z][i] ?? '').getTime();
        const after = transition + off * 60_000;
        const until = after + len * 60_000;
        const rules = cron(`${m} ${h} ${r}`, z);
        const list = occurrencesBetween(rules, new Date(after), new Date(until), 10_000).map((d) => d.getTime());
        for (let k = 1; k < list.length; k++) expect(list[k]).toBeGreaterThan(list[k - 1] ?? Infinity);
        expect(list).toEqual(oracle(m, h, r, z, after, until));
        expect(countOccurrences(rules, new Date(after), new Date(until))).toBe(list.length);
        const newest = previousOccurrences(rules, new Date(until), new Date(after), 3).map((d) => d.getTime());
        expect(newest).toEqual(list.slice(-3).reverse());
        expect(nextOccurrences(rules, new Date(after), 2).map((d) => d.getTime()).slice(0, list.length)).toEqual(list.slice(0, 2));
      }),
      { numRuns: 60 },
    );
  });
});

describe('properties over months: counting by day blocks agrees with listing one by one', () => {
  it('count, list, previous and next agree for day-restricted calendars over up to 300 days', () => {
    const expr = fc.constantFrom('0 9 * * 1-5', '30 2 * * 0', '0 0 L * *', '0 12 * * 5#2', '15 10 1-7 * +1', '0 0 29 2 *', '0 */6 13 * *', '0 30 8 * * 6');
    fc.assert(
      fc.property(
        expr,
        fc.constantFrom('UTC', ...ZONES),
        fc.integer({ min: Date.parse('2023-06-01T00:00:00Z'), max: Date.parse('2027-06-01T00:00:00Z') }),
        fc.integer({ min: 0, max: 300 * 24 * 60 }),
        (e, z, afterAt, minutes) => {
          const rules = cron(e, z);
          const after = new Date(afterAt);
          const until = new Date(afterAt + minutes * 60_000);
          const list = occurrencesBetween(rules, after, until, 100_000).map((d) => d.getTime());
          expect(countOccurrences(rules, after, until)).toBe(list.length);
          expect(previousOccurrences(rules, until, after, 100_000).map((d) => d.getTime())).toEqual([...list].reverse());
          for (let k = 1; k < list.length; k++) expect(list[k]).toBeGreaterThan(list[k - 1] ?? Infinity);
          const next = nextOccurrences(rules, after, 1)[0]?.getTime();
          if (list.length > 0) expect(next).toBe(list[0]);
          else if (next !== undefined) expect(next).toBeGreaterThan(until.getTime());
        },
      ),
      { numRuns: 120 },
    );
  });
});
