import { useMemo, useState } from 'react';
import type { Attempt } from '../../../shared/contract/schemas.js';
import { summarizeFanout, type FanoutGroup } from '../../../shared/ssh/fanout-summary.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { elapsedMs, formatDuration, plural } from '../../components/format.js';
import { useNow } from '../../components/use-now.js';
import { AttemptView } from './AttemptView.js';
import { terminalText } from './terminal-text.js';
import { useAttemptOutputs } from './use-attempt-outputs.js';

/** Lines of the largest group's output shown in the summary; the rest is in any of its hosts' panes. */
const SUMMARY_OUTPUT_LINES = 40;
/** Host names listed in a group's heading before "and N more". */
const GROUP_HOSTS_SHOWN = 12;

const hostOf = (attempt: Attempt): string => attempt.host ?? '(this machine)';

function DiffText({ diff }: { diff: string }) {
  return (
    <pre className="fanout-diff">
      {diff.split('\n').map((line, index) => (
        <span key={index} className={line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : line.startsWith('@@') ? 'diff-hunk' : undefined}>
          {line}
          {'\n'}
        </span>
      ))}
    </pre>
  );
}

function GroupOutput({ group, largest }: { group: FanoutGroup; largest: boolean }) {
  if (largest || group.diff === null) {
    if (group.output === '') return <div className="muted small">(no output)</div>;
    const lines = group.output.split('\n');
    const shown = lines.slice(0, SUMMARY_OUTPUT_LINES).join('\n');
    return (
      <pre className="fanout-output">
        {shown}
        {lines.length > SUMMARY_OUTPUT_LINES ? `\n… ${lines.length - SUMMARY_OUTPUT_LINES} more lines` : ''}
      </pre>
    );
  }
  if (group.diff === '') return <div className="muted small">Same output as the largest group; only the exit status differs.</div>;
  return <DiffText diff={group.diff} />;
}

function Summary({ runId, attempts }: { runId: string; attempts: readonly Attempt[] }) {
  const ids = useMemo(() => attempts.map((attempt) => attempt.id), [attempts]);
  const outputs = useAttemptOutputs(runId, ids);
  const groups = useMemo(
    () =>
      summarizeFanout(
        attempts.map((attempt) => ({
          host: hostOf(attempt),
          exitCode: attempt.exitCode,
          status: attempt.status,
          output: terminalText(outputs.get(attempt.id) ?? ''),
        })),
      ),
    [attempts, outputs],
  );
  const errors = useMemo(() => new Map(attempts.map((attempt) => [hostOf(attempt), attempt.error])), [attempts]);
  return (
    <div className="fanout-summary" data-testid="fanout-summary">
      <h4>
        {groups.length === 1 ? 'Every host gave the same result' : `${plural(groups.length, 'different result')} across ${plural(attempts.length, 'host')}`}
      </h4>
      {groups.map((group, index) => (
        <div
          key={group.hosts.join(',')}
          className={`fanout-group${index === 0 ? ' largest' : ''}`}
          data-testid="fanout-group"
          data-hosts={group.hosts.join(',')}
          data-exit-code={group.exitCode ?? ''}
          data-status={group.status}
        >
          <div className="fanout-group-head">
            <span className="fanout-group-count">{plural(group.hosts.length, 'host')}</span>
            <StatusBadge status={group.status as Attempt['status']} />
            <span className="mono">{group.exitCode === null ? '' : `exit ${group.exitCode}`}</span>
            <span className="mono fanout-group-hosts" title={group.hosts.join(', ')}>
              {group.hosts.slice(0, GROUP_HOSTS_SHOWN).join(', ')}
              {group.hosts.length > GROUP_HOSTS_SHOWN ? ` and ${group.hosts.length - GROUP_HOSTS_SHOWN} more` : ''}
            </span>
            {index > 0 && <span className="muted small">differs from the largest group:</span>}
          </div>
          {[...new Set(group.hosts.map((host) => errors.get(host)).filter((error): error is string => Boolean(error)))].map((error) => (
            <div key={error} className="fanout-group-error">
              {error.split('\n')[0]}
            </div>
          ))}
          <GroupOutput group={group} largest={index === 0} />
        </div>
      ))}
    </div>
  );
}

/**
 * One step run on every host of a tag: a row per host with its live status, exit code and duration (click one to
 * see its output), and a summary that groups hosts with the same result, showing how the others differ.
 */
export function FanoutView({ runId, attempts }: { runId: string; attempts: readonly Attempt[] }) {
  const running = attempts.some((attempt) => attempt.status === 'running');
  const now = useNow(running);
  const [chosen, setChosen] = useState<string | null>(null);
  const shown =
    attempts.find((attempt) => attempt.id === chosen) ??
    attempts.find((attempt) => attempt.status !== 'succeeded' && attempt.status !== 'running') ??
    attempts[0] ??
    null;
  return (
    <div className="fanout" data-testid="fanout">
      <table className="table fanout-table" data-testid="fanout-table">
        <thead>
          <tr>
            <th>Host</th>
            <th>Status</th>
            <th className="num">Exit</th>
            <th className="num">Duration</th>
            <th>Connected to</th>
          </tr>
        </thead>
        <tbody>
          {attempts.map((attempt) => (
            <tr
              key={attempt.id}
              className={`fanout-row${attempt.id === shown?.id ? ' selected' : ''}`}
              data-testid="fanout-row"
              data-host={hostOf(attempt)}
              data-status={attempt.status}
              aria-selected={attempt.id === shown?.id}
              tabIndex={0}
              onClick={() => setChosen(attempt.id)}
              onKeyDown={(event) => {
                if (event.key === 'Enter' || event.key === ' ') {
                  event.preventDefault();
                  setChosen(attempt.id);
                }
              }}
            >
              <td className="mono">{hostOf(attempt)}</td>
              <td>
                <StatusBadge status={attempt.status} />
              </td>
              <td className="num mono">{attempt.exitCode ?? (attempt.signal ? attempt.signal : '')}</td>
              <td className="num mono">{formatDuration(attempt.durationMs ?? elapsedMs(attempt.startedAt, attempt.endedAt, now))}</td>
              <td className="mono muted fanout-endpoint" title={attempt.error ?? undefined}>
                {attempt.error ? <span className="fanout-error">{attempt.error.split('\n')[0]}</span> : attempt.endpoint ? `${attempt.endpoint.user}@${attempt.endpoint.address}` : ''}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown && (
        <div className="fanout-pane" data-testid="fanout-pane" data-host={hostOf(shown)}>
          <AttemptView runId={runId} attempt={shown} />
        </div>
      )}
      <Summary runId={runId} attempts={attempts} />
    </div>
  );
}
