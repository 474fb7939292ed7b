import type { RunStatus, StepStatus } from '../../shared/contract/schemas.js';
import { statusLabel, statusTone } from './status.js';

interface Props {
  status: RunStatus | StepStatus;
  testId?: string;
}

/** A fixed-width pill, so rows do not shift when a status changes from "running" to "succeeded". */
export function StatusBadge({ status, testId }: Props) {
  return (
    <span className={`badge tone-${statusTone(status)}`} data-testid={testId} data-status={status}>
      {statusLabel(status)}
    </span>
  );
}
