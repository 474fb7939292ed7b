/**
 * A step's attempts as the user started them: one attempt on this machine or a host, or one fan-out (every host of
 * a tag, attempts sharing a fanoutId). The step view shows one tab per group; a fan-out's status is the group's,
 * folded the way the host folds it (running while any host runs, failed if any failed, succeeded only if all did).
 */
import type { Attempt, AttemptStatus } from '../../../shared/contract/schemas.js';

export interface AttemptGroup {
  /** The fanoutId, or the attempt's id for a single attempt. */
  key: string;
  fanoutId: string | null;
  attempts: Attempt[];
}

export function groupAttempts(attempts: readonly Attempt[]): AttemptGroup[] {
  const groups: AttemptGroup[] = [];
  const byFanout = new Map<string, AttemptGroup>();
  for (const attempt of attempts) {
    if (attempt.fanoutId === null) {
      groups.push({ key: attempt.id, fanoutId: null, attempts: [attempt] });
      continue;
    }
    const group = byFanout.get(attempt.fanoutId);
    if (group) {
      group.attempts.push(attempt);
    } else {
      const created: AttemptGroup = { key: attempt.fanoutId, fanoutId: attempt.fanoutId, attempts: [attempt] };
      byFanout.set(attempt.fanoutId, created);
      groups.push(created);
    }
  }
  return groups;
}

const GROUP_PRECEDENCE: readonly AttemptStatus[] = ['running', 'interrupted', 'timed_out', 'failed', 'cancelled'];

export function groupStatus(group: AttemptGroup): AttemptStatus {
  for (const status of GROUP_PRECEDENCE) if (group.attempts.some((attempt) => attempt.status === status)) return status;
  return 'succeeded';
}

/** The attempt a Cancel button stops: any running one (cancelling one host of a fan-out stops the whole fan-out). */
export function runningAttempt(group: AttemptGroup | undefined): Attempt | null {
  return group?.attempts.find((attempt) => attempt.status === 'running') ?? null;
}
