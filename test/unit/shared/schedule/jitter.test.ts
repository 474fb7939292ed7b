import { describe, expect, it, vi } from 'vitest';
import { CATCH_UP_STAGGER_MS, jitterMs, staggerMs, stableFraction } from '../../../../shared/schedule/jitter.js';

describe('jitter', () => {
  it('is the same for one id across restarts of the owner (a fresh module, no state carried)', async () => {
    const before = [jitterMs('0190a5e2-7c3b-7000-8000-000000000001', 600), staggerMs('0190a5e2-7c3b-7000-8000-000000000001')];
    vi.resetModules();
    const fresh = await import('../../../../shared/schedule/jitter.js');
    expect([fresh.jitterMs('0190a5e2-7c3b-7000-8000-000000000001', 600), fresh.staggerMs('0190a5e2-7c3b-7000-8000-000000000001')]).toEqual(before);
  });

  it('does not change between releases (a new hash would move every schedule: pinned)', () => {
    expect(jitterMs('nightly-backup', 3600)).toBe(2_481_455);
    expect(stableFraction('jitter:nightly-backup')).toBeCloseTo(0.689293, 6);
  });

  it('stays in [0, jitterSec) and spreads ids that differ by one character', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `0190a5e2-7c3b-7000-8000-${String(i).padStart(12, '0')}`);
    const delays = ids.map((id) => jitterMs(id, 600));
    expect(delays.every((d) => Number.isInteger(d) && d >= 0 && d < 600_000)).toBe(true);
    const buckets = new Array<number>(10).fill(0);
    for (const d of delays) buckets[Math.floor(d / 60_000)] = (buckets[Math.floor(d / 60_000)] ?? 0) + 1;
    // 1,000 ids in ten one-minute buckets: each near 100, none empty or doubled.
    for (const b of buckets) expect(b).toBeGreaterThan(60);
    for (const b of buckets) expect(b).toBeLessThan(140);
    expect(new Set(delays).size).toBeGreaterThan(990);
  });

  it('is zero without jitter, and the stagger stays under its bound', () => {
    expect(jitterMs('a', 0)).toBe(0);
    for (const id of ['a', 'b', 'c', 'd']) expect(staggerMs(id)).toBeLessThan(CATCH_UP_STAGGER_MS);
    expect(staggerMs('a')).not.toBe(staggerMs('b'));
  });
});
