import type { SessionState } from '../../../shared/contract/schemas.js';
import { formatTime } from '../../components/format.js';
import { sessionSummary, sessionWhere, variableValue } from './shell-text.js';

function Session({ session, stepTitle, open }: { session: SessionState; stepTitle: string | null; open: boolean }) {
  return (
    <details className="shell-session" open={open} data-testid="shell-session" data-where={session.where}>
      <summary>
        <span className="shell-session-where">{sessionWhere(session.where)}</span>
        <span className="muted small shell-session-summary">{sessionSummary(session)}</span>
      </summary>
      <div className="shell-session-body">
        <div className="muted small">
          after {stepTitle ? `“${stepTitle}”` : 'a step'} · {formatTime(session.at)}
        </div>
        {session.cwd !== null && (
          <div className="shell-session-row">
            <span className="shell-session-key">cwd</span>
            <code className="mono" data-testid="session-cwd">
              {session.cwd}
            </code>
          </div>
        )}
        {session.vars.length > 0 && (
          <table className="shell-vars" data-testid="session-vars">
            <tbody>
              {session.vars.map((variable) => (
                <tr key={variable.name} data-testid="session-var" data-name={variable.name} data-redacted={variable.redacted}>
                  <td className="mono shell-var-name" title={variable.exported ? 'exported' : 'shell variable, not exported'}>
                    {variable.exported ? <span className="shell-var-export">export </span> : null}
                    {variable.name}
                  </td>
                  <td className={`mono shell-var-value${variable.redacted ? ' redacted' : ''}`} title={variable.redacted ? 'secret: masked' : variable.value}>
                    {variableValue(variable)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {session.unset.length > 0 && (
          <div className="shell-session-row">
            <span className="shell-session-key">unset</span>
            <span className="mono">{session.unset.join(' ')}</span>
          </div>
        )}
        {session.options.length > 0 && (
          <ul className="shell-session-list mono" data-testid="session-options">
            {session.options.map((option) => (
              <li key={option}>{option}</li>
            ))}
          </ul>
        )}
        {session.functions.length > 0 && (
          <div className="shell-session-row">
            <span className="shell-session-key">functions</span>
            <span className="mono" data-testid="session-functions">
              {session.functions.map((name) => `${name}()`).join(' ')}
            </span>
          </div>
        )}
      </div>
    </details>
  );
}

/**
 * What a section's command steps carry from one to the next, per target (this machine, each host): the working
 * directory, variables (secrets masked), shell options and functions, as the last step that succeeded left them.
 * Shown only once some step has left state behind.
 */
export function ShellSessions({ sessions, stepTitles }: { sessions: readonly SessionState[]; stepTitles: ReadonlyMap<string, string> }) {
  if (sessions.length === 0) return null;
  return (
    <div className="panel shell-sessions" data-testid="shell-sessions">
      <h3>Shell session</h3>
      {sessions.map((session, index) => (
        <Session key={session.where} session={session} stepTitle={stepTitles.get(session.stepId) ?? null} open={index === 0} />
      ))}
    </div>
  );
}
