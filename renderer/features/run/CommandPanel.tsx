import { useState } from 'react';
import type { Param, Step } from '../../../shared/model/runbook.js';
import type { StepState } from '../../../shared/contract/schemas.js';
import { useRun } from '../../stores/run-store.js';
import { DEFAULT_TIMEOUT_SEC, useRunUi } from '../../stores/run-ui-store.js';
import { useTarget } from '../../stores/target-store.js';
import { groupAttempts, groupStatus, runningAttempt } from './attempt-groups.js';
import { AttemptView } from './AttemptView.js';
import { FanoutView } from './FanoutView.js';
import { requestRun } from './run-actions.js';
import { sendToTerminal } from './send-to-terminal.js';
import { offersRemoteHint, targetLabel } from './target-value.js';

interface Props {
  runId: string;
  step: Step;
  state: StepState;
  params: ReadonlyMap<string, Param>;
  active: boolean;
}

/** A command step inside a run: its parameters, timeout, Run/Cancel, and the output of each attempt. */
export function CommandPanel({ runId, step, state, params, active }: Props) {
  const values = useRunUi((ui) => ui.params);
  const setParam = useRunUi((ui) => ui.setParam);
  const timeout = useRunUi((ui) => ui.timeouts[step.id]);
  const setTimeoutFor = useRunUi((ui) => ui.setTimeoutFor);
  const busy = useRun((run) => run.busy[step.id] ?? false);
  const cancel = useRun((run) => run.cancel);
  const target = useTarget((ui) => ui.target);
  const remoteHint = useRunUi((ui) => ui.remoteHints[step.id] ?? true);
  const setRemoteHint = useRunUi((ui) => ui.setRemoteHint);
  const [chosenGroup, setChosenGroup] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const attempts = state.attempts;
  const groups = groupAttempts(attempts);
  const latest = groups[groups.length - 1];
  const runningOne = runningAttempt(latest);
  const shown = groups.find((group) => group.key === chosenGroup) ?? latest;
  const hint = target !== null && offersRemoteHint(step, target) ? step.remote : null;

  return (
    <div className="command-panel">
      {active && (
        <form
          className="command-form"
          onSubmit={(event) => {
            event.preventDefault();
            requestRun(step.id);
          }}
        >
          {step.params.map((name) => {
            const param = params.get(name);
            const secret = param?.secret ?? false;
            const example = param?.occurrences.find((occurrence) => occurrence.stepId === step.id)?.text ?? name;
            const value = values[name] ?? '';
            return (
              <label key={name} className={`field${value === '' ? ' field-empty' : ''}`}>
                <span className="field-label mono" title={param ? `${param.kind}${secret ? ', secret' : ''}` : undefined}>
                  {name}
                  {secret && <span className="secret-tag">secret</span>}
                </span>
                <input
                  className="input mono"
                  type={secret ? 'password' : 'text'}
                  autoComplete={secret ? 'new-password' : 'off'}
                  spellCheck={false}
                  placeholder={example}
                  value={value}
                  onChange={(event) => setParam(name, event.target.value)}
                  data-testid="param-input"
                  data-name={name}
                />
              </label>
            );
          })}
          <label className="field field-timeout">
            <span className="field-label">timeout (s)</span>
            <input
              className="input mono"
              type="number"
              min={1}
              step={1}
              value={timeout ?? String(DEFAULT_TIMEOUT_SEC)}
              onChange={(event) => setTimeoutFor(step.id, event.target.value)}
              data-testid="timeout-input"
            />
          </label>
          {hint && target && (
            <label className="checkbox remote-hint" title={`The step's ssh line: ${step.script}`}>
              <input
                type="checkbox"
                checked={remoteHint}
                onChange={(event) => setRemoteHint(step.id, event.target.checked)}
                data-testid="use-remote-hint"
              />
              <span>
                Run <code>{hint.command}</code> on {targetLabel(target)} over Opsdeck’s connection
              </span>
            </label>
          )}
          <div className="command-buttons">
            {runningOne ? (
              <button
                type="button"
                className="btn btn-danger"
                disabled={busy}
                onClick={() => void cancel(step.id, runningOne.id)}
                data-testid="step-cancel"
              >
                Cancel
              </button>
            ) : (
              <button
                type="submit"
                className={`btn ${step.danger.level === 'destructive' ? 'btn-danger' : 'btn-primary'}`}
                disabled={busy}
                data-testid="step-run"
              >
                {busy ? 'Starting…' : attempts.length > 0 ? 'Run again' : 'Run'}
                {step.danger.level === 'destructive' ? '…' : ''}
              </button>
            )}
            <button
              type="button"
              className="btn"
              disabled={sending}
              title="Paste this command, with its parameters filled in, into the terminal; Enter is not pressed"
              onClick={() => {
                setSending(true);
                void sendToTerminal(step.id).finally(() => setSending(false));
              }}
              data-testid="send-to-terminal"
            >
              {sending ? 'Sending…' : 'Send to terminal'}
            </button>
          </div>
        </form>
      )}
      {groups.length > 1 && (
        <div className="attempt-tabs" role="tablist" aria-label="Attempts">
          {groups.map((group, index) => {
            const status = groupStatus(group);
            return (
              <button
                key={group.key}
                type="button"
                role="tab"
                aria-selected={group.key === shown?.key}
                className={`attempt-tab tone-${status}`}
                onClick={() => setChosenGroup(group.key)}
                title={group.fanoutId ? `${status} · ${group.attempts.length} hosts` : status}
              >
                #{index + 1}
                {group.fanoutId ? ` ×${group.attempts.length}` : ''}
              </button>
            );
          })}
        </div>
      )}
      {shown &&
        (shown.fanoutId !== null ? (
          <FanoutView key={shown.key} runId={runId} attempts={shown.attempts} />
        ) : (
          shown.attempts[0] && <AttemptView key={shown.key} runId={runId} attempt={shown.attempts[0]} />
        ))}
    </div>
  );
}
