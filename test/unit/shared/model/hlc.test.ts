// The hybrid logical clock: stamps sort as they order, never go back on one device whatever its wall clock does,
// order a merged stamp before this device's next one, and survive a restart through the last stamp issued.
import { describe, expect, it } from 'vitest';
import { compareHlc, createHlc, formatHlc, parseHlc } from '../../../../shared/model/hlc.js';

const DEVICE = '0190b6a4-0000-7000-8000-000000000001';
const OTHER = '0190b6a4-0000-7000-8000-000000000002';

/** A wall clock the test sets. */
function wall(start: number) {
  let ms = start;
  return { read: () => ms, set: (next: number) => void (ms = next) };
}

describe('HLC stamps', () => {
  it('read as zero-padded wall time, counter and device, and parse back', () => {
    const stamp = formatHlc({ wall: 1_767_225_600_000, counter: 7, device: DEVICE });
    expect(stamp).toBe(`001767225600000-000007-${DEVICE}`);
    expect(parseHlc(stamp)).toEqual({ wall: 1_767_225_600_000, counter: 7, device: DEVICE });
    expect(() => parseHlc('1767225600000-7-x')).toThrow(RangeError);
    expect(() => formatHlc({ wall: -1, counter: 0, device: DEVICE })).toThrow(RangeError);
    expect(() => formatHlc({ wall: 1, counter: 0, device: '' })).toThrow(RangeError);
  });

  it('sort as strings exactly as (wall, counter, device) order them, across digit counts', () => {
    const parts = [
      { wall: 999, counter: 5, device: OTHER },
      { wall: 1000, counter: 0, device: DEVICE },
      { wall: 1000, counter: 0, device: OTHER },
      { wall: 1000, counter: 10, device: DEVICE },
      { wall: 1000, counter: 9, device: OTHER },
      { wall: 1_767_225_600_000, counter: 0, device: DEVICE },
    ];
    const byTuple = [...parts].sort((a, b) => a.wall - b.wall || a.counter - b.counter || (a.device < b.device ? -1 : a.device > b.device ? 1 : 0));
    const byString = [...parts].map(formatHlc).sort();
    expect(byString).toEqual(byTuple.map(formatHlc));
    expect(compareHlc(byString[0]!, byString[1]!)).toBeLessThan(0);
    expect(compareHlc(byString[1]!, byString[1]!)).toBe(0);
  });
});

describe('createHlc', () => {
  it('follows the wall clock when it moves forward, and counts within one millisecond', () => {
    const clock = wall(5_000);
    const hlc = createHlc({ deviceId: DEVICE, wallClock: clock.read });
    expect(hlc.last()).toBeNull();
    const a = hlc.now();
    const b = hlc.now();
    clock.set(6_000);
    const c = hlc.now();
    expect([a, b, c].map(parseHlc)).toEqual([
      { wall: 5_000, counter: 0, device: DEVICE },
      { wall: 5_000, counter: 1, device: DEVICE },
      { wall: 6_000, counter: 0, device: DEVICE },
    ]);
    expect(hlc.last()).toBe(c);
  });

  it('keeps going forward when the wall clock is set back, and follows it again once it catches up', () => {
    const clock = wall(10_000);
    const hlc = createHlc({ deviceId: DEVICE, wallClock: clock.read });
    const stamps = [hlc.now()];
    clock.set(2_000); // an hour back, say
    stamps.push(hlc.now(), hlc.now());
    clock.set(10_000);
    stamps.push(hlc.now());
    clock.set(10_001);
    stamps.push(hlc.now());
    expect([...stamps].sort()).toEqual(stamps);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(stamps.map((s) => parseHlc(s).wall)).toEqual([10_000, 10_000, 10_000, 10_000, 10_001]);
  });

  it('carries a full counter into the next millisecond instead of overflowing', () => {
    const hlc = createHlc({ deviceId: DEVICE, wallClock: () => 0, last: formatHlc({ wall: 42, counter: 999_999, device: DEVICE }) });
    expect(parseHlc(hlc.now())).toEqual({ wall: 43, counter: 0, device: DEVICE });
  });

  it('stays monotonic across a restart with the clock set back, given the last stamp issued', () => {
    const before = createHlc({ deviceId: DEVICE, wallClock: () => 50_000 });
    before.now();
    const last = before.now();
    const after = createHlc({ deviceId: DEVICE, wallClock: () => 1_000, last });
    expect(after.last()).toBe(last);
    const next = after.now();
    expect(next > last).toBe(true);
    expect(parseHlc(next)).toEqual({ wall: 50_000, counter: 2, device: DEVICE });
  });

  it('issues after receiving a stamp later than anything it has seen, and ignores an earlier one but still advances', () => {
    const clock = wall(1_000);
    const hlc = createHlc({ deviceId: DEVICE, wallClock: clock.read });
    const mine = hlc.now();
    const remote = formatHlc({ wall: 9_000, counter: 4, device: OTHER }); // the other device's clock runs ahead
    const received = hlc.receive(remote);
    expect(parseHlc(received)).toEqual({ wall: 9_000, counter: 5, device: DEVICE });
    const next = hlc.now();
    expect(mine < remote && remote < received && received < next).toBe(true);

    const old = formatHlc({ wall: 10, counter: 0, device: OTHER });
    const afterOld = hlc.receive(old);
    expect(afterOld > next).toBe(true);
    clock.set(20_000);
    expect(parseHlc(hlc.receive(old))).toEqual({ wall: 20_000, counter: 0, device: DEVICE });
  });

  it('breaks a tie with a remote stamp of the same wall time and counter by counting past both', () => {
    const hlc = createHlc({ deviceId: DEVICE, wallClock: () => 500, last: formatHlc({ wall: 700, counter: 3, device: DEVICE }) });
    expect(parseHlc(hlc.receive(formatHlc({ wall: 700, counter: 8, device: OTHER })))).toEqual({ wall: 700, counter: 9, device: DEVICE });
  });

  it('refuses to run without a device id and refuses a malformed remote stamp', () => {
    expect(() => createHlc({ deviceId: '', wallClock: () => 0 })).toThrow(RangeError);
    expect(() => createHlc({ deviceId: DEVICE, wallClock: () => 0 }).receive('yesterday')).toThrow(RangeError);
  });
});
