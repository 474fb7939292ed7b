import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Cron } from 'croner';
import { describe, it, expect } from 'vitest';
import { frequencyToCron, onCalendarToCron, parseCrontabLine, zoneFromText } from '../../../../shared/runbook/schedule.js';
import type { CronDerivation } from '../../../../shared/runbook/schedule.js';

// Every cron any test derives is collected here and handed to croner at the end.
const derived: { input: string; cron: string; timezone: string | null }[] = [];
function keep(input: string, result: { cron: string | null; timezone?: string | null }): void {
  if (result.cron !== null) derived.push({ input, cron: result.cron, timezone: result.timezone ?? null });
}

const ASSUMED_TIME = /no time of day given; 09:00 assumed/;
const NOT_RECURRING = /not (?:at a fixed time|on a recurring schedule|a recurring schedule)/;

describe('parseCrontabLine', () => {
  it.each([
    ['15 0 * * * cmd args', '15 0 * * *', 'cmd args'],
    ['  */5   *  *  *  1-5   /usr/bin/backup --full  ', '*/5 * * * 1-5', '/usr/bin/backup --full'],
    ['0 9 * * MON-FRI  run  --x "a  b"', '0 9 * * MON-FRI', 'run  --x "a  b"'],
    ['30 2 1,15 JAN,jul sun echo hi', '30 2 1,15 JAN,jul sun', 'echo hi'],
    ['0 0-23/2 * * 7 job', '0 0-23/2 * * 7', 'job'],
    ['59 23 31 12 0 x', '59 23 31 12 0', 'x'],
  ])('reads %j', (line, cron, command) => {
    const entry = parseCrontabLine(line);
    expect(entry).toEqual({ cron, command, reason: null });
    keep(line, { cron: entry?.cron ?? null });
  });

  it.each([
    ['@daily cmd', '0 0 * * *'],
    ['@midnight cmd', '0 0 * * *'],
    ['@hourly cmd', '0 * * * *'],
    ['@weekly cmd', '0 0 * * 0'],
    ['@monthly cmd', '0 0 1 * *'],
    ['@yearly cmd', '0 0 1 1 *'],
    ['@annually cmd', '0 0 1 1 *'],
  ])('expands %j', (line, cron) => {
    expect(parseCrontabLine(line)).toEqual({ cron, command: 'cmd', reason: null });
    keep(line, { cron });
  });

  it('keeps @reboot as an entry without a cron', () => {
    const entry = parseCrontabLine('@reboot /usr/local/bin/warm-cache --all');
    expect(entry?.cron).toBeNull();
    expect(entry?.command).toBe('/usr/local/bin/warm-cache --all');
    expect(entry?.reason).toMatch(/boot/);
  });

  it.each([
    'echo 1 2 3 4 5',
    'ls * * *',
    'ls * * * * *',
    'for i in 1 2 3',
    'for i in 1 2 3 4 5; do echo $i; done',
    'rm -rf /tmp/x',
    'kubectl get pods -n kube-system -o wide',
    '1 2 3 4 5',
    '*/5 * * * *',
    '@daily',
    '@every 5m cmd',
    'CRON_TZ=UTC',
    'TZ=Europe/Berlin 0 0 * * * cmd',
    '# 0 0 * * * commented out',
    '',
  ])('rejects the non-entry %j', (line) => {
    expect(parseCrontabLine(line)).toBeNull();
  });

  it.each([
    ['60 * * * * x', 'minute out of range'],
    ['0 24 * * * x', 'hour out of range'],
    ['0 0 0 * * x', 'day of month 0'],
    ['0 0 32 * * x', 'day of month 32'],
    ['0 0 * 13 * x', 'month 13'],
    ['0 0 * * 8 x', 'weekday 8'],
    ['5-3 * * * * x', 'reversed range'],
    ['0/15 * * * * x', 'numeric-prefix step croner refuses'],
    ['*/0 * * * * x', 'zero step'],
    ['0 0 * MON * x', 'weekday name in the month field'],
    ['0 0 * * JAN x', 'month name in the weekday field'],
    ['0 0 L * * x', 'croner-only L'],
    ['0 0 * * 1#1 x', 'croner-only #'],
    ['1,,2 * * * * x', 'empty list item'],
  ])('rejects %j (%s)', (line) => {
    expect(parseCrontabLine(line)).toBeNull();
  });

  it('keeps a well-formed entry that never fires, without a cron', () => {
    const entry = parseCrontabLine('0 0 31 2 * never');
    expect(entry?.cron).toBeNull();
    expect(entry?.command).toBe('never');
    expect(entry?.reason).toMatch(/never matches/);
  });
});

