/**
 * When an open incident needs the operator: a status update due at the severity's cadence since the last update
 * (or the declaration), at once after a status change when the runbook asks for an update then, pushed back by a
 * snooze, and again each cadence while none is sent; and each escalation threshold of the runbook's path, counted
 * from the declaration, until someone acknowledges. Pure: times in, times out; the service keeps the one timer.
 */
import type { EscalationStep } from '../../../shared/contract/incidents.js';
import type { IncidentState } from './incident-state.js';

export interface UpdateRule {
  /** Minutes between updates at the incident's severity; null: none by time. */
  everyMin: number | null;
  /** An update is due at once after a status change (seed 004: "or when status changes"). */
  onStatusChange: boolean;
}

const MIN = 60_000;
const ms = (iso: string | null): number | null => {
  if (iso === null) return null;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? null : t;
};
const iso = (t: number): string => new Date(t).toISOString();

/** When the next status update is due (what the incident shows), or null: resolved, or nothing asks for one. */
export function nextUpdateDue(s: IncidentState, rule: UpdateRule): string | null {
  if (s.status === 'resolved') return null;
  const since = ms(s.lastUpdateAt) ?? ms(s.declaredAt) ?? 0;
  const candidates: number[] = [];
  if (rule.everyMin !== null) candidates.push(since + rule.everyMin * MIN);
  const changed = ms(s.lastStatusChangeAt);
  if (rule.onStatusChange && changed !== null && changed > since) candidates.push(changed);
  if (candidates.length === 0) return null;
  const due = Math.min(...candidates);
  const snoozed = ms(s.snoozedUntil);
  return iso(snoozed !== null && snoozed > due ? snoozed : due);
}

/**
 * When to remind of the update next: when it falls due, then every cadence while none is sent (or at a later status
 * change), never before a snooze ends. Null when nothing more is to be said.
 */
export function updateReminderAt(s: IncidentState, rule: UpdateRule): string | null {
  const due = nextUpdateDue(s, rule);
  if (due === null) return null;
  const reminded = ms(s.updateRemindedAt);
  if (reminded === null) return due;
  const candidates: number[] = [];
  if (rule.everyMin !== null) candidates.push(reminded + rule.everyMin * MIN);
  const changed = ms(s.lastStatusChangeAt);
  if (rule.onStatusChange && changed !== null && changed > reminded) candidates.push(changed);
  if (candidates.length === 0) return null;
  const next = Math.min(...candidates);
  const snoozed = ms(s.snoozedUntil);
  return iso(snoozed !== null && snoozed > next ? snoozed : next);
}

/** The escalation thresholds not yet reminded of, while the incident is open and unacknowledged, soonest first. */
export function pendingEscalations(s: IncidentState, path: readonly EscalationStep[]): Array<{ at: string; step: EscalationStep }> {
  if (s.status === 'resolved' || s.milestones.acknowledged !== null) return [];
  const declared = ms(s.declaredAt) ?? 0;
  return path.filter((step) => !s.escalated.has(step.afterMin)).map((step) => ({ at: iso(declared + step.afterMin * MIN), step }));
}
