/** How each run and step status looks: one colour family per meaning, the same everywhere. */
import type { RunStatus, StepStatus } from '../../shared/contract/schemas.js';
import { assertNever } from './assert-never.js';

/** `partial`: ended on purpose with work left (an incomplete run), neither a success nor a breakdown. */
export type Tone = 'ok' | 'bad' | 'warn' | 'partial' | 'info' | 'muted';

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
      return 'partial';
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
