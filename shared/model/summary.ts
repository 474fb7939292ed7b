/**
 * The counts shown beside a runbook in lists and after an import, computed once at import time and stored with
 * the version so that listing the library never has to load whole documents.
 */
import { z } from 'zod';
import { StepKind } from './runbook.js';
import type { Runbook, Section } from './runbook.js';

const Count = z.number().int().min(0);

export const RunbookSummary = z.object({
  /** Every section, nested ones included. */
  sections: Count,
  steps: z.record(StepKind, Count),
  parameters: Count,
  secrets: Count,
  /** Steps whose danger level is not `safe`. */
  dangerous: z.object({ caution: Count, destructive: Count }),
  scheduleHints: Count,
  warnings: Count,
});
export type RunbookSummary = z.infer<typeof RunbookSummary>;

export function summarizeRunbook(runbook: Runbook): RunbookSummary {
  const summary: RunbookSummary = {
    sections: 0,
    steps: { check: 0, command: 0, reference: 0, template: 0 },
    parameters: runbook.params.length,
    secrets: runbook.params.filter((param) => param.secret).length,
    dangerous: { caution: 0, destructive: 0 },
    scheduleHints: runbook.scheduleHints.length,
    warnings: runbook.warnings.length,
  };
  const visit = (section: Section): void => {
    summary.sections += 1;
    for (const step of section.steps) {
      summary.steps[step.kind] += 1;
      if (step.danger.level !== 'safe') summary.dangerous[step.danger.level] += 1;
    }
    section.sections.forEach(visit);
  };
  runbook.sections.forEach(visit);
  return summary;
}