describe('onCalendarToCron', () => {
  const cases: [string, string, string | null][] = [
    // shorthands
    ['minutely', '* * * * *', null],
    ['hourly', '0 * * * *', null],
    ['daily', '0 0 * * *', null],
    ['Daily', '0 0 * * *', null],
    ['weekly', '0 0 * * 1', null],
    ['monthly', '0 0 1 * *', null],
    ['yearly', '0 0 1 1 *', null],
    ['annually', '0 0 1 1 *', null],
    ['quarterly', '0 0 1 1,4,7,10 *', null],
    ['semiannually', '0 0 1 1,7 *', null],
    ['daily UTC', '0 0 * * *', 'UTC'],
    ['hourly Europe/Berlin', '0 * * * *', 'Europe/Berlin'],
    // full form, time zones
    ['*-*-* 00:15:00 UTC', '15 0 * * *', 'UTC'],
    ['*-*-* 00:15:00', '15 0 * * *', null],
    ['*-*-* 06:00 America/New_York', '0 6 * * *', 'America/New_York'],
    // weekday part optional, lists and ranges
    ['Mon *-*-* 09:00', '0 9 * * 1', null],
    ['Monday *-*-* 9:00', '0 9 * * 1', null],
    ['mon 9:00', '0 9 * * 1', null],
    ['Mon..Fri *-*-* 8..18/2:00', '0 8-18/2 * * 1-5', null],
    ['Mon-Fri 09:00', '0 9 * * 1-5', null],
    ['Mon,Wed..Fri 10:00', '0 10 * * 1,3-5', null],
    ['Sat,Sun 10:00', '0 10 * * 6,0', null],
    ['Sat..Sun *-*-* 10:00', '0 10 * * 6-7', null],
    ['Mon', '0 0 * * 1', null],
    // date part: numbers, lists, ranges, repetitions, MM-DD, last day
    ['*-*-01 04:00:00', '0 4 1 * *', null],
    ['*-*-1', '0 0 1 * *', null],
    ['*-01,04,07,10-01 00:00:00', '0 0 1 1,4,7,10 *', null],
    ['*-*-1..7 12:00', '0 12 1-7 * *', null],
    ['*-1/3-1', '0 0 1 */3 *', null],
    ['*-*-1/2 03:00', '0 3 */2 * *', null],
    ['*-*-5/10', '0 0 5-31/10 * *', null],
    ['12-24 10:00', '0 10 24 12 *', null],
    ['01-01', '0 0 1 1 *', null],
    ['*-*~01', '0 0 L * *', null],
    ['*-02~1 23:00', '0 23 L 2 *', null],
    // weekday AND date: croner's "+" keeps systemd's AND semantics
    ['Sat *-*-1..7 18:00', '0 18 1-7 * +6', null],
    // time part: omitted date, lists, repetitions, seconds 0
    ['*:0/15', '*/15 * * * *', null],
    ['*:*', '* * * * *', null],
    ['*-*-* 0,12:00', '0 0,12 * * *', null],
    ['*-*-* 8..18/2:0/30', '*/30 8-18/2 * * *', null],
    ['*-*-* 5/20:00', '0 5-23/20 * * *', null],
    ['*-*-* *:15:00', '15 * * * *', null],
    ['9:00 Europe/Berlin', '0 9 * * *', 'Europe/Berlin'],
    ['*-*-* 00:00:00.000', '0 0 * * *', null],
    ['*-*-* 7:5', '5 7 * * *', null],
  ];
  it.each(cases)('%j -> %j', (value, cron, timezone) => {
    const result = onCalendarToCron(value);
    expect(result).toEqual({ cron, timezone, reason: null });
    keep(value, result);
  });

  it.each([
    ['*-*-* 9:00:30', /seconds/],
    ['*-*-* *:*:*', /seconds/],
    ['*:0/15:0/30', /seconds/],
    ['*-*-* 00:00:00.5', /seconds/],
    ['2024-*-* 00:00', /specific year/],
    ['Mon 2026-*-* 00:00', /specific year/],
    ['2025..2030-01-01', /specific year/],
    ['*-*~03', /month's end/],
    ['*-02-31', /never matches/],
  ])('%j cannot be cron', (value, reason) => {
    const result = onCalendarToCron(value);
    expect(result.cron).toBeNull();
    expect(result.reason).toMatch(reason);
  });

  it.each([
    'garbage here',
    'every tuesday at noon',
    '',
    'Sun..Sat 10:00',
    'Fri..Mon 10:00',
    '*-*-* 24:00',
    '*-*-* *:*/15',
    '*/2:00',
    '*-13-01',
    '*-*-32',
    '*-*-* 00:60',
    'daily weekly',
    'Mon *-*-* 09:00 Not/AZone',
    '*-*-* 09:00 Mon',
  ])('does not understand %j', (value) => {
    const result = onCalendarToCron(value);
    expect(result.cron).toBeNull();
    expect(result.reason).toBe(`not an OnCalendar expression I understand: "${value.trim()}"`);
  });
});

describe('frequencyToCron', () => {
  const cases: [string, string, string | null, RegExp | null][] = [
    ['Daily, 9:00 AM EST', '0 9 * * *', 'America/New_York', null],
    ['Daily, 6:00 PM EST', '0 18 * * *', 'America/New_York', null],
    ['Weekly, Sunday 2:00 AM EST', '0 2 * * 0', 'America/New_York', null],
    ['Monthly, first Monday', '0 9 * * 1#1', null, ASSUMED_TIME],
    ['Monthly', '0 9 1 * *', null, ASSUMED_TIME],
    ['Quarterly', '0 9 1 1,4,7,10 *', null, ASSUMED_TIME],
    ['Daily', '0 9 * * *', null, ASSUMED_TIME],
    ['Hourly', '0 * * * *', null, null],
    ['every 5 minutes', '*/5 * * * *', null, null],
    ['Every 15 min', '*/15 * * * *', null, null],
    ['Weekdays at 08:30 UTC', '30 8 * * 1-5', 'UTC', null],
    ['Every Tuesday and Thursday at 14:00 CET', '0 14 * * 2,4', 'Europe/Paris', null],
    ['Before major releases, quarterly', '0 9 1 1,4,7,10 *', null, ASSUMED_TIME],
    ['Monthly, controlled environment', '0 9 1 * *', null, ASSUMED_TIME],
    // clock time spellings
    ['Daily at 9:00 AM', '0 9 * * *', null, null],
    ['Daily at 9 AM', '0 9 * * *', null, null],
    ['Daily at 9am', '0 9 * * *', null, null],
    ['Daily at 09:00', '0 9 * * *', null, null],
    ['Daily at 21:30', '30 21 * * *', null, null],
    ['Daily at noon', '0 12 * * *', null, null],
    ['Daily at midnight', '0 0 * * *', null, null],
    ['Nightly, 12:15 a.m.', '15 0 * * *', null, null],
    ['Daily, 12 PM', '0 12 * * *', null, null],
    ['Run every day at `00:15 UTC`:', '15 0 * * *', 'UTC', null],
    // more shapes
    ['Weekly', '0 9 * * 1', null, /Monday assumed/],
    ['Every Monday', '0 9 * * 1', null, ASSUMED_TIME],
    ['Mondays at 7 PM PT', '0 19 * * 1', 'America/Los_Angeles', null],
    ['Monday to Friday, 06:00 Europe/Berlin', '0 6 * * 1-5', 'Europe/Berlin', null],
    ['Mon-Fri 17:45 CET', '45 17 * * 1-5', 'Europe/Paris', null],
    ['Weekends at 03:00', '0 3 * * 0,6', null, null],
    ['Daily except Sundays at 9 AM', '0 9 * * 1-6', null, null],
    ['Twice daily at 09:00 and 21:00', '0 9,21 * * *', null, null],
    ['every minute', '* * * * *', null, null],
    ['every 7 minutes', '*/7 * * * *', null, /does not divide the hour/],
    ['Every 2 hours', '0 */2 * * *', null, null],
    ['Every 6 hours at 02:00', '0 2-23/6 * * *', null, null],
    ['On the 15th of every month', '0 9 15 * *', null, ASSUMED_TIME],
    ['Last Friday of the month at 17:00', '0 17 * * 5#L', null, null],
    ['Monthly, last day, 23:00 UTC', '0 23 L * *', 'UTC', null],
    ['Semi-annually', '0 9 1 1,7 *', null, ASSUMED_TIME],
    ['Annually in March', '0 9 1 3 *', null, ASSUMED_TIME],
    ['Every 3 months', '0 9 1 1,4,7,10 *', null, ASSUMED_TIME],
    ['Once a week, Friday 16:00 GMT', '0 16 * * 5', 'UTC', null],
    ['Daily 10:00 UTC+2', '0 10 * * *', 'Etc/GMT-2', null],
  ];
  it.each(cases)('%j -> %j', (text, cron, timezone, reason) => {
    const result = frequencyToCron(text);
    expect(result.cron).toBe(cron);
    expect(result.timezone).toBe(timezone);
    if (reason === null) expect(result.reason).toBeNull();
    else expect(result.reason).toMatch(reason);
    keep(text, result);
  });

  it('names the 1st as assumed for a bare monthly period', () => {
    expect(frequencyToCron('Monthly').reason).toMatch(/the 1st assumed/);
  });

  it('treats a trigger without a clock time as event-driven', () => {
    expect(frequencyToCron('Daily, after backup completion')).toEqual<CronDerivation>({
      cron: null,
      timezone: null,
      reason: 'runs after an event ("after backup completion"), not at a fixed time',
    });
  });

  it('lets an explicit clock time win over trigger words', () => {
    expect(frequencyToCron('Daily at 02:00 UTC, after the backup window').cron).toBe('0 2 * * *');
  });

  it.each([
    'As needed',
    'As needed (feature releases)',
    'When alerts fire',
    'When SLO alerts fire',
    'After security alerts',
    'Critical situations only',
    'When new SREs join',
    'When resource alerts trigger or planned',
    'Major releases or high-risk deployments',
    'On demand',
    'Weekly, if the queue is not empty',
    'Once the migration completes',
  ])('%j is not a recurring schedule', (text) => {
    const result = frequencyToCron(text);
    expect(result.cron).toBeNull();
    expect(result.reason).toMatch(NOT_RECURRING);
  });

  it('quotes the on-demand clause', () => {
    expect(frequencyToCron('As needed (feature releases)').reason).toContain('"As needed"');
  });

  it.each([
    ['Biweekly', /every two weeks/],
    ['every other week', /every two weeks/],
    ['Every 90 minutes', /cannot be expressed/],
    ['Every 5 months', /cannot be expressed/],
    ['Every 2 days', /cannot be expressed/],
    ['Twice daily', /without their clock times/],
    ['Daily at 9:00 and 9:30', /different minutes/],
    ['Every 5 minutes at 09:00', /ambiguous/],
    ['Daily at 09:00:30', /seconds/],
    ['', /no frequency/],
    [`Daily. ${'word '.repeat(60)}`, /prose/],
  ])('%j cannot be cron', (text, reason) => {
    const result = frequencyToCron(text);
    expect(result.cron).toBeNull();
    expect(result.reason).toMatch(reason);
  });
});

describe('zoneFromText', () => {
  it.each([
    ['Run every day at `00:15 UTC`:', 'UTC'],
    ['9:00 AM EST', 'America/New_York'],
    ['9:00 AM EDT', 'America/New_York'],
    ['9:00 ET', 'America/New_York'],
    ['10:00 Eastern', 'America/New_York'],
    ['Eastern Time', 'America/New_York'],
    ['6 PM CST', 'America/Chicago'],
    ['CDT', 'America/Chicago'],
    ['at noon CT', 'America/Chicago'],
    ['Central Standard Time', 'America/Chicago'],
    ['MST', 'America/Denver'],
    ['MDT', 'America/Denver'],
    ['08:00 MT', 'America/Denver'],
    ['8 am Mountain', 'America/Denver'],
    ['PST', 'America/Los_Angeles'],
    ['PDT', 'America/Los_Angeles'],
    ['PT', 'America/Los_Angeles'],
    ['Pacific time', 'America/Los_Angeles'],
    ['GMT', 'UTC'],
    ['00:15Z', 'UTC'],
    ['00:15 Z', 'UTC'],
    ['Zulu', 'UTC'],
    ['CET', 'Europe/Paris'],
    ['CEST', 'Europe/Paris'],
    ['BST', 'Europe/London'],
    ['IST', 'Asia/Kolkata'],
    ['JST', 'Asia/Tokyo'],
    ['AEST', 'Australia/Sydney'],
    ['AEDT', 'Australia/Sydney'],
    ['UTC+2', 'Etc/GMT-2'],
    ['GMT-5', 'Etc/GMT+5'],
    ['UTC+00:00', 'UTC'],
    ['runs at 09:00 Europe/Berlin', 'Europe/Berlin'],
    ['America/Argentina/Buenos_Aires', 'America/Argentina/Buenos_Aires'],
    ['03:00 UTC, reported in PST', 'UTC'],
  ])('%j -> %j', (text, zone) => {
    expect(zoneFromText(text)).toBe(zone);
  });

  it.each([
    'the latest test results',
    'est',
    'Est',
    'et cetera',
    'pt of failure',
    'Central logging server',
    'Pacific Ocean',
    'Plan Z',
    'GET /health',
    'TCP/IP and Foo/Bar',
    'GMT+05:30',
    '',
  ])('%j names no zone', (text) => {
    expect(zoneFromText(text)).toBeNull();
  });
});

describe('every derived cron', () => {
  it('was collected', () => {
    expect(derived.length).toBeGreaterThan(80);
  });

  it('is accepted by croner and has a next run', () => {
    for (const { input, cron, timezone } of derived) {
      const job = new Cron(cron, { paused: true, ...(timezone ? { timezone } : {}) });
      expect(job.nextRun(), `${input} -> ${cron}`).toBeInstanceOf(Date);
    }
  });
});

const SYSTEMD_ANALYZE = '/usr/bin/systemd-analyze';

describe.runIf(existsSync(SYSTEMD_ANALYZE))('agreement with systemd-analyze', () => {
  function systemdNext(expression: string): string[] {
    const out = execFileSync(SYSTEMD_ANALYZE, ['calendar', '--iterations=3', expression], {
      encoding: 'utf8',
      env: { ...process.env, TZ: 'UTC' },
    });
    return [...out.matchAll(/(?:Next elapse|Iter\. #\d+): \w+ (\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}) UTC/g)].map(
      (m) => `${m[1]}T${m[2]}.000Z`,
    );
  }

  it.each([
    '*-*-* 00:15:00 UTC',
    'Mon *-*-* 09:00',
    'daily',
    'weekly',
    'monthly',
    'quarterly',
    'semiannually',
    'yearly',
    'hourly',
    '*-*-01 04:00:00',
    'Mon..Fri *-*-* 8..18/2:00',
    'Mon,Wed..Fri 10:00',
    'Sat..Sun *-*-* 10:00',
    '*:0/15',
    '*-*-* 3/7:00',
    '*-*-5/10 06:00',
    '*-1/3-1 06:30',
    'Sat *-*-1..7 18:00',
    '*-*~01 23:00',
    '12-24 10:00',
    'daily America/New_York',
    'Mon..Fri 09:30 Europe/Berlin',
  ])('%j fires when systemd would', (expression) => {
    const { cron, timezone } = onCalendarToCron(expression);
    expect(cron).not.toBeNull();
    const before = new Date();
    const expected = systemdNext(expression);
    const after = new Date();
    expect(expected).toHaveLength(3);
    const job = new Cron(cron ?? '', { paused: true, timezone: timezone ?? 'UTC' });
    const runs = (from: Date): string[] => job.nextRuns(3, from).map((d) => d.toISOString());
    // systemd computed from some instant between before and after; a run falling in that gap shifts the list.
    const ours = runs(before);
    expect(ours.join() === expected.join() ? ours : runs(after)).toEqual(expected);
  });
});
