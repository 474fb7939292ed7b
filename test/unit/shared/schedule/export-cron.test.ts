/**
 * Crontab exports: the CRON_TZ= line and one 5-field line every cron reads, cron's `%` rule kept, the overlap,
 * jitter and weekday guards, and what cron cannot say refused with why. (A real /bin/sh runs the line in
 * test/integration/schedule-export.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { jitterMs } from '../../../../shared/schedule/jitter.js';
import { HOSTILE_VALUES } from '../../../helpers/hostile-values.js';
import { ID, NAME, schedule, exported, refusal } from '../../../helpers/schedule-export.js';


const entryLine = (crontab: string): string => crontab.split('\n').find((l) => l !== '' && !l.startsWith('#') && !l.startsWith('CRON_TZ=')) ?? '';

describe('crontab export', () => {
  it('writes CRON_TZ= and one 5-field line with the command, flock -n for overlap skip', () => {
    const crontab = exported(schedule({ calendar: { kind: 'cron', expr: '15 0 * * *' }, timezone: 'America/New_York' }), 'cron')[`${NAME}.crontab`] ?? '';
    const lines = crontab.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(lines).toEqual([
      'CRON_TZ=America/New_York',
      `15 0 * * * 'flock' '-n' '/tmp/${NAME}.lock' '/usr/local/bin/opsdeck' 'run' '/srv/runbooks/backup.md' '--section=Nightly' '--yes' '--json'`,
    ]);
    expect(crontab).toMatch(/^# catch-up latest cannot be expressed: cron has no catch-up/m);
  });

  it.each([
    ['0 9 * * MON-FRI', '0 9 * * 1-5'],
    ['*/10 8-17 1,15 JAN,JUL *', '*/10 8-17 1,15 1,7 *'],
    ['0 0 * * 7', '0 0 * * 0'],
    ['0 30 6 * * *', '30 6 * * *'],
    ['5 4 1,15 * 1', '5 4 1,15 * 1'],
    ['@hourly', '0 * * * *'],
  ])('writes cron %s as %s, in fields every cron reads', (expr, expected) => {
    const line = entryLine(exported(schedule({ calendar: { kind: 'cron', expr }, overlap: 'allow' }), 'cron')[`${NAME}.crontab`] ?? '');
    expect(line.split(' ').slice(0, 5).join(' ')).toBe(expected);
  });

  it('translates OnCalendar to cron, and refuses with the translator\'s reason what cron cannot say', () => {
    const line = entryLine(exported(schedule({ calendar: { kind: 'oncalendar', expr: 'Mon..Fri *-*-* 07:45 Asia/Tokyo' } }), 'cron')[`${NAME}.crontab`] ?? '');
    expect(line.split(' ').slice(0, 5).join(' ')).toBe('45 7 * * 1-5');
    const crontab = exported(schedule({ calendar: { kind: 'oncalendar', expr: 'Mon..Fri *-*-* 07:45 Asia/Tokyo' } }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(crontab).toMatch(/^CRON_TZ=Asia\/Tokyo$/m);
    expect(refusal(schedule({ calendar: { kind: 'oncalendar', expr: '*-*-* 07:45:30' } }), 'cron')).toBe('seconds ("30") cannot be expressed in 5-field cron');
  });

  it.each([
    ['30 */5 * * * *', /^seconds cannot be expressed in 5-field cron/],
    ['0 0 L * *', /^cron has no "last day of the month"$/],
    ['0 9 * * 1#1,3', /^cron cannot require a weekday AND a day of the month \(it runs on either\) in a calendar that also has other days$/],
    ['0 9 15W * *', /^"W" \(the weekday nearest a date\) has no equivalent/],
  ])('refuses %s, saying why', (expr, reason) => {
    expect(refusal(schedule({ calendar: { kind: 'cron', expr } }), 'cron')).toMatch(reason);
    expect(refusal(schedule({ calendar: { kind: 'cron', expr } }), 'k8s')).toMatch(reason);
  });

  it.each([
    ['0 9 1-7 * +MON', `0 9 1-7 * * [ "$(TZ='Europe/Berlin' date +\\%w)" = 1 ] && '/usr/local/bin/opsdeck' `],
    ['0 9 * * 1#1', `0 9 1-7 * * [ "$(TZ='Europe/Berlin' date +\\%w)" = 1 ] && '/usr/local/bin/opsdeck' `],
    ['30 6 8-14 * +1-3', `30 6 8-14 * * TZ='Europe/Berlin' date +\\%w | grep -qx '[123]' && '/usr/local/bin/opsdeck' `],
  ])('writes %s (a weekday AND days of the month) as the days, checking the weekday in the line; a CronJob refuses it', (expr, start) => {
    const crontab = exported(schedule({ calendar: { kind: 'cron', expr }, overlap: 'allow' }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(entryLine(crontab).startsWith(start), entryLine(crontab)).toBe(true);
    expect(crontab).toMatch(/^# weekday AND day of the month: cron runs on the days of the month, and the line checks the weekday \(.*\) in Europe\/Berlin itself before running$/m);
    expect(refusal(schedule({ calendar: { kind: 'cron', expr } }), 'k8s')).toMatch(/^cron cannot require a weekday AND a day of the month \(it runs on either\), e.g. "the first Monday"$/);
  });

  it('waits on the lock for overlap queue, and runs unwrapped for allow, saying so', () => {
    const queue = exported(schedule({ overlap: 'queue' }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(entryLine(queue)).toContain(` 'flock' '/tmp/${NAME}.lock' '/usr/local/bin/opsdeck' `);
    expect(queue).toMatch(/^# overlap queue: flock .* cron may have more than one waiting, Opsdeck at most one$/m);
    expect(entryLine(exported(schedule({ overlap: 'allow' }), 'cron')[`${NAME}.crontab`] ?? '')).not.toContain('flock');
  });

  it('sleeps for the schedule\'s own jitter before taking the lock, the delay Opsdeck uses, and not at all without jitter', () => {
    const delay = Math.floor(jitterMs(ID, 300) / 1000);
    expect(delay).toBeGreaterThan(0);
    const crontab = exported(schedule({ jitterSec: 300 }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(entryLine(crontab)).toMatch(new RegExp(`^0 9 \\* \\* \\* sleep ${delay} && 'flock' '-n' `));
    expect(crontab).toContain(`# jitter: the line sleeps ${delay} s first, the delay Opsdeck gives this schedule (of up to 300 s), to the second`);
    expect(entryLine(exported(schedule(), 'cron')[`${NAME}.crontab`] ?? '')).not.toContain('sleep');
  });

  it('says each secret must be in the crontab\'s environment, and writes no value for it', () => {
    const crontab = exported(schedule({}, { secretParams: ['API_KEY'] }), 'cron')[`${NAME}.crontab`] ?? '';
    expect(crontab).toMatch(/^# API_KEY must be set in this crontab's environment/m);
    expect(entryLine(crontab)).not.toContain('API_KEY');
  });

  it.each(HOSTILE_VALUES)('escapes every %% of %s for cron, and no backslash of the value stands before one', (_label, make) => {
    const value = make('/tmp/opsdeck-pwned');
    const line = entryLine(exported(schedule({}, { section: value, params: { P: `${value}%\\%` } }), 'cron')[`${NAME}.crontab`] ?? '');
    for (let i = line.indexOf('%'); i >= 0; i = line.indexOf('%', i + 1)) {
      expect(line.slice(i - 2, i), `at ${i} of ${line}`).toBe("'\\");
    }
  });

  it('refuses a value with a line break, which a crontab line cannot hold', () => {
    expect(refusal(schedule({}, { params: { P: 'a\nb' } }), 'cron')).toMatch(/^a crontab line cannot hold a line break/);
  });
});
