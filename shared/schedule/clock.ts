/**
 * Noticing sleep and wall-clock jumps. Timers run on a monotonic clock, occurrences on the wall clock; the owner
 * ticks a timer, and on each tick compares how far each clock moved since the last one. Wall far ahead of the
 * monotonic clock: the machine slept (Linux's and macOS's monotonic clocks stop in suspend) or the clock was set
 * forward. Wall behind: the clock was set back. Either way the owner re-plans every schedule with catch-up.ts, which
 * works from the last occurrence recorded, so a clock set back never fires an occurrence twice.
 *
 * API: createClockWatch(clock, thresholdMs?) -> { check(expectedIntervalMs?) }; Clock is injected (tests pass a fake).
 */

export interface Clock {
  /** Milliseconds since 1970 by the wall clock (Date.now). */
  wallNow(): number;
  /** Milliseconds on a clock that never jumps (performance.now). */
  monotonicNow(): number;
}

/**
 * A difference between the clocks' progress above this is a jump. Trades noticing small jumps (an NTP step of a
 * second) against false alarms from a busy event loop; NTP slews small errors instead of stepping them.
 */
export const CLOCK_JUMP_THRESHOLD_MS = 2_000;

export type ClockChange =
  | { kind: 'steady' }
  /** The wall clock moved `byMs` more than the monotonic one: slept, or set forward. Re-plan. */
  | { kind: 'forward'; byMs: number }
  /** The wall clock moved `byMs` less than the monotonic one: set back. Re-plan. */
  | { kind: 'backward'; byMs: number }
  /** Both moved alike, but `byMs` more than the tick expected: the process was stopped or starved. Re-plan. */
  | { kind: 'late'; byMs: number };

export interface ClockWatch {
  /** Compares both clocks with the previous check (or creation), then makes now the new reference. */
  check(expectedIntervalMs?: number): ClockChange;
}

export function createClockWatch(clock: Clock, thresholdMs: number = CLOCK_JUMP_THRESHOLD_MS): ClockWatch {
  let wall = clock.wallNow();
  let mono = clock.monotonicNow();
  return {
    check(expectedIntervalMs?: number): ClockChange {
      const nowWall = clock.wallNow();
      const nowMono = clock.monotonicNow();
      const drift = nowWall - wall - (nowMono - mono);
      const elapsed = nowMono - mono;
      wall = nowWall;
      mono = nowMono;
      if (drift > thresholdMs) return { kind: 'forward', byMs: drift };
      if (drift < -thresholdMs) return { kind: 'backward', byMs: -drift };
      if (expectedIntervalMs !== undefined && elapsed - expectedIntervalMs > thresholdMs) {
        return { kind: 'late', byMs: elapsed - expectedIntervalMs };
      }
      return { kind: 'steady' };
    },
  };
}
