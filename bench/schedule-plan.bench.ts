// Planner benchmark: the owner wakes after 30 days asleep and plans 1,000 per-minute schedules (43,200 missed
// occurrences each) under each catch-up policy, in a mix of zones, one of them across a DST change. Goal: all 1,000
// planned in under 100 ms (issue 12). Planning counts in closed form; listing the occurrences one by one is the
// anchor, measured in the same run for a few schedules.
import type { ScheduleRules } from '../shared/model/schedule.js';
import { planCatchUp } from '../shared/schedule/catch-up.js';
import { occurrencesBetween } from '../shared/schedule/occurrences.js';

const GOAL_MS = 100;
const SCHEDULES = 1000;
/** Timed rounds; the median is reported (the first round also pays for compiling calendars and zone tables). */
const ROUNDS = 7;
const DAY = 86_400_000;

const ZONES = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Tokyo', 'UTC'] as const;
const POLICIES = ['latest', 'skip', 'all'] as const;
const PATTERNS = ['* * * * *', '0 * * * * *', '*:*:00'] as const;

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(log: (line: string) => void): Promise<void> {
  // 2026-11-20: the 30 days asleep span New York's fall-back on 2026-11-01.
  const now = new Date(Date.UTC(2026, 10, 20, 12, 0, 30));
  const schedules = Array.from({ length: SCHEDULES }, (_, i) => {
    const pattern = PATTERNS[i % PATTERNS.length] ?? '* * * * *';
    const rules: ScheduleRules = {
      calendar: pattern.includes(':') ? { kind: 'oncalendar', expr: pattern } : { kind: 'cron', expr: pattern },
      timezone: ZONES[i % ZONES.length] ?? 'UTC',
      catchUp: POLICIES[i % POLICIES.length] ?? 'latest',
      catchUpWindowSec: i % 2 === 0 ? null : 3600,
      overlap: 'skip',
      jitterSec: i % 4 === 0 ? 30 : 0,
    };
    // Each asleep a slightly different time, so no two plans are the same computation.
    return { id: `schedule-${i}`, rules, lastHandled: new Date(now.getTime() - 30 * DAY - (i % 60) * 1000) };
  });

  const times: number[] = [];
  let missed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    missed = 0;
    const started = performance.now();
    for (const s of schedules) {
      const plan = planCatchUp({ scheduleId: s.id, rules: s.rules, lastHandled: s.lastHandled, now });
      missed += (plan.missed?.count ?? 0) + (plan.missedBeyondWindow?.count ?? 0) + plan.runs.length;
    }
    times.push(performance.now() - started);
  }
  const ms = median(times);
  log(`planning after 30 days asleep, ${SCHEDULES} per-minute schedules: ${ms.toFixed(1)} ms (median of ${ROUNDS}; first round ${times[0]?.toFixed(1)} ms); goal < ${GOAL_MS} ms: ${ms < GOAL_MS ? 'met' : 'NOT met'}`);
  log(`  ${(ms * 1000 / SCHEDULES).toFixed(1)} us a schedule; ${missed.toLocaleString('en-US')} occurrences accounted for per round`);

  const sample = schedules.slice(0, 5);
  const listStarted = performance.now();
  let listed = 0;
  for (const s of sample) listed += occurrencesBetween(s.rules, s.lastHandled, now, 100_000).length;
  const listMs = (performance.now() - listStarted) / sample.length;
  log(`  anchor: listing the ${Math.round(listed / sample.length).toLocaleString('en-US')} occurrences of one schedule one by one: ${listMs.toFixed(1)} ms (${(listMs / (ms / SCHEDULES)).toFixed(0)}x one plan)`);
}
