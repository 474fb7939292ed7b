/**
 * The escalation path a runbook gives (seed 004's "### Escalation Path": "No response in 15 min: Contact secondary"),
 * as thresholds the owner reminds the operator at until the incident is acknowledged. Only the steps that name a
 * time become timers; "P0/P1: Contact primary on-call immediately" is a rule for whoever declares, not a timer.
 */
import type { EscalationStep } from '../contract/incidents.js';
import type { Runbook, Section, Step } from '../model/runbook.js';

const ESCALATION_SECTION = /\bescalat(e|ion|ions|ing)\b/i;
/** "No response in 15 min: Contact secondary", "No ack within 1 hour - page the manager". */
const NO_RESPONSE = /\bno\s+(?:response|answer|reply|ack(?:nowledge?ment)?|acknowledge?ment)\b[^\d\n]{0,20}?(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h)\b\s*[:,.;–—-]?\s*(.*)$/i;
/** "After 30 minutes: contact the manager", "15 min: secondary". */
const AFTER = /^\s*(?:after\s+)?(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h)\b(?:\s+without\s+(?:a\s+)?(?:response|answer|ack\w*))?\s*[:,–—-]\s*(.+)$/i;
const CONTACT_VERB = /^(?:contact|page|call|phone|notify|ping|text|escalate\s+to|alert|wake(?:\s+up)?)\s+/i;

const allSections = (sections: readonly Section[]): Section[] => sections.flatMap((s) => [s, ...allSections(s.sections)]);
const stepsOf = (section: Section): Step[] => [...section.steps, ...section.sections.flatMap(stepsOf)];

/** "Contact secondary." -> "secondary"; "the manager on call" stays as written. */
function contactOf(rest: string): string {
  const text = rest.trim().replace(/[.;]+$/, '').trim();
  return text.replace(CONTACT_VERB, '').trim() || text;
}

/** One line of an escalation path as a threshold, or null when it names no time. */
export function parseEscalationLine(line: string): EscalationStep | null {
  const text = line.trim();
  const m = NO_RESPONSE.exec(text) ?? AFTER.exec(text);
  if (!m?.[1] || !m[2]) return null;
  const n = Number(m[1]);
  const afterMin = /^h/i.test(m[2]) ? n * 60 : n;
  const rest = (m[3] ?? '').trim();
  if (!rest || afterMin > 7 * 24 * 60) return null;
  return { afterMin, contact: contactOf(rest), text };
}

/** The runbook's escalation thresholds, soonest first (empty when it has no escalation path). */
export function readEscalationPath(runbook: Pick<Runbook, 'sections'>): EscalationStep[] {
  for (const section of allSections(runbook.sections)) {
    if (!ESCALATION_SECTION.test(section.title)) continue;
    const steps = stepsOf(section)
      .filter((s) => s.kind !== 'command')
      .flatMap((s) => s.script.split('\n'))
      .map(parseEscalationLine)
      .filter((s): s is EscalationStep => s !== null);
    if (steps.length > 0) return steps.map((s, i) => ({ s, i })).sort((a, b) => a.s.afterMin - b.s.afterMin || a.i - b.i).map(({ s }) => s);
  }
  return [];
}
