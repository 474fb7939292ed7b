// Times as the run view and history show them.
import { describe, expect, it } from 'vitest';
import { elapsedMs, formatDuration, formatElapsed } from '../../../renderer/components/format.js';

describe('formatElapsed', () => {
  it('reads like a clock and grows hours only when needed', () => {
    expect(formatElapsed(0)).toBe('0:00');
    expect(formatElapsed(7_900)).toBe('0:07');
    expect(formatElapsed(245_000)).toBe('4:05');
    expect(formatElapsed(3_723_000)).toBe('1:02:03');
    expect(formatElapsed(-5)).toBe('0:00');
  });
});

describe('formatDuration', () => {
  it('uses tenths of seconds under a minute, then minutes and hours', () => {
    expect(formatDuration(1_234)).toBe('1.2 s');
    expect(formatDuration(59_940)).toBe('59.9 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_720_000)).toBe('1h 02m');
  });
});

describe('elapsedMs', () => {
  it('counts to now while running and stops at the end time', () => {
    const start = '2025-01-01T10:00:00.000Z';
    const now = Date.parse('2025-01-01T10:00:30.000Z');
    expect(elapsedMs(start, null, now)).toBe(30_000);
    expect(elapsedMs(start, '2025-01-01T10:00:05.000Z', now)).toBe(5_000);
    expect(elapsedMs('garbage', null, now)).toBe(0);
  });
});
