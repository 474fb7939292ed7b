/**
 * Stable per-schedule delays: a schedule's jitter (its `jitterSec` spreads a fleet's identical schedules, as
 * systemd's RandomizedDelaySec does) and the stagger of its catch-ups after a wake (never all schedules at once).
 * Both come from a hash of the schedule's id, not Math.random, so a restart of the owner keeps every delay.
 *
 * API: jitterMs(scheduleId, jitterSec), staggerMs(scheduleId), stableFraction(key).
 */

/**
 * Catch-ups after a wake start within this long of the plan. Trades how late a catch-up runs (a minute, after a
 * sleep of hours) against how many start in the same second (1,000 schedules: about 17 a second).
 */
export const CATCH_UP_STAGGER_MS = 60_000;

/** A number in [0, 1) that depends only on `key`: FNV-1a, then murmur3's finaliser so similar ids spread. */
export function stableFraction(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/** The delay added to every occurrence of this schedule: whole ms in [0, jitterSec * 1000). */
export function jitterMs(scheduleId: string, jitterSec: number): number {
  if (!(jitterSec > 0)) return 0;
  return Math.floor(stableFraction(`jitter:${scheduleId}`) * jitterSec * 1000);
}

/** How long after a wake this schedule's catch-ups start: whole ms in [0, CATCH_UP_STAGGER_MS). */
export function staggerMs(scheduleId: string): number {
  return Math.floor(stableFraction(`stagger:${scheduleId}`) * CATCH_UP_STAGGER_MS);
}
