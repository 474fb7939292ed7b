import type { Attempt } from '../../../shared/contract/schemas.js';
import { describeRemote } from '../../components/ssh-text.js';
import { useNow } from '../../components/use-now.js';
import { describeAttempt } from './attempt-text.js';
import { OutputPane } from './OutputPane.js';
import { failedAtLabel, shellNotes } from './shell-text.js';

/** Where a remote attempt ran (host, user@address, host key), and why it could not run when it could not. */
export function AttemptWhere({ attempt }: { attempt: Attempt }) {
  return (
    <>
      {attempt.host !== null && (
        <div className="attempt-host muted" data-testid="attempt-host" title={attempt.endpoint?.fingerprint}>
          {describeRemote(attempt.host, attempt.endpoint)}
        </div>
      )}
      {attempt.error && (
        <div className="attempt-error" role="alert" data-testid="attempt-error">
          {attempt.error}
        </div>
      )}
    </>
  );
}

/** One attempt: where it ran, its output, and how it ended. */
export function AttemptView({ runId, attempt }: { runId: string; attempt: Attempt }) {
  const now = useNow(attempt.status === 'running');
  const notes = shellNotes(attempt.shell);
  return (
    <>
      <AttemptWhere attempt={attempt} />
      <OutputPane key={attempt.id} runId={runId} attemptId={attempt.id} />
      <div className={`step-exit status-${attempt.status}`} data-testid="step-exit" data-status={attempt.status}>
        {describeAttempt(attempt, now)}
        {Object.keys(attempt.params).length > 0 && (
          <span className="muted attempt-params">
            {Object.entries(attempt.params)
              .map(([name, value]) => `${name}=${value}`)
              .join('  ')}
          </span>
        )}
        {notes.length > 0 && (
          <span
            className="attempt-shell"
            data-testid="attempt-shell"
            title="How this attempt's shell ran: a fresh shell did not carry the section's session; errexit/pipefail off let a failing command pass"
          >
            {notes.join(' · ')}
          </span>
        )}
      </div>
      {attempt.failedCommand && attempt.status !== 'succeeded' && (
        <div className="attempt-failed-command" data-testid="attempt-failed-command" data-line={attempt.failedCommand.line ?? ''}>
          {failedAtLabel(attempt.failedCommand)} <code className="mono">{attempt.failedCommand.command}</code>
        </div>
      )}
    </>
  );
}
