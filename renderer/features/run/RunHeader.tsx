import type { Run, StepState } from '../../../shared/contract/schemas.js';
import { href } from '../../app/route.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { elapsedMs, formatDateTime, formatElapsed } from '../../components/format.js';
import { useNow } from '../../components/use-now.js';
import { runKey, useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';
import { LeftList } from './LeftList.js';
import { stepsLeft } from './run-end.js';
import { TargetSelect } from './TargetSelect.js';
import { targetLabel, valueToTarget } from './target-value.js';

/** A run's recorded target (`local`, `host:web1`, `tag:web`) as it reads in a sentence. */
function runTargetLabel(value: string): string {
  const target = valueToTarget(value);
  return target ? targetLabel(target) : value;
}

/**
 * Finish: one click when nothing is left; with steps left, the dialog that lists them and asks why (also when the
 * host says a reason is needed and this view thought none was).
 */
async function finishOrAsk(): Promise<void> {
  const { detail, finish, clearStepError } = useRun.getState();
  if (!detail) return;
  const openDialog = useRunUi.getState().openDialog;
  if (stepsLeft(detail.section, detail.steps).length > 0) {
    // The dialog shows the run's last error: not one left from an earlier action.
    clearStepError(runKey);
    openDialog({ kind: 'finish' });
    return;
  }
  if ((await finish()) === 'reason_required') openDialog({ kind: 'finish' });
}

/**
 * The run at a glance: what, who, status, progress, elapsed time, and the two ways to end it; once ended, what was
 * left and why; an interrupted run's way to carry on.
 */
export function RunHeader({ run, failedStepStatus }: { run: Run; failedStepStatus?: StepState['status'] | undefined }) {
  const active = run.status === 'running';
  const now = useNow(active && run.endedAt === null);
  const resume = useRun((state) => state.resume);
  const busy = useRun((state) => state.busy[runKey] ?? false);
  const error = useRun((state) => state.stepErrors[runKey]);
  const openDialog = useRunUi((state) => state.openDialog);
  const { done, total } = run.progress;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
  const interruptedAt = failedStepStatus === 'interrupted';
  return (
    <div className="run-header">
      <div className="run-title">
        <a className="muted" href={href.runbook(run.runbookId, run.sectionId)}>
          {run.runbookTitle}
        </a>
        <h1>{run.sectionTitle}</h1>
        <div className="muted small">
          {run.operator}
          {active ? '' : ` · on ${runTargetLabel(run.target)}`}
          {run.origin === 'cli' ? ' · from the CLI' : ''} · started {formatDateTime(run.startedAt)}
        </div>
      </div>
      <div className="run-stats">
        <StatusBadge status={run.status} testId="run-status" />
        <div className="progress" data-testid="run-progress" data-done={done} data-total={total} title={`${percent}%`}>
          <div className="progress-bar" aria-hidden="true">
            <div className="progress-fill" style={{ width: `${percent}%` }} />
          </div>
          <span className="progress-text mono">
            {done}/{total}
          </span>
        </div>
        <span className="elapsed mono" data-testid="run-elapsed" title="Elapsed">
          {formatElapsed(elapsedMs(run.startedAt, run.endedAt, now))}
        </span>
        {active && (
          <>
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void finishOrAsk()} data-testid="run-finish">
              Finish
            </button>
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy}
              onClick={() => openDialog({ kind: 'abort' })}
              data-testid="run-abort"
            >
              Abort…
            </button>
          </>
        )}
        {run.status === 'interrupted' && (
          <button
            type="button"
            className="btn btn-primary"
            disabled={busy}
            onClick={() => void resume()}
            title="Carry on with this run: its interrupted steps can be run again; what was done stays done"
            data-testid="run-resume"
          >
            {busy ? 'Resuming…' : 'Resume'}
          </button>
        )}
      </div>
      {active && <TargetSelect />}
      {run.status === 'interrupted' && (
        <div className="run-ended run-interrupted muted" data-testid="run-interrupted">
          Opsdeck stopped while this run was open{run.endedAt ? ` (noticed ${formatDateTime(run.endedAt)})` : ''}. Resume it to carry on
          where it stopped.
        </div>
      )}
      {!active && run.left.length > 0 && (
        <div className="run-ended run-left" data-testid="run-left" data-count={run.left.length}>
          <span>
            Finished with {run.left.length} step{run.left.length === 1 ? '' : 's'} left:
          </span>
          <LeftList left={run.left} testId="run-left-steps" />
        </div>
      )}
      {!active && run.endReason !== null && (
        <div className="run-ended run-reason" data-testid="run-end-reason">
          {run.status === 'aborted' ? 'Aborted: ' : 'Reason: '}
          <span className="run-reason-text">{run.endReason}</span>
        </div>
      )}
      {error && (
        <div className="inline-error run-error" role="alert">
          {error}
        </div>
      )}
      {run.failedStep && (
        <div className={`run-failed${interruptedAt ? ' run-failed-interrupted' : ''}`} data-testid="run-failed-step">
          {interruptedAt ? 'Interrupted at: ' : 'Failed at: '}
          <strong>{run.failedStep.title}</strong>
        </div>
      )}
    </div>
  );
}
