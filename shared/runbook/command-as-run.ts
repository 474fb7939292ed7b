/**
 * A command step's text as it ran, for people and indexes to read: the version's script with each parameter's
 * occurrences replaced by the value recorded for the attempt (secrets are recorded masked, so they stay masked).
 * The shell got the values as environment variables (shared/exec/substitute.ts), never pasted into its text; this is
 * the one place that writes them in, for the search index, the evidence export and incident timelines alike.
 */
import type { Param, Step } from '../model/runbook.js';

/** What placing values needs of one step: its script and its occurrence texts by parameter name, longest first. */
export interface StepOccurrences {
  script: string;
  occurrences: ReadonlyMap<string, readonly string[]>;
}

export function occurrencesOf(step: Step, params: readonly Param[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const param of params) {
    if (!step.params.includes(param.name)) continue;
    const texts = [...new Set(param.occurrences.filter((o) => o.stepId === step.id).map((o) => o.text))].filter((t) => t !== '');
    // Longest first: `${ENV_NAME}` is replaced before an `$ENV` it contains.
    if (texts.length > 0) map.set(param.name, texts.sort((a, b) => b.length - a.length));
  }
  return map;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The script with the recorded values in place of their parameters' occurrences, in one pass (a value is never
 * rewritten); `$NAME` stops where the name does (`$DIR` is not the start of `$DIR_OLD`).
 */
export function commandAsRun(step: StepOccurrences, recorded: Readonly<Record<string, unknown>>): string {
  const values = new Map<string, string>();
  for (const [name, texts] of step.occurrences) {
    const value = recorded[name];
    if (typeof value !== 'string') continue;
    for (const text of texts) if (!values.has(text)) values.set(text, value);
  }
  if (values.size === 0) return step.script;
  const patterns = [...values.keys()].sort((a, b) => b.length - a.length).map((t) => (/^\$[A-Za-z_]\w*$/.test(t) ? `${escape(t)}(?![A-Za-z0-9_])` : escape(t)));
  return step.script.replace(new RegExp(patterns.join('|'), 'g'), (text) => values.get(text) ?? text);
}

/** As commandAsRun, from a step and its document's parameters. */
export function asRun(step: Step, params: readonly Param[], values: Readonly<Record<string, unknown>>): string {
  return commandAsRun({ script: step.script, occurrences: occurrencesOf(step, params) }, values);
}
