/**
 * Which windows show which terminals, so that the owner can list the terminals nobody has open and close those left
 * alone for a day. Each window says which terminals it shows (`term.view`, the whole set each time) when that
 * changes and every ~30 s; a window not heard from for a lease is taken to be gone (closed, asleep, crashed): nothing
 * tells the owner when a browser tab goes away. Pure: the clock is handed in.
 */

/**
 * A window that has not reported for this long no longer counts as showing anything. Renderers report every
 * VIEW_REPORT_MS (renderer/features/terminal/terminal-views.ts, 30 s); longer: a closed window keeps counting for
 * longer; shorter: a window whose timers the browser throttles (a background tab: once a minute) drops out.
 */
export const VIEW_LEASE_MS = 150_000;
/** Windows remembered at most; a new one past this first forgets those whose lease ran out. */
const MAX_VIEWERS = 1_000;

export interface TerminalViewers {
  /** `viewer` (a window's own random id) shows exactly `ids` now; an empty list: it shows none (it is closing). */
  report(viewer: string, ids: readonly string[]): void;
  /** Windows whose last report, within the lease, named terminal `id`. */
  windows(id: string): number;
  /**
   * Since when no window shows terminal `id` (ms since the epoch): the last report that named it, or `openedAt` when
   * none ever did; null while a window shows it.
   */
  unwatchedSince(id: string, openedAt: number): number | null;
  forget(id: string): void;
}

export function createTerminalViewers(clock: { now(): Date }, leaseMs = VIEW_LEASE_MS): TerminalViewers {
  const viewers = new Map<string, { ids: Set<string>; at: number }>();
  /** Terminal id -> the last time a window said it showed it. */
  const lastSeen = new Map<string, number>();
  const live = (at: number, now: number): boolean => now - at <= leaseMs;

  const windows = (id: string, now: number): number => {
    let n = 0;
    for (const v of viewers.values()) if (v.ids.has(id) && live(v.at, now)) n++;
    return n;
  };

  return {
    report(viewer, ids) {
      const now = clock.now().getTime();
      const before = viewers.get(viewer);
      // Those it stopped showing were last seen now; so were those it shows.
      for (const id of before?.ids ?? []) lastSeen.set(id, now);
      for (const id of ids) lastSeen.set(id, now);
      if (ids.length === 0) {
        viewers.delete(viewer);
        return;
      }
      if (!before && viewers.size >= MAX_VIEWERS) {
        for (const [key, v] of viewers) if (!live(v.at, now)) viewers.delete(key);
        if (viewers.size >= MAX_VIEWERS) {
          const oldest = viewers.keys().next();
          if (!oldest.done) viewers.delete(oldest.value);
        }
      }
      viewers.set(viewer, { ids: new Set(ids), at: now });
    },
    windows(id) {
      return windows(id, clock.now().getTime());
    },
    unwatchedSince(id, openedAt) {
      if (windows(id, clock.now().getTime()) > 0) return null;
      return lastSeen.get(id) ?? openedAt;
    },
    forget(id) {
      lastSeen.delete(id);
      for (const v of viewers.values()) v.ids.delete(id);
    },
  };
}
