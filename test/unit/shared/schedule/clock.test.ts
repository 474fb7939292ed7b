import { describe, expect, it } from 'vitest';
import { CLOCK_JUMP_THRESHOLD_MS, createClockWatch } from '../../../../shared/schedule/clock.js';
import { fakeClock } from './fake-clock.js';

describe('clock watch', () => {
  it('is steady while both clocks move together', () => {
    const clock = fakeClock('2026-06-01T12:00:00Z');
    const watch = createClockWatch(clock);
    clock.advance(30_000);
    expect(watch.check(30_000)).toEqual({ kind: 'steady' });
  });

  it('notices a sleep: the wall clock moved eight hours, the monotonic one a second', () => {
    const clock = fakeClock('2026-06-01T23:00:00Z');
    const watch = createClockWatch(clock);
    clock.advance(1000);
    clock.sleep(8 * 3600_000);
    expect(watch.check()).toEqual({ kind: 'forward', byMs: 8 * 3600_000 });
    clock.advance(30_000);
    expect(watch.check()).toEqual({ kind: 'steady' }); // each check is against the previous one
  });

  it('notices a clock set back an hour, and one set forward', () => {
    const clock = fakeClock('2026-06-01T12:00:00Z');
    const watch = createClockWatch(clock);
    clock.advance(10_000);
    clock.setWall(-3600_000);
    expect(watch.check()).toEqual({ kind: 'backward', byMs: 3600_000 });
    clock.setWall(+600_000);
    expect(watch.check()).toEqual({ kind: 'forward', byMs: 600_000 });
  });

  it('ignores drift under the threshold, and says when a tick came much later than expected', () => {
    const clock = fakeClock('2026-06-01T12:00:00Z');
    const watch = createClockWatch(clock);
    clock.advance(30_000);
    clock.setWall(CLOCK_JUMP_THRESHOLD_MS - 1);
    expect(watch.check(30_000)).toEqual({ kind: 'steady' });
    clock.advance(90_000);
    expect(watch.check(30_000)).toEqual({ kind: 'late', byMs: 60_000 });
  });
});
