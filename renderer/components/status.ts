/** How each run and step status looks: one colour family per meaning, the same everywhere. */
import type { RunStatus, StepStatus } from '../../shared/contract/schemas.js';
import { assertNever } from './assert-never.js';

export type Tone = 'ok' | 'bad' | 'warn' | 'info' | 'muted';

export function statusTone(status: RunStatus | StepStatus): Tone {
  switch (status) {
    case 'completed':
    case 'succeeded':
    case 'done':
      return 'ok';
    case 'failed':
    case 'timed_out':
      return 'bad';
    case 'incomplete':
    case 'aborted':
    case 'cancelled':
    case 'interrupted':
      return 'warn';
    case 'running':
      return 'info';
    case 'pending':
    case 'skipped':
      return 'muted';
    default:
      return assertNever(status);
  }
}

export function statusLabel(status: RunStatus | StepStatus): string {
  return status.replace('_', ' ');
}
