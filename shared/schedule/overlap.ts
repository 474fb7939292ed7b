/**
 * What to do with an occurrence that comes while the schedule's previous run may still run, by its overlap policy:
 * `skip` (default) records it as skipped, `queue` keeps at most one waiting (a second one is skipped), `allow`
 * starts it beside the other. Pure state in, decision and new state out; the scheduler keeps one OverlapState per
 * schedule, calls decideOverlap for each occurrence it is about to start and runEnded when a run of it ends.
 * A catch-up sequence after a wake (catch-up.ts) is one chain: the scheduler starts each after the previous ends.
 */
import type { Overlap } from '../model/schedule.js';

export interface OverlapState {
  /** Runs of this schedule in progress. */
  running: number;
  /** The occurrence waiting for the running one to end (policy `queue`), or null. */
  queued: Date | null;
}

export const IDLE: OverlapState = { running: 0, queued: null };

export type OverlapDecision =
  | { action: 'start' }
  | { action: 'queue' }
  /** Record the occurrence as skipped_overlap: the previous run was still running (and, for queue, one waits). */
  | { action: 'skip'; reason: 'previous_running' | 'queue_full' };

export function decideOverlap(policy: Overlap, state: OverlapState, occurrence: Date): { decision: OverlapDecision; state: OverlapState } {
  if (state.running === 0 || policy === 'allow') {
    return { decision: { action: 'start' }, state: { ...state, running: state.running + 1 } };
  }
  switch (policy) {
    case 'skip':
      return { decision: { action: 'skip', reason: 'previous_running' }, state };
    case 'queue':
      if (state.queued === null) return { decision: { action: 'queue' }, state: { ...state, queued: occurrence } };
      return { decision: { action: 'skip', reason: 'queue_full' }, state };
    default:
      return assertNever(policy);
  }
}

/** A run ended: the queued occurrence, if any, starts now (and counts as running). */
export function runEnded(state: OverlapState): { start: Date | null; state: OverlapState } {
  const running = Math.max(0, state.running - 1);
  if (state.queued !== null && running === 0) return { start: state.queued, state: { running: 1, queued: null } };
  return { start: null, state: { running, queued: state.queued } };
}

function assertNever(value: never): never {
  throw new Error(`unexpected overlap policy: ${String(value)}`);
}
