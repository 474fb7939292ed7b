/** The placeholder texts the importer found in each step, for highlighting them where they are written. */
import type { Param } from '../../shared/model/runbook.js';

export function placeholdersByStep(params: readonly Param[]): Map<string, string[]> {
  const byStep = new Map<string, string[]>();
  for (const param of params) {
    for (const occurrence of param.occurrences) {
      const list = byStep.get(occurrence.stepId) ?? [];
      if (!list.includes(occurrence.text)) list.push(occurrence.text);
      byStep.set(occurrence.stepId, list);
    }
  }
  return byStep;
}
