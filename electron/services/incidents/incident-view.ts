/**
 * An incident as the contract shows it: its summary (lists, the header badge) and its detail (one incident with its
 * timeline), from its folded state and what its runbook says about severities, update cadence and escalation.
 */
import type { EscalationStep, IncidentDetail, IncidentSummary, SeverityLevel, TimelineEntry } from '../../../shared/contract/incidents.js';
import type { Runbook } from '../../../shared/model/runbook.js';
import { readEscalationPath } from '../../../shared/incident/escalation.js';
import { findSeverity, readSeverities, severitiesOf } from '../../../shared/incident/severity.js';
import { detectedAt, type IncidentState } from './incident-state.js';
import { nextUpdateDue, pendingEscalations, type UpdateRule } from './reminders.js';

/** What an incident's runbook (version) says about its response; the defaults when it has none. */
export interface RunbookFacts {
  levels: SeverityLevel[];
  onStatusChange: boolean;
  path: EscalationStep[];
}

export function factsOf(document: Pick<Runbook, 'sections'> | null): RunbookFacts {
  return {
    levels: severitiesOf(document),
    onStatusChange: document ? (readSeverities(document).cadence?.onStatusChange ?? false) : false,
    path: document ? readEscalationPath(document) : [],
  };
}

export function ruleOf(facts: RunbookFacts, severity: string): UpdateRule {
  return { everyMin: findSeverity(facts.levels, severity)?.updateEveryMin ?? null, onStatusChange: facts.onStatusChange };
}

export function summaryOf(s: IncidentState, facts: RunbookFacts): IncidentSummary {
  return {
    id: s.id,
    title: s.title,
    severity: s.severity,
    status: s.status,
    service: s.service,
    declaredAt: s.declaredAt,
    declaredBy: s.declaredBy,
    lastUpdateAt: s.lastUpdateAt,
    nextUpdateDue: nextUpdateDue(s, ruleOf(facts, s.severity)),
    resolvedAt: s.status === 'resolved' ? s.milestones.resolved : null,
  };
}

const between = (from: string, to: string | null): number | null => (to === null ? null : Math.max(0, Date.parse(to) - Date.parse(from)));

export function detailOf(s: IncidentState, facts: RunbookFacts, timeline: TimelineEntry[]): IncidentDetail {
  const detected = detectedAt(s);
  const next = pendingEscalations(s, facts.path)[0] ?? null;
  return {
    ...summaryOf(s, facts),
    summary: s.summary,
    runbookId: s.runbookId,
    sectionId: s.sectionId,
    roles: { ...s.roles },
    milestones: { ...s.milestones, detected },
    durations: {
      toAcknowledgeMs: between(detected, s.milestones.acknowledged),
      toMitigateMs: between(detected, s.milestones.mitigated),
      toResolveMs: between(detected, s.milestones.resolved),
    },
    severityLevels: facts.levels,
    escalation: { path: facts.path, next },
    followups: s.followups.map((f) => ({ ...f })),
    runIds: s.runLinks.map((l) => l.runId),
    timeline,
  };
}
