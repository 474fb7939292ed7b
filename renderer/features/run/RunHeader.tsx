import type { Run } from '../../../shared/contract/schemas.js';
import { href } from '../../app/route.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { elapsedMs, formatDateTime, formatElapsed } from '../../components/format.js';
import { useNow } from '../../components/use-now.js';
import { runKey, useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';
import { TargetSelect } from './TargetSelect.js';
import { targetLabel, valueToTarget } from './target-value.js';

/** A run's recorded target (`local`, `host:web1`, `tag:web`) as it reads in a sentence. */
function runTargetLabel(value: string): string {
  const target = valueToTarget(value);
  return target ? targetLabel(target) : value;
}

/** The run at a glance: what, who, status, progress, elapsed time, and the two ways to end it. */
export function RunHeader({ run }: { run: Run }) {
  const active = run.status === 'running';
  const now = useNow(active && run.endedAt === null);
  const finish = useRun((state) => state.finish);
  const busy = useRun((state) => state.busy[runKey] ?? false);
  const error = useRun((state) => state.stepErrors[runKey]);
  const openDialog = useRunUi((state) => state.openDialog);
  const { done, total } = run.progress;
  const percent = total > 0 ? Math.round((done / total) * 100) : 0;
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
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void finish()} data-testid="run-finish">
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
      </div>
      {active && <TargetSelect />}
      {error && (
        <div className="inline-error run-error" role="alert">
          {error}
        </div>
      )}
      {run.failedStep && (
        <div className="run-failed" data-testid="run-failed-step">
          Failed at: <strong>{run.failedStep.title}</strong>
        </div>
      )}
    </div>
  );
}
