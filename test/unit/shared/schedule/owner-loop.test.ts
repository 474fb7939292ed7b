// The planner as the owner will drive it: a timer for nextFireAt, re-plans on wakes and clock jumps, every plan's
// outcomes recorded. Whatever happens to the clock, each occurrence is recorded exactly once, and none fires twice.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatchUp, ScheduleRules } from '../../../../shared/model/schedule.js';
import { planCatchUp } from '../../../../shared/schedule/catch-up.js';
import { createClockWatch } from '../../../../shared/schedule/clock.js';
import { occurrencesBetween } from '../../../../shared/schedule/occurrences.js';
import { fakeClock } from './fake-clock.js';

type Step = { kind: 'run'; ms: number } | { kind: 'sleep'; ms: number } | { kind: 'set'; ms: number };

const MIN = 60_000;
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('run' as const), ms: fc.integer({ min: 1, max: 3 * 60 * MIN }) }),
  fc.record({ kind: fc.constant('sleep' as const), ms: fc.integer({ min: MIN, max: 3 * 24 * 60 * MIN }) }),
  fc.record({ kind: fc.constant('set' as const), ms: fc.integer({ min: -2 * 60 * MIN, max: 2 * 60 * MIN }) }),
);

describe('the owner loop over sleeps, clock jumps and DST changes', () => {
  it('records every occurrence exactly once and starts none twice', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('*/20 * * * *', '30 2 * * *', '0 9 * * 1-5', '30 * * * *', '*-*-* 01:30:00'),
        fc.constantFrom('America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe'),
        fc.constantFrom<CatchUp>('latest', 'skip', 'all'),
        fc.constantFrom('2026-03-06T00:00:00Z', '2026-10-23T00:00:00Z', '2026-04-03T00:00:00Z'),
        fc.array(step, { minLength: 1, maxLength: 25 }),
        (expr, timezone, catchUp, start, steps) => {
          const rules: ScheduleRules = {
            calendar: expr.includes(':') ? { kind: 'oncalendar', expr } : { kind: 'cron', expr },
            timezone, catchUp, catchUpWindowSec: null, overlap: 'skip', jitterSec: 0,
          };
          const clock = fakeClock(start);
          const watch = createClockWatch(clock);
          const created = clock.now();
          let lastHandled = created;
          const recorded: number[] = [];
          const started = new Set<number>();
          const plan = (): void => {
            const p = planCatchUp({ scheduleId: 'loop', rules, lastHandled, now: clock.now() });
            for (const s of [p.missedBeyondWindow, p.missed]) {
              if (!s) continue;
              const listed = occurrencesBetween(rules, new Date(s.first.getTime() - 1), s.last, s.count + 1);
              expect(listed).toHaveLength(s.count); // a summary names exactly its occurrences
              recorded.push(...listed.map((d) => d.getTime()));
            }
            for (const r of p.runs) {
              expect(started.has(r.occurrence.getTime())).toBe(false);
              started.add(r.occurrence.getTime());
              recorded.push(r.occurrence.getTime());
            }
            expect(p.handledThrough.getTime()).toBeGreaterThanOrEqual(lastHandled.getTime());
            lastHandled = p.handledThrough;
          };
          for (const s of steps) {
            if (s.kind === 'run') {
              // Awake: the timer fires at each nextFireAt within the stretch.
              const end = clock.wallNow() + s.ms;
              for (let guard = 0; guard < 500; guard++) {
                const p = planCatchUp({ scheduleId: 'loop', rules, lastHandled, now: clock.now() });
                const fire = p.nextFireAt?.getTime();
                if (fire === undefined || fire > end) break;
                clock.advance(Math.max(0, fire - clock.wallNow()));
                plan();
              }
              clock.advance(Math.max(0, end - clock.wallNow()));
            } else if (s.kind === 'sleep') clock.sleep(s.ms);
            else clock.setWall(s.ms);
            if (watch.check().kind !== 'steady') plan();
          }
          plan();
          const handledUntil = lastHandled.getTime();
          const expected = occurrencesBetween(rules, created, new Date(handledUntil), 1_000_000).map((d) => d.getTime());
          expect(recorded).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
