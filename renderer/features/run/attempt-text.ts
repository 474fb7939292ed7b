/** The line under a command's output: how the attempt ended and how long it took, e.g. `exit 0 · 1.2 s`. */
import type { Attempt } from '../../../shared/contract/schemas.js';
import { assertNever } from '../../components/assert-never.js';
import { elapsedMs, formatDuration } from '../../components/format.js';

export function describeAttempt(attempt: Attempt, now: number): string {
  const took = formatDuration(attempt.durationMs ?? elapsedMs(attempt.startedAt, attempt.endedAt, now));
  const ended = attempt.exitCode !== null ? `exit ${attempt.exitCode}` : attempt.signal ? `signal ${attempt.signal}` : null;
  switch (attempt.status) {
    case 'running':
      return `running · ${took}`;
    case 'succeeded':
    case 'failed':
      return `${ended ?? attempt.status} · ${took}`;
    case 'cancelled':
      return `cancelled${ended ? ` (${ended})` : ''} · ${took}`;
    case 'timed_out':
      return `timed out after ${attempt.timeoutSec} s${ended ? ` (${ended})` : ''}`;
    case 'interrupted':
      return `interrupted (Opsdeck stopped while it ran) · ${took}`;
    default:
      return assertNever(attempt.status);
  }
}
