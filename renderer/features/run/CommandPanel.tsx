import { useState } from 'react';
import type { Param, Step } from '../../../shared/model/runbook.js';
import type { StepState } from '../../../shared/contract/schemas.js';
import { useNow } from '../../components/use-now.js';
import { useRun } from '../../stores/run-store.js';
import { DEFAULT_TIMEOUT_SEC, useRunUi } from '../../stores/run-ui-store.js';
import { describeAttempt } from './attempt-text.js';
import { OutputPane } from './OutputPane.js';
import { requestRun } from './run-actions.js';

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
  const [chosenAttemptId, setChosenAttemptId] = useState<string | null>(null);

  const attempts = state.attempts;
  const latest = attempts[attempts.length - 1] ?? null;
  const running = latest?.status === 'running';
  const shown = attempts.find((attempt) => attempt.id === chosenAttemptId) ?? latest;
  const now = useNow(shown?.status === 'running');

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
          <div className="command-buttons">
            {running && latest ? (
              <button
                type="button"
                className="btn btn-danger"
                disabled={busy}
                onClick={() => void cancel(step.id, latest.id)}
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
          </div>
        </form>
      )}
      {attempts.length > 1 && (
        <div className="attempt-tabs" role="tablist" aria-label="Attempts">
          {attempts.map((attempt, index) => (
            <button
              key={attempt.id}
              type="button"
              role="tab"
              aria-selected={attempt.id === shown?.id}
              className={`attempt-tab tone-${attempt.status}`}
              onClick={() => setChosenAttemptId(attempt.id)}
              title={attempt.status}
            >
              #{index + 1}
            </button>
          ))}
        </div>
      )}
      {shown && (
        <>
          <OutputPane key={shown.id} runId={runId} attemptId={shown.id} />
          <div className={`step-exit status-${shown.status}`} data-testid="step-exit" data-status={shown.status}>
            {describeAttempt(shown, now)}
            {Object.keys(shown.params).length > 0 && (
              <span className="muted attempt-params">
                {Object.entries(shown.params)
                  .map(([name, value]) => `${name}=${value}`)
                  .join('  ')}
              </span>
            )}
          </div>
        </>
      )}
    </div>
  );
}
