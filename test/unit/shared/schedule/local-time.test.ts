import { describe, expect, it } from 'vitest';
import { localTime } from '../../../../shared/schedule/local-time.js';
import { nextOccurrences } from '../../../../shared/schedule/occurrences.js';

describe('local time of an occurrence', () => {
  it('tells the two 01:30s of a fall-back night apart by their offset', () => {
    const both = nextOccurrences({ calendar: { kind: 'cron', expr: '30 * * * *' }, timezone: 'America/New_York' }, new Date('2026-11-01T05:00:00Z'), 2);
    expect(both.map((d) => localTime(d, 'America/New_York').iso)).toEqual(['2026-11-01T01:30:00-04:00', '2026-11-01T01:30:00-05:00']);
  });

  it('shows half-hour offsets, UTC, and round-trips to the same instant', () => {
    const t = new Date('2026-10-03T15:30:00Z');
    expect(localTime(t, 'Australia/Lord_Howe')).toEqual({ local: '2026-10-04 02:30:00', utcOffset: '+11:00', iso: '2026-10-04T02:30:00+11:00' });
    expect(localTime(new Date('2026-04-04T15:15:00Z'), 'Australia/Lord_Howe').utcOffset).toBe('+10:30');
    expect(localTime(t, 'UTC').iso).toBe('2026-10-03T15:30:00+00:00');
    expect(new Date(localTime(t, 'America/New_York').iso).getTime()).toBe(t.getTime());
  });
});
