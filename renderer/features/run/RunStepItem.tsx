import { useEffect, useRef, type MouseEvent } from 'react';
import type { Note, StepState } from '../../../shared/contract/schemas.js';
import type { Param, Step } from '../../../shared/model/runbook.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { StepBody, StepTitleExtras } from '../../components/StepBody.js';
import { useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';
import { CommandPanel } from './CommandPanel.js';
import { NoteBox, NotesList } from './Notes.js';

interface Props {
  runId: string;
  step: Step;
  state: StepState;
  notes: readonly Note[];
  params: ReadonlyMap<string, Param>;
  placeholders: readonly string[] | undefined;
  /** The run is still going: steps can be ticked, skipped and run. */
  active: boolean;
  selected: boolean;
  /** The run was finished with this step left (listed in `run.left`). */
  left: boolean;
}

const FINISHED_OK = new Set(['done', 'succeeded', 'skipped']);

function isInteractive(target: EventTarget | null): boolean {
  return target instanceof Element && target.closest('button, a, input, textarea, select, label, summary, .output-pane') !== null;
}

/** One step of a run: its status, its controls (tick, skip, run), its output and its notes. */
export function RunStepItem({ runId, step, state, notes, params, placeholders, active, selected, left }: Props) {
  const element = useRef<HTMLLIElement>(null);
  const tick = useRun((run) => run.tick);
  const busy = useRun((run) => run.busy[step.id] ?? false);
  const error = useRun((run) => run.stepErrors[step.id]);
  const select = useRunUi((ui) => ui.select);
  const openDialog = useRunUi((ui) => ui.openDialog);
  const running = state.status === 'running';

  useEffect(() => {
    if (selected) element.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  const onClick = (event: MouseEvent): void => {
    if (!selected) select(step.id);
    if (!isInteractive(event.target)) element.current?.focus({ preventScroll: true });
  };

  return (
    <li
      ref={element}
      tabIndex={-1}
      className={`run-step step step-${step.kind} status-${state.status}${selected ? ' selected' : ''}${
        FINISHED_OK.has(state.status) ? ' finished' : ''
      }`}
      data-testid="step"
      data-step-id={step.id}
      data-kind={step.kind}
      data-status={state.status}
      data-left={left || undefined}
      aria-current={selected ? 'step' : undefined}
      onClick={onClick}
    >
      <div className="step-head">
        {step.kind === 'check' ? (
          <input
            type="checkbox"
            checked={state.status === 'done'}
            disabled={!active || busy || state.status === 'skipped'}
            onChange={(event) => void tick(step.id, event.target.checked)}
            aria-label={`Done: ${step.title}`}
            data-testid="step-tick"
          />
        ) : (
          <span className="step-marker" aria-hidden="true" />
        )}
        <span className="step-title">{step.title}</span>
        <StepTitleExtras step={step} />
        <span className="step-status-slot">
          {left && state.status === 'pending' ? (
            // Never started, and the run is over: "pending" would say it still might be.
            <span className="badge tone-partial" data-testid="step-status" data-status="left" title="The run was finished without this step">
              left
            </span>
          ) : (
            <StatusBadge status={state.status} testId="step-status" />
          )}
        </span>
        <span className="step-action-slot">
          {active && !FINISHED_OK.has(state.status) && (
            <button
              type="button"
              className="btn btn-small btn-quiet"
              disabled={busy || running}
              onClick={() => {
                select(step.id);
                openDialog({ kind: 'skip', stepId: step.id });
              }}
              data-testid="step-skip"
            >
              Skip
            </button>
          )}
        </span>
      </div>
      {state.skipReason && (
        <div className="skip-reason muted" data-testid="skip-reason-text">
          Skipped: {state.skipReason}
        </div>
      )}
      <StepBody step={step} placeholders={placeholders} />
      {step.kind === 'command' && (
        <CommandPanel runId={runId} step={step} state={state} params={params} active={active} />
      )}
      {error && (
        <div className="inline-error" role="alert" data-testid="step-error">
          {error}
        </div>
      )}
      <NotesList notes={notes} />
      {selected && <NoteBox stepId={step.id} />}
    </li>
  );
}
