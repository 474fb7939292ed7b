import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_CATCH_UP_RUNS } from '../../../../shared/model/schedule.js';
import type { CatchUp, ScheduleRules } from '../../../../shared/model/schedule.js';
import { ON_TIME_TOLERANCE_MS, planCatchUp } from '../../../../shared/schedule/catch-up.js';
import type { CatchUpPlan } from '../../../../shared/schedule/catch-up.js';
import { createClockWatch } from '../../../../shared/schedule/clock.js';
import { CATCH_UP_STAGGER_MS, jitterMs, staggerMs } from '../../../../shared/schedule/jitter.js';
import { occurrencesBetween } from '../../../../shared/schedule/occurrences.js';
import { missOutcomes, ScheduleOutcome } from '../../../../shared/schedule/outcome.js';
import { fakeClock } from './fake-clock.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

function rules(over: Partial<ScheduleRules> & { expr?: string } = {}): ScheduleRules {
  const { expr = '0 9 * * *', ...rest } = over;
  return { calendar: { kind: 'cron', expr }, timezone: 'America/New_York', catchUp: 'latest', catchUpWindowSec: null, overlap: 'skip', jitterSec: 0, ...rest };
}
const iso = (d: Date | null | undefined): string | null => d?.toISOString() ?? null;
const summary = (s: CatchUpPlan['missed']): [string | null, string | null, number] | null => (s ? [iso(s.first), iso(s.last), s.count] : null);

describe('three days asleep (daily 09:00 New York; last ran Monday; the lid opens Thursday 10:30)', () => {
  const monday = '2026-06-01T13:00:00.000Z'; // 09:00 EDT
  const tue = '2026-06-02T13:00:00.000Z';
  const wed = '2026-06-03T13:00:00.000Z';
  const thu = '2026-06-04T13:00:00.000Z';
  const clock = fakeClock(monday);
  clock.advance(60_000);
  clock.sleep(3 * DAY + 90 * 60_000 - 60_000);
  const plan = (catchUp: CatchUp, catchUpWindowSec: number | null = null): CatchUpPlan =>
    planCatchUp({ scheduleId: 'morning-check', rules: rules({ catchUp, catchUpWindowSec }), lastHandled: new Date(monday), now: clock.now() });

  it('latest runs Thursday 09:00 once, staggered; Tuesday and Wednesday are beyond the one-day window', () => {
    const p = plan('latest');
    expect(p.runs.map((r) => [iso(r.occurrence), r.catchUp])).toEqual([[thu, true]]);
    const delay = (p.runs[0]?.notBefore.getTime() ?? 0) - clock.wallNow();
    expect(delay).toBe(staggerMs('morning-check'));
    expect(summary(p.missedBeyondWindow)).toEqual([tue, wed, 2]);
    expect(p.missed).toBeNull();
    expect(p.windowMs).toBe(DAY);
    expect(iso(p.handledThrough)).toBe(thu);
    expect(iso(p.next)).toBe('2026-06-05T13:00:00.000Z');
  });

  it('latest with a 7-day window still runs only the newest; the other two are one miss summary', () => {
    const p = plan('latest', 7 * 24 * 3600);
    expect(p.runs.map((r) => iso(r.occurrence))).toEqual([thu]);
    expect(summary(p.missed)).toEqual([tue, wed, 2]);
    expect(p.missedBeyondWindow).toBeNull();
  });

  it('skip runs nothing and records the misses', () => {
    const p = plan('skip');
    expect(p.runs).toEqual([]);
    expect(summary(p.missed)).toEqual([thu, thu, 1]);
    expect(summary(p.missedBeyondWindow)).toEqual([tue, wed, 2]);
    expect(iso(p.handledThrough)).toBe(thu);
  });

  it('all runs every miss in the window, oldest first, as one chain starting at the stagger', () => {
    const p = plan('all', 7 * 24 * 3600);
    expect(p.runs.map((r) => iso(r.occurrence))).toEqual([tue, wed, thu]);
    expect(p.runs.every((r) => r.catchUp && r.notBefore.getTime() === clock.wallNow() + staggerMs('morning-check'))).toBe(true);
    expect(p.missed).toBeNull();
    expect(p.missedBeyondWindow).toBeNull();
    expect(plan('all').runs.map((r) => iso(r.occurrence))).toEqual([thu]);
  });

  it('the summaries become one outcome row each, valid for the contract', () => {
    const outcomes = missOutcomes(plan('skip'));
    expect(outcomes.map((o) => o.kind)).toEqual(['missed_beyond_window', 'missed']);
    for (const o of outcomes) expect(ScheduleOutcome.parse(o)).toEqual(o);
  });
});

