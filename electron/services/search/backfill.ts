/**
 * Indexes the history recorded before the search indexes existed (migration 007 records up to where), in the owner,
 * a slice at a time between other work: each slice is one short transaction, its progress kept in `meta` with the
 * rows it indexed, so a stop or a crash resumes where it left off and never indexes a row twice. Search answers
 * meanwhile and says the index is incomplete.
 */
import type { IndexProgress, SearchStore } from '../store/search-store.js';

/**
 * One slice's budget: rows and characters of text (tokenizing is the cost, ~20-40 MB/s here). 256 K chars keeps a
 * slice to a few ms, so steps and terminals in the same process wait no longer than that; larger slices finish a
 * big history sooner (1M chunks of 500 bytes: ~2,000 slices) at the price of longer pauses.
 */
export const SLICE_ROWS = 1_000;
export const SLICE_CHARS = 256 * 1024;
/** Progress is told this often at most (and once at the end): more is noise on the socket. */
export const PROGRESS_EVERY_MS = 250;
/** After a failed slice (the database busy in another process for longer than its busy timeout), try again this much later. */
export const RETRY_MS = 2_000;

export interface BackfillDeps {
  store: Pick<SearchStore, 'backfill' | 'progress'>;
  timers: {
    setImmediate(fn: () => void): unknown;
    clearImmediate(handle: unknown): void;
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
  /** Milliseconds, monotonic. */
  now(): number;
  onProgress(progress: IndexProgress): void;
  onError(error: unknown): void;
}

export interface Backfill {
  /** Starts indexing (nothing to do once complete). */
  start(): void;
  /** Resolves when the index is complete, or when the backfill is stopped first. */
  settled(): Promise<void>;
  dispose(): void;
}

export function createBackfill(deps: BackfillDeps): Backfill {
  const { timers } = deps;
  let pending: { handle: unknown; timeout: boolean } | null = null;
  let running = false;
  let lastTold = -Infinity;
  const waiters: Array<() => void> = [];
  const settle = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  const step = (): void => {
    pending = null;
    let progress: IndexProgress;
    try {
      progress = deps.store.backfill({ rows: SLICE_ROWS, chars: SLICE_CHARS });
    } catch (error) {
      deps.onError(error);
      pending = { handle: timers.setTimeout(step, RETRY_MS), timeout: true };
      return;
    }
    const now = deps.now();
    if (progress.complete || now - lastTold >= PROGRESS_EVERY_MS) {
      lastTold = now;
      deps.onProgress(progress);
    }
    if (progress.complete) {
      running = false;
      settle();
      return;
    }
    pending = { handle: timers.setImmediate(step), timeout: false };
  };
  return {
    start() {
      if (running || deps.store.progress().complete) return;
      running = true;
      pending = { handle: timers.setImmediate(step), timeout: false };
    },
    settled() {
      if (!running) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    dispose() {
      if (pending) {
        if (pending.timeout) timers.clearTimeout(pending.handle);
        else timers.clearImmediate(pending.handle);
      }
      pending = null;
      running = false;
      settle();
    },
  };
}
