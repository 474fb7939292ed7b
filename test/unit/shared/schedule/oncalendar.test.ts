import { describe, expect, it } from 'vitest';
import { readOnCalendar } from '../../../../shared/schedule/oncalendar.js';
import { nextOccurrences } from '../../../../shared/schedule/occurrences.js';
import { isValidZone } from '../../../../shared/schedule/zone.js';

// Expected values printed by `TZ=UTC systemd-analyze calendar --base-time='2026-12-02 16:00:00 UTC' --iterations=2`
// (systemd 252, Debian 12), none of them on a DST day, where systemd's rules differ from ours (see occurrences.ts).
const SYSTEMD: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['*:0/15', ['2026-12-02T16:15:00Z', '2026-12-02T16:30:00Z']],
  ['Mon..Fri 09:00', ['2026-12-03T09:00:00Z', '2026-12-04T09:00:00Z']],
  ['*-*~01', ['2026-12-31T00:00:00Z', '2027-01-31T00:00:00Z']],
  ['2027-*-* 00:00:05', ['2027-01-01T00:00:05Z', '2027-01-02T00:00:05Z']],
  ['*:*:0/10', ['2026-12-02T16:00:10Z', '2026-12-02T16:00:20Z']],
  ['weekly', ['2026-12-07T00:00:00Z', '2026-12-14T00:00:00Z']],
  ['quarterly', ['2027-01-01T00:00:00Z', '2027-04-01T00:00:00Z']],
  ['Sat,Sun *-*-* 10:30:00 Europe/Berlin', ['2026-12-05T09:30:00Z', '2026-12-06T09:30:00Z']],
  ['Mon *-*-1..7 06:00', ['2026-12-07T06:00:00Z', '2027-01-04T06:00:00Z']],
  ['*-02-29 12:00:00', ['2028-02-29T12:00:00Z', '2032-02-29T12:00:00Z']],
  ['*-*-* 08..18/2:00:00', ['2026-12-02T18:00:00Z', '2026-12-03T08:00:00Z']],
  ['Fri *-*-13 13:13:13', ['2027-08-13T13:13:13Z', '2028-10-13T13:13:13Z']],
  ['*-1/2-1 00:00', ['2027-01-01T00:00:00Z', '2027-03-01T00:00:00Z']],
  ['2026..2028-06-01 00:00 America/New_York', ['2027-06-01T04:00:00Z', '2028-06-01T04:00:00Z']],
  ['*-*-* 9,17:30', ['2026-12-02T17:30:00Z', '2026-12-03T09:30:00Z']],
  ['Mon,Wed..Fri 07:45:30 Australia/Lord_Howe', ['2026-12-02T20:45:30Z', '2026-12-03T20:45:30Z']],
];

describe('the planner reads OnCalendar= as systemd does', () => {
  it.each(SYSTEMD)('%s', (expr, expected) => {
    const got = nextOccurrences({ calendar: { kind: 'oncalendar', expr }, timezone: 'UTC' }, new Date('2026-12-02T16:00:00Z'), 2);
    expect(got.map((d) => d.toISOString().replace('.000', ''))).toEqual(expected);
  });

  it('says which hours are elapsed time (a `*` or a step) and which are fixed', () => {
    const hourWildcard = (expr: string): boolean | null => {
      const r = readOnCalendar(expr, isValidZone);
      return r.ok ? r.value.hourWildcard : null;
    };
    expect([hourWildcard('hourly'), hourWildcard('*:0/15'), hourWildcard('*-*-* 08..18/2:00'), hourWildcard('daily'), hourWildcard('*-*-* 9,17:30')]).toEqual([
      true, true, true, false, false,
    ]);
  });

  it('keeps the zone it names and refuses one that does not exist or text after the zone', () => {
    const r = readOnCalendar('*-*-* 00:15:00 Europe/Berlin', isValidZone);
    expect(r.ok && r.value.timezone).toBe('Europe/Berlin');
    expect(readOnCalendar('*-*-* 00:15:00 Europe/Atlantis', isValidZone)).toEqual({ ok: false, reason: 'unknown time zone "Europe/Atlantis"' });
    expect(readOnCalendar('daily\nExecStartPre=/bin/sh', isValidZone).ok).toBe(false);
    expect(readOnCalendar('', isValidZone).ok).toBe(false);
  });
});