describe('long sleeps', () => {
  it('all runs at most MAX_CATCH_UP_RUNS, the newest ones, and summarises the rest', () => {
    const last = new Date('2026-06-01T00:00:00Z');
    const now = new Date(last.getTime() + 3 * DAY + 30 * 60_000);
    const p = planCatchUp({ scheduleId: 'h', rules: rules({ expr: '0 * * * *', catchUp: 'all', catchUpWindowSec: 7 * 24 * 3600 }), lastHandled: last, now });
    expect(p.runs).toHaveLength(MAX_CATCH_UP_RUNS);
    expect(iso(p.runs[0]?.occurrence)).toBe('2026-06-03T15:00:00.000Z');
    expect(iso(p.runs[9]?.occurrence)).toBe('2026-06-04T00:00:00.000Z');
    expect(summary(p.missed)).toEqual(['2026-06-01T01:00:00.000Z', '2026-06-03T14:00:00.000Z', 72 - MAX_CATCH_UP_RUNS]);
  });

  it('30 days asleep on a per-minute schedule: one run and one summary row, never one row per minute', () => {
    const last = new Date('2026-10-15T12:00:00Z');
    const now = new Date(last.getTime() + 30 * DAY + 30_000);
    const p = planCatchUp({ scheduleId: 'm', rules: rules({ expr: '* * * * *' }), lastHandled: last, now });
    expect(p.runs.map((r) => iso(r.occurrence))).toEqual(['2026-11-14T12:00:00.000Z']);
    expect(p.runs[0]?.catchUp).toBe(false); // 30 s late is on time
    expect(summary(p.missedBeyondWindow)).toEqual(['2026-10-15T12:01:00.000Z', '2026-11-14T11:59:00.000Z', 30 * 1440 - 1]);
    expect(p.missed).toBeNull();
  });
});

describe('on time', () => {
  it('an occurrence found within the tolerance runs as an ordinary run whatever the policy, after its jitter', () => {
    for (const catchUp of ['latest', 'skip', 'all'] as const) {
      const r = rules({ catchUp, jitterSec: 120 });
      const occurrence = new Date('2026-06-02T13:00:00Z');
      const jitter = jitterMs('j', 120);
      const p = planCatchUp({ scheduleId: 'j', rules: r, lastHandled: new Date('2026-06-01T13:00:00Z'), now: new Date(occurrence.getTime() + jitter + 500) });
      expect(p.runs).toEqual([{ occurrence, notBefore: new Date(occurrence.getTime() + jitter), catchUp: false }]);
      expect(p.missed).toBeNull();
      expect(p.missedBeyondWindow).toBeNull();
      expect(iso(p.nextFireAt)).toBe(new Date(Date.parse('2026-06-03T13:00:00Z') + jitter).toISOString());
    }
  });

  it('latest waking on time runs only that occurrence; older ones in the window are missed, not run', () => {
    const r = rules({ expr: '0 * * * *', catchUpWindowSec: 7 * 24 * 3600 });
    const p = planCatchUp({ scheduleId: 'x', rules: r, lastHandled: new Date('2026-06-02T10:00:00Z'), now: new Date('2026-06-02T13:00:10Z') });
    expect(p.runs.map((x) => [iso(x.occurrence), x.catchUp])).toEqual([['2026-06-02T13:00:00.000Z', false]]);
    expect(summary(p.missed)).toEqual(['2026-06-02T11:00:00.000Z', '2026-06-02T12:00:00.000Z', 2]);
  });

  it('an occurrence exactly one window old is still in the window', () => {
    const r = rules({ expr: '0 9 * * *', timezone: 'UTC', catchUpWindowSec: 3600 });
    const p = planCatchUp({ scheduleId: 'x', rules: r, lastHandled: new Date('2026-06-01T09:00:00Z'), now: new Date('2026-06-02T10:00:00Z') });
    expect(p.runs.map((x) => [iso(x.occurrence), x.catchUp])).toEqual([['2026-06-02T09:00:00.000Z', true]]);
    expect(p.missedBeyondWindow).toBeNull();
    const later = planCatchUp({ scheduleId: 'x', rules: r, lastHandled: new Date('2026-06-01T09:00:00Z'), now: new Date('2026-06-02T10:00:01Z') });
    expect(later.runs).toEqual([]);
    expect(summary(later.missedBeyondWindow)).toEqual(['2026-06-02T09:00:00.000Z', '2026-06-02T09:00:00.000Z', 1]);
  });

  it('one later than the tolerance is a catch-up', () => {
    const occurrence = Date.parse('2026-06-02T13:00:00Z');
    const p = planCatchUp({ scheduleId: 'x', rules: rules(), lastHandled: new Date('2026-06-01T13:00:00Z'), now: new Date(occurrence + ON_TIME_TOLERANCE_MS + 1) });
    expect(p.runs.map((r) => r.catchUp)).toEqual([true]);
  });
});

