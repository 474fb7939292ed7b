// A clock the tests move by hand: the wall clock and the monotonic one advance together, unless a test sleeps the
// machine (only the wall clock moves, as Linux's and macOS's monotonic clocks stop in suspend) or sets the wall clock.
import type { Clock } from '../../../../shared/schedule/clock.js';

export interface FakeClock extends Clock {
  /** Time passes while awake: both clocks move. */
  advance(ms: number): void;
  /** The machine sleeps: only the wall clock moves. */
  sleep(ms: number): void;
  /** Someone sets the wall clock (a negative `byMs` sets it back). */
  setWall(byMs: number): void;
  now(): Date;
}

export function fakeClock(startIso: string): FakeClock {
  let wall = new Date(startIso).getTime();
  let mono = 1_000_000;
  return {
    wallNow: () => wall,
    monotonicNow: () => mono,
    advance(ms) {
      wall += ms;
      mono += ms;
    },
    sleep(ms) {
      wall += ms;
    },
    setWall(byMs) {
      wall += byMs;
    },
    now: () => new Date(wall),
  };
}
