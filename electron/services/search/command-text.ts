/**
 * The text of a command as it ran, for the search index: the version's step script with each parameter's
 * occurrences replaced by the value recorded for the attempt (secrets are recorded masked, so they stay masked).
 * Values are pasted as text, the way a person would read the command; the shell got them as environment variables
 * (shared/exec/substitute.ts), which is not what anyone searches for.
 */
import type { Param, Section, Step } from '../../../shared/model/runbook.js';
import { stepLabel } from '../../../shared/model/step-label.js';

/** What the index needs of one step of a version. */
export interface IndexedStep {
  label: string;
  script: string;
  /** Occurrence texts in this step (`<run-id>`, `${{ secrets.X }}`) by parameter name, longest first. */
  occurrences: ReadonlyMap<string, readonly string[]>;
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

function occurrencesOf(step: Step, params: readonly Param[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const param of params) {
    if (!step.params.includes(param.name)) continue;
    const texts = [...new Set(param.occurrences.filter((o) => o.stepId === step.id).map((o) => o.text))].filter((t) => t !== '');
    // Longest first: `${ENV_NAME}` is replaced before an `$ENV` it contains.
    if (texts.length > 0) map.set(param.name, texts.sort((a, b) => b.length - a.length));
  }
  return map;
}

/** The step's script with the recorded values in place of their parameters' occurrences (in one pass: a value is never rewritten). */
export function commandAsRun(step: IndexedStep, recorded: Readonly<Record<string, unknown>>): string {
  const values = new Map<string, string>();
  for (const [name, texts] of step.occurrences) {
    const value = recorded[name];
    if (typeof value !== 'string') continue;
    for (const text of texts) if (!values.has(text)) values.set(text, value);
  }
  if (values.size === 0) return step.script;
  const texts = [...values.keys()].sort((a, b) => b.length - a.length).map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return step.script.replace(new RegExp(texts.join('|'), 'g'), (text) => values.get(text) ?? text);
}
