/**
 * Ending a run honestly: which steps a Finish would leave undone (the host's rule, mirrored so the dialog can list
 * them before asking), and how many of them a list names before "and N more".
 */
import type { StepState } from '../../../shared/contract/schemas.js';
import type { Section } from '../../../shared/model/runbook.js';
import { allSteps } from '../../components/section-tree.js';
import { stepLabel } from '../../../shared/model/step-label.js';

export interface LeftStep {
  id: string;
  title: string;
}

/** Names listed in the finish dialog and on a finished run; past this a list gets long enough to stop reading. */
export const LEFT_SHOWN = 10;

const FINISHED: ReadonlySet<StepState['status']> = new Set(['done', 'succeeded', 'skipped']);

/** Checks and command steps neither done, succeeded nor skipped, in document order (what `runs.finish` lists). */
export function stepsLeft(section: Section, states: readonly StepState[]): LeftStep[] {
  const status = new Map(states.map((state) => [state.stepId, state.status]));
  return allSteps(section)
    .filter((step) => (step.kind === 'check' || step.kind === 'command') && !FINISHED.has(status.get(step.id) ?? 'pending'))
    .map((step) => ({ id: step.id, title: stepLabel(step) }));
}

/** The first `max` steps to name, and how many more there are. */
export function leftPreview<T>(left: readonly T[], max = LEFT_SHOWN): { shown: T[]; more: number } {
  // "and 1 more" is no shorter than naming it.
  const shown = left.length === max + 1 ? left.length : max;
  return { shown: left.slice(0, shown), more: Math.max(0, left.length - shown) };
}
