/**
 * Keeps the search indexes up with the history, in the owner: what is appended is indexed shortly after, a batch at
 * a time (a step's start, its output and its end usually share one transaction), and the history recorded before
 * search existed is caught up with the same way after an upgrade, a slice at a time between other work. Each slice
 * is one short transaction that also moves the per-table marks (search-store.ts), so a stop or a crash resumes
 * where it left off and never indexes a row twice. A search first catches up on what little is pending, so it
 * finds what was just recorded; during a long catch-up it answers with what is indexed and says it is incomplete.
 */
import type { IndexProgress, SearchStore } from '../store/search-store.js';

/**
 * One slice's budget: rows and characters of text (tokenizing is the cost, ~20-40 MB/s here). 256 K chars keeps a
 * slice to a few ms, so steps and terminals in the same process wait no longer than that; larger slices finish a
 * big history sooner (1M chunks of 500 bytes: ~2,000 slices) at the price of longer pauses.
 */
export const SLICE_ROWS = 1_000;
export const SLICE_CHARS = 256 * 1024;
/**
 * How long after an append the index catches up: what arrives meanwhile shares the transaction (one FTS5 segment
 * per index instead of one per row: cheaper writes, fewer merges later). A search never waits for it.
 */
export const BATCH_DELAY_MS = 50;
/** Slices a search indexes first, so what was just recorded is found: a few ms at most. */
export const SEARCH_SLICES = 2;
/** Slices indexed when the owner closes, so a CLI command leaves its own run indexed; the rest waits for the next owner. */
export const CLOSE_SLICES = 20;
/** Progress of a long catch-up is told this often at most (and once at the end): more is noise on the socket. */
export const PROGRESS_EVERY_MS = 250;
/** After a failed slice (the database busy in another process for longer than its busy timeout), try again this much later. */
export const RETRY_MS = 2_000;

export interface IndexerDeps {
  store: Pick<SearchStore, 'catchUp' | 'progress'>;
  timers: {
    setImmediate(fn: () => void): unknown;
    clearImmediate(handle: unknown): void;
    setTimeout(fn: () => void, ms: number): unknown;
    clearTimeout(handle: unknown): void;
  };
  /** Milliseconds, monotonic. */
  now(): number;
  /** A long catch-up (more than one slice) is this far along. */
  onProgress(progress: IndexProgress): void;
  onError(error: unknown): void;
}

export interface Indexer {
  /** Starts catching up with whatever is not indexed yet (at first, the history from before search). */
  start(): void;
  /** Something was appended: index it soon, with whatever else comes meanwhile. */
  poke(): void;
  /** Indexes up to `slices` slices now; answers how far the index is. */
  catchUpNow(slices: number): IndexProgress;
  /** Resolves once nothing is left to index, or once the indexer is stopped. */
  settled(): Promise<void>;
  /** Stops, after indexing up to CLOSE_SLICES slices of what is left. */
  dispose(): void;
}

const BUDGET = { rows: SLICE_ROWS, chars: SLICE_CHARS } as const;

export function createIndexer(deps: IndexerDeps): Indexer {
  const { timers } = deps;
  /** A timer (the batch delay, a retry) or the next slice of a catch-up. */
  let pending: { handle: unknown; kind: 'timeout' | 'immediate' } | null = null;
  let disposed = false;
  let slices = 0;
  let lastTold = -Infinity;
  const waiters: Array<() => void> = [];
  const settle = (): void => {
    for (const w of waiters.splice(0)) w();
  };
  const later = (fn: () => void, ms: number): void => {
    pending = { handle: timers.setTimeout(fn, ms), kind: 'timeout' };
  };
  const tell = (progress: IndexProgress): void => {
    const now = deps.now();
    // Routine batches (one slice) are not news; a catch-up is, and so is its end.
    if (slices > 1 && (progress.complete || now - lastTold >= PROGRESS_EVERY_MS)) {
      lastTold = now;
      deps.onProgress(progress);
    }
  };
  const step = (): void => {
    pending = null;
    let progress: IndexProgress;
    try {
      progress = deps.store.catchUp(BUDGET);
    } catch (error) {
      deps.onError(error);
      later(step, RETRY_MS);
      return;
    }
    slices += 1;
    tell(progress);
    if (progress.complete) {
      slices = 0;
      settle();
      return;
    }
    pending = { handle: timers.setImmediate(step), kind: 'immediate' };
  };
  const cancel = (): void => {
    if (!pending) return;
    if (pending.kind === 'timeout') timers.clearTimeout(pending.handle);
    else timers.clearImmediate(pending.handle);
    pending = null;
  };
  const catchUpNow = (count: number): IndexProgress => {
    let progress = deps.store.progress();
    for (let i = 0; i < count && !progress.complete; i++) {
      progress = deps.store.catchUp(BUDGET);
      slices += 1;
      tell(progress);
    }
    if (progress.complete) {
      slices = 0;
      settle();
    }
    return progress;
  };
  return {
    start() {
      if (disposed || pending) return;
      pending = { handle: timers.setImmediate(step), kind: 'immediate' };
    },
    poke() {
      if (disposed || pending) return;
      later(step, BATCH_DELAY_MS);
    },
    catchUpNow,
    settled() {
      if (disposed || deps.store.progress().complete) return Promise.resolve();
      if (!pending) pending = { handle: timers.setImmediate(step), kind: 'immediate' };
      return new Promise((resolve) => waiters.push(resolve));
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      cancel();
      try {
        catchUpNow(CLOSE_SLICES);
      } catch (error) {
        deps.onError(error);
      }
      settle();
    },
  };
}
