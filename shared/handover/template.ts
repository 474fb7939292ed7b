/**
 * Handover templates: a runbook's (a Markdown block in a section about handovers, as seed 001's "End-of-Day Handover
 * Runbook › Handover Template"), or the default one below, which has a section for every part Opsdeck fills.
 */
import type { Runbook, Section } from '../model/runbook.js';

export interface HandoverTemplate {
  kind: 'runbook' | 'default';
  runbookId: string | null;
  sectionId: string | null;
  text: string;
}

export const DEFAULT_TEMPLATE_TEXT = `# Shift Handover - $(date)

## Open Incidents

## Runs This Shift

## Left Incomplete or Interrupted

## Pending Checks

## Schedules

## Follow-ups Due

## Carried Forward

## Notes for the Next Shift
- [Anything else the next shift should know]
`;

export const DEFAULT_TEMPLATE: HandoverTemplate = { kind: 'default', runbookId: null, sectionId: null, text: DEFAULT_TEMPLATE_TEXT };

const HANDOVER = /hand[\s-]?over/i;

/**
 * The runbook's handover template: the first template block (Markdown) in a section whose title, or an enclosing
 * section's, speaks of a handover, or whose own first heading does. Null when it has none.
 */
export function findHandoverTemplate(document: Runbook): { sectionId: string; text: string } | null {
  const walk = (sections: readonly Section[], inHandover: boolean): { sectionId: string; text: string } | null => {
    for (const s of sections) {
      const here = inHandover || HANDOVER.test(s.title);
      for (const step of s.steps) {
        if (step.kind !== 'template') continue;
        const heading = /^#{1,6}\s+(.*)$/m.exec(step.script)?.[1] ?? '';
        if (here || HANDOVER.test(step.title) || HANDOVER.test(heading)) return { sectionId: s.id, text: step.script };
      }
      const found = walk(s.sections, here);
      if (found) return found;
    }
    return null;
  };
  return walk(document.sections, false);
}
