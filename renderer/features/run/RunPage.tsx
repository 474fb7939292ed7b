import { useEffect, useMemo, useState } from 'react';
import type { StepState } from '../../../shared/contract/schemas.js';
import type { Param } from '../../../shared/model/runbook.js';
import { allSteps, stepGroups } from '../../components/section-tree.js';
import { placeholdersByStep } from '../../components/step-placeholders.js';
import { useRun } from '../../stores/run-store.js';
import { useRunUi } from '../../stores/run-ui-store.js';
import { useTarget } from '../../stores/target-store.js';
import { TerminalDock } from '../terminal/TerminalDock.js';
import { NoteBox, NotesList } from './Notes.js';
import { RecordingsList, RecordingView } from './Recordings.js';
import { RunDialogs } from './RunDialogs.js';
import { RunHeader } from './RunHeader.js';
import { RunStepItem } from './RunStepItem.js';
import { ShellSessions } from './ShellSessions.js';
import { useRunKeyboard } from './use-run-keyboard.js';

const UNFINISHED = new Set(['pending', 'running', 'failed', 'cancelled', 'timed_out', 'interrupted']);

/**
 * A run as a guided checklist, and the record of a finished one: everything shown comes from the host's run
 * detail, so a reload (or another window) shows the same state. Finished runs are read-only except for notes.
 */
export function RunPage({ runId }: { runId: string }) {
  const detail = useRun((state) => (state.runId === runId ? state.detail : null));
  const error = useRun((state) => (state.runId === runId ? state.error : null));
  const lastParams = useRun((state) => state.lastParams);
  const open = useRun((state) => state.open);
  const reset = useRunUi((state) => state.reset);
  const prefill = useRunUi((state) => state.prefill);
  const selectedStepId = useRunUi((state) => state.selectedStepId);
  const select = useRunUi((state) => state.select);
  /** The terminal recording whose transcript is open above the checklist. */
  const [recordingId, setRecordingId] = useState<string | null>(null);

  useEffect(() => {
    reset(runId);
    void open(runId);
  }, [runId, open, reset]);
  useEffect(() => {
    prefill(lastParams);
  }, [lastParams, prefill]);
  useRunKeyboard();

  const loadTarget = useTarget((state) => state.load);
  const runbookId = detail?.run.runbookId;
  const sectionId = detail?.run.sectionId;
  useEffect(() => {
    if (runbookId && sectionId) void loadTarget(runbookId, sectionId);
  }, [runbookId, sectionId, loadTarget]);

  const section = detail?.section;
  const groups = useMemo(() => (section ? stepGroups(section) : []), [section]);
  const params = useMemo(() => new Map<string, Param>((detail?.params ?? []).map((param) => [param.name, param])), [detail?.params]);
  const placeholders = useMemo(() => placeholdersByStep(detail?.params ?? []), [detail?.params]);
  const states = useMemo(() => new Map<string, StepState>((detail?.steps ?? []).map((state) => [state.stepId, state])), [detail?.steps]);
  const leftIds = useMemo(() => new Set((detail?.run.left ?? []).map((step) => step.id)), [detail?.run.left]);
  const stepTitles = useMemo(() => new Map((section ? allSteps(section) : []).map((step) => [step.id, step.title])), [section]);

  // Start on the first step that still needs doing, so Enter/space work right away.
  useEffect(() => {
    if (!section || selectedStepId !== null) return;
    const steps = allSteps(section);
    const first = steps.find((step) => UNFINISHED.has(states.get(step.id)?.status ?? 'pending')) ?? steps[0];
    if (first) select(first.id);
  }, [section, states, selectedStepId, select]);

  if (error && !detail) return <div className="page-message error">{error}</div>;
  if (!detail) return <div className="page-message muted">Loading run…</div>;

  const active = detail.run.status === 'running';
  const runNotes = detail.notes.filter((note) => note.stepId === null);
  const recording = detail.recordings.find((candidate) => candidate.id === recordingId) ?? null;

  return (
    <TerminalDock run={{ id: detail.run.id, active }}>
      <div className={`page run-page${active ? '' : ' run-finished'}`} data-run-id={detail.run.id} data-run-status={detail.run.status}>
        <RunHeader run={detail.run} failedStepStatus={detail.run.failedStep ? states.get(detail.run.failedStep.id)?.status : undefined} />
        {error && (
          <div className="banner error" role="alert">
            {error}
          </div>
        )}
        <div className="run-columns">
          <div className="run-steps">
            {recording && <RecordingView key={recording.id} detail={detail} recording={recording} onClose={() => setRecordingId(null)} />}
            {groups.map((group) => (
              <section key={group.section.id} className={`step-group depth-${Math.min(group.depth, 3)}`}>
                {group.depth > 0 && <h3 className="group-title">{group.section.title}</h3>}
                <ol className="step-list">
                  {group.steps.map((step) => (
                    <RunStepItem
                      key={step.id}
                      runId={detail.run.id}
                      step={step}
                      state={states.get(step.id) ?? { stepId: step.id, status: 'pending', skipReason: null, attempts: [] }}
                      notes={detail.notes.filter((note) => note.stepId === step.id)}
                      params={params}
                      placeholders={placeholders.get(step.id)}
                      active={active}
                      selected={step.id === selectedStepId}
                      left={leftIds.has(step.id)}
                    />
                  ))}
                </ol>
              </section>
            ))}
          </div>
          <aside className="run-side">
            <div className="panel" data-testid="run-notes">
              <h3>Run notes</h3>
              <NotesList notes={runNotes} />
              <NoteBox stepId={null} />
            </div>
            <ShellSessions sessions={detail.sessions} stepTitles={stepTitles} />
            <RecordingsList recordings={detail.recordings} active={active} openId={recording?.id ?? null} onOpen={setRecordingId} />
            <div className="panel keys muted small">
              <h3>Keys</h3>
              <div>
                <kbd>↑</kbd>/<kbd>↓</kbd> or <kbd>j</kbd>/<kbd>k</kbd> move · <kbd>space</kbd> tick · <kbd>enter</kbd> run ·{' '}
                <kbd>n</kbd> note · <kbd>esc</kbd> close
              </div>
            </div>
          </aside>
        </div>
        <RunDialogs />
      </div>
    </TerminalDock>
  );
}