describe('a clock set back an hour', () => {
  it('never fires an occurrence twice: the planner works from the last one recorded', () => {
    const clock = fakeClock('2026-06-02T10:00:05Z');
    const watch = createClockWatch(clock);
    const r = rules({ expr: '0 * * * *', timezone: 'UTC' });
    let lastHandled = new Date('2026-06-02T09:00:00Z');
    const fired: string[] = [];
    const tick = (): void => {
      const p = planCatchUp({ scheduleId: 's', rules: r, lastHandled, now: clock.now() });
      for (const run of p.runs) fired.push(run.occurrence.toISOString());
      lastHandled = p.handledThrough;
    };
    tick(); // 10:00 fires
    clock.advance(10 * 60_000);
    clock.setWall(-HOUR); // 09:10 again
    expect(watch.check().kind).toBe('backward');
    tick();
    for (let i = 0; i < 12; i++) {
      clock.advance(5 * 60_000); // through 10:00 a second time, to 10:10
      tick();
    }
    expect(fired).toEqual(['2026-06-02T10:00:00.000Z']);
    const p = planCatchUp({ scheduleId: 's', rules: r, lastHandled, now: clock.now() });
    expect(iso(p.next)).toBe('2026-06-02T11:00:00.000Z');
    clock.advance(50 * 60_000);
    tick();
    expect(fired).toEqual(['2026-06-02T10:00:00.000Z', '2026-06-02T11:00:00.000Z']);
  });
});

describe('staggering after a wake', () => {
  it('spreads schedules over the stagger, each schedule at the same offset every time', () => {
    const now = new Date('2026-06-04T14:30:00Z');
    const offsets = Array.from({ length: 200 }, (_, i) => {
      const p = planCatchUp({ scheduleId: `s-${i}`, rules: rules(), lastHandled: new Date('2026-06-01T13:00:00Z'), now });
      return (p.runs[0]?.notBefore.getTime() ?? NaN) - now.getTime();
    });
    expect(offsets.every((o) => o >= 0 && o < CATCH_UP_STAGGER_MS)).toBe(true);
    expect(new Set(offsets.map((o) => Math.floor(o / 10_000))).size).toBe(6); // every 10-second slice used
    expect(offsets[7]).toBe(staggerMs('s-7'));
  });
});

describe('every occurrence is accounted for exactly once', () => {
  it('runs, missed and missed beyond the window partition (lastHandled, now] in order', () => {
    const exprs = ['0 9 * * *', '*/20 * * * *', '30 2 * * *', '0 */6 * * 1-5', '15 * * * * *'];
    fc.assert(
      fc.property(
        fc.constantFrom(...exprs),
        fc.constantFrom('America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'),
        fc.constantFrom<CatchUp>('latest', 'skip', 'all'),
        fc.option(fc.integer({ min: 0, max: 3 * 24 * 3600 }), { nil: null }),
        fc.integer({ min: Date.parse('2026-03-01T00:00:00Z'), max: Date.parse('2026-11-30T00:00:00Z') }),
        fc.integer({ min: 0, max: 4 * DAY }),
        (expr, timezone, catchUp, catchUpWindowSec, lastAt, asleep) => {
          const r = rules({ expr, timezone, catchUp, catchUpWindowSec });
          const last = new Date(lastAt);
          const now = new Date(lastAt + asleep);
          const p = planCatchUp({ scheduleId: 'p', rules: r, lastHandled: last, now });
          const all = occurrencesBetween(r, last, now, 1_000_000).map((d) => d.getTime());
          const runs = p.runs.map((x) => x.occurrence.getTime());
          const parts: Array<[number, number, number]> = [];
          if (p.missedBeyondWindow) parts.push([p.missedBeyondWindow.first.getTime(), p.missedBeyondWindow.last.getTime(), p.missedBeyondWindow.count]);
          if (p.missed) parts.push([p.missed.first.getTime(), p.missed.last.getTime(), p.missed.count]);
          let i = 0;
          for (const [first, lastOf, count] of parts) {
            expect(all[i]).toBe(first);
            expect(all[i + count - 1]).toBe(lastOf);
            i += count;
          }
          expect(all.slice(i)).toEqual(runs);
          expect(runs.length).toBeLessThanOrEqual(MAX_CATCH_UP_RUNS + 1);
          expect(p.handledThrough.getTime()).toBe(all.length > 0 ? all[all.length - 1] : lastAt);
          if (catchUp === 'skip') expect(p.runs.every((x) => !x.catchUp)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});
