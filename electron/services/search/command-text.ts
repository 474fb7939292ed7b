/**
 * The text of a command as it ran, for the search index: the version's step script with each parameter's
 * occurrences replaced by the value recorded for the attempt (secrets are recorded masked, so they stay masked).
 * Values are pasted as text, the way a person would read the command; the shell got them as environment variables
 * (shared/exec/substitute.ts), which is not what anyone searches for.
 */
import type { Param, Section } from '../../../shared/model/runbook.js';
import { occurrencesOf, type StepOccurrences } from '../../../shared/runbook/command-as-run.js';
import { stepLabel } from '../../../shared/model/step-label.js';

export { commandAsRun } from '../../../shared/runbook/command-as-run.js';

/** What the index needs of one step of a version. */
export interface IndexedStep extends StepOccurrences {
  label: string;
}

/** The steps of a version's document by id. */
export function indexedSteps(document: { sections: readonly Section[]; params: readonly Param[] }): Map<string, IndexedStep> {
  const out = new Map<string, IndexedStep>();
  const visit = (sections: readonly Section[]): void => {
    for (const section of sections) {
      for (const step of section.steps) out.set(step.id, { label: stepLabel(step), script: step.script, occurrences: occurrencesOf(step, document.params) });
      visit(section.sections);
    }
  };
  visit(document.sections);
  return out;
}
