/** History's status filter: which statuses the recorded runs have, how many of each, and the runs one shows. */
import type { Run, RunStatus } from '../../../shared/contract/schemas.js';
import { assertNever } from '../../components/assert-never.js';

export type StatusFilter = RunStatus | 'all';

/** The filter's order: what may need a hand first. */
function rank(status: RunStatus): number {
  switch (status) {
    case 'running':
      return 0;
    case 'interrupted':
      return 1;
    case 'failed':
      return 2;
    case 'incomplete':
      return 3;
    case 'aborted':
      return 4;
    case 'completed':
      return 5;
    default:
      return assertNever(status);
  }
}

/** The statuses present in `runs`, most pressing first, with their counts. */
export function statusCounts(runs: readonly Run[]): Array<{ status: RunStatus; count: number }> {
  const counts = new Map<RunStatus, number>();
  for (const run of runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => rank(a) - rank(b)).map(([status, count]) => ({ status, count }));
}

export function filterRuns(runs: readonly Run[], filter: StatusFilter): readonly Run[] {
  return filter === 'all' ? runs : runs.filter((run) => run.status === filter);
}

/** The last column of a run's row: the step it failed at, or what it was finished without and why. */
export function runOutcome(run: Run): string {
  if (run.status === 'failed' && run.failedStep) return `Failed at: ${run.failedStep.title}`;
  if (run.status === 'interrupted' && run.failedStep) return `Interrupted at: ${run.failedStep.title}`;
  const left = run.left.length > 0 ? `${run.left.length} step${run.left.length === 1 ? '' : 's'} left` : '';
  const reason = run.endReason ?? '';
  return left && reason ? `${left}: ${reason}` : left || reason;
}
