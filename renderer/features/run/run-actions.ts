/**
 * Running a command step, shared by the Run button, the Enter key and the confirmation dialog: destructive steps
 * always go through the dialog first; everything sends the form's current values.
 */
import type { Step } from '../../../shared/model/runbook.js';
import { allSteps } from '../../components/section-tree.js';
import { useRun, type RunRequest } from '../../stores/run-store.js';
import { timeoutSeconds, useRunUi } from '../../stores/run-ui-store.js';
import { useTarget } from '../../stores/target-store.js';
import { offersRemoteHint } from './target-value.js';

export function findStep(stepId: string): Step | null {
  const detail = useRun.getState().detail;
  return detail ? allSteps(detail.section).find((step) => step.id === stepId) ?? null : null;
}

/** The step's parameters as the form holds them now (shared by name across the run's steps). */
export function stepParams(step: Step): Record<string, string> {
  const values = useRunUi.getState().params;
  const params: Record<string, string> = {};
  for (const name of step.params) params[name] = values[name] ?? '';
  return params;
}

function buildRequest(step: Step, confirmation?: string): RunRequest {
  const ui = useRunUi.getState();
  const target = useTarget.getState().target;
  return {
    stepId: step.id,
    params: stepParams(step),
    timeoutSec: timeoutSeconds(ui.timeouts[step.id]),
    ...(confirmation === undefined ? {} : { confirmation }),
    ...(target === null ? {} : { target }),
    ...(target !== null && offersRemoteHint(step, target) ? { useRemoteHint: ui.remoteHints[step.id] ?? true } : {}),
  };
}

/** Runs the step, or opens its confirmation when it is destructive. */
export function requestRun(stepId: string): void {
  const step = findStep(stepId);
  const run = useRun.getState();
  if (!step || step.kind !== 'command' || run.detail?.run.status !== 'running' || run.busy[stepId]) return;
  const state = run.detail.steps.find((candidate) => candidate.stepId === stepId);
  if (state?.attempts.some((attempt) => attempt.status === 'running')) return;
  useRunUi.getState().select(stepId);
  if (step.danger.level === 'destructive') {
    run.clearStepError(stepId);
    useRunUi.getState().openDialog({ kind: 'confirm', stepId });
    return;
  }
  void run.runStep(buildRequest(step));
}

/** From the confirmation dialog; resolves true when the host accepted the run. */
export async function runConfirmed(stepId: string, confirmation: string): Promise<boolean> {
  const step = findStep(stepId);
  if (!step) return false;
  return useRun.getState().runStep(buildRequest(step, confirmation));
}
