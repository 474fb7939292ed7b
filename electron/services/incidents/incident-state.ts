/**
 * An incident's state folded from its own entries, in the order they were recorded: title and severity, status,
 * milestones, roles, the last status update, snoozes, reminders given, follow-ups and linked runs. Pure: the
 * service reads the entries, this says what they add up to. Entries of a kind this version does not know (written
 * by a newer one, merged from another device) are kept out of the state and the timeline rather than refused.
 */
import type { FollowUp, IncidentRole, IncidentStatus, Milestone, TimelineEntry } from '../../../shared/contract/incidents.js';
import type { EntryRow, IncidentRow } from '../store/incident-store.js';

export const ROLES: readonly IncidentRole[] = ['commander', 'communications', 'scribe'];
export const MILESTONES: readonly Milestone[] = ['detected', 'acknowledged', 'mitigated', 'resolved'];
const STATUSES: readonly IncidentStatus[] = ['investigating', 'identified', 'monitoring', 'resolved'];

export interface IncidentState {
  id: string;
  deviceId: string;
  declaredAt: string;
  declaredBy: string;
  title: string;
  severity: string;
  summary: string;
  service: string;
  runbookId: string | null;
  /** The runbook version read for severities, templates and the escalation path (the latest when declared). */
  versionId: string | null;
  sectionId: string | null;
  status: IncidentStatus;
  /** When the status last changed after declaration (null: never). */
  lastStatusChangeAt: string | null;
  roles: Record<IncidentRole, string>;
  /** As recorded; `detected` falls back to the declaration where read (see detectedAt). */
  milestones: Record<Milestone, string | null>;
  lastUpdateAt: string | null;
  /** The latest snooze recorded since the last update (or declaration). */
  snoozedUntil: string | null;
  /** The latest update reminder recorded since the last update (or declaration). */
  updateRemindedAt: string | null;
  /** Escalation thresholds (minutes) already reminded of. */
  escalated: ReadonlySet<number>;
  followups: FollowUp[];
  /** Linked runs, in the order they were linked, with the entry that linked each. */
  runLinks: Array<{ runId: string; entry: EntryRow }>;
  /** Every entry id, for corrections to name. */
  entryIds: ReadonlySet<string>;
}

const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const isStatus = (v: unknown): v is IncidentStatus => typeof v === 'string' && (STATUSES as readonly string[]).includes(v);
const isMilestone = (v: unknown): v is Milestone => typeof v === 'string' && (MILESTONES as readonly string[]).includes(v);
const isRole = (v: unknown): v is IncidentRole => typeof v === 'string' && (ROLES as readonly string[]).includes(v);

/** When it was detected: the milestone as recorded, else the declaration. */
export const detectedAt = (s: IncidentState): string => s.milestones.detected ?? s.declaredAt;

export function foldIncident(incident: IncidentRow, rows: readonly EntryRow[]): IncidentState {
  const s: IncidentState = {
    id: incident.id,
    deviceId: incident.deviceId,
    declaredAt: incident.declaredAt,
    declaredBy: incident.declaredBy,
    title: '',
    severity: '',
    summary: '',
    service: '',
    runbookId: null,
    versionId: null,
    sectionId: null,
    status: 'investigating',
    lastStatusChangeAt: null,
    roles: { commander: incident.declaredBy, communications: incident.declaredBy, scribe: incident.declaredBy },
    milestones: { detected: null, acknowledged: null, mitigated: null, resolved: null },
    lastUpdateAt: null,
    snoozedUntil: null,
    updateRemindedAt: null,
    escalated: new Set<number>(),
    followups: [],
    runLinks: [],
    entryIds: new Set(rows.map((r) => r.id)),
  };
  const escalated = new Set<number>();
  const linked = new Set<string>();
  for (const row of rows) {
    const d = row.data;
    switch (row.kind) {
      case 'declared': {
        s.title = str(d.title);
        s.severity = str(d.severity);
        s.summary = str(d.summary);
        s.service = str(d.service);
        s.runbookId = strOrNull(d.runbookId);
        s.versionId = strOrNull(d.versionId);
        s.sectionId = strOrNull(d.sectionId);
        const roles = d.roles !== null && typeof d.roles === 'object' ? (d.roles as Record<string, unknown>) : {};
        for (const role of ROLES) if (typeof roles[role] === 'string') s.roles[role] = roles[role] as string;
        break;
      }
      case 'status':
        if (!isStatus(d.to)) break;
        if (d.from !== null) s.lastStatusChangeAt = row.at;
        // A reopened incident is no longer resolved; one back to investigating or identified no longer mitigated.
        if (d.to !== 'resolved') s.milestones.resolved = null;
        if (d.to === 'investigating' || d.to === 'identified') s.milestones.mitigated = null;
        s.status = d.to;
        break;
      case 'severity':
        s.severity = str(d.to, s.severity);
        break;
      case 'milestone':
        if (isMilestone(d.milestone)) s.milestones[d.milestone] = row.at;
        break;
      case 'role':
        if (isRole(d.role) && typeof d.name === 'string') s.roles[d.role] = d.name;
        break;
      case 'update':
        s.lastUpdateAt = row.at;
        s.snoozedUntil = null;
        s.updateRemindedAt = null;
        break;
      case 'snooze':
        if (typeof d.until === 'string' && (s.snoozedUntil === null || d.until > s.snoozedUntil)) s.snoozedUntil = d.until;
        break;
      case 'reminder':
        if (d.reason === 'update_due') s.updateRemindedAt = row.at;
        else if (d.reason === 'escalation' && typeof d.afterMin === 'number') escalated.add(d.afterMin);
        break;
      case 'followup':
        if (typeof d.followupId === 'string') {
          s.followups.push({ id: d.followupId, text: str(d.text), owner: str(d.owner), due: strOrNull(d.due), done: false, createdAt: row.at });
        }
        break;
      case 'followup-done': {
        const f = s.followups.find((x) => x.id === d.followupId);
        if (f) f.done = true;
        break;
      }
      case 'run':
        if (row.runId && !linked.has(row.runId)) {
          linked.add(row.runId);
          s.runLinks.push({ runId: row.runId, entry: row });
        }
        break;
      default:
        // note, correction: on the timeline only; unknown kinds: skipped.
        break;
    }
  }
  s.escalated = escalated;
  return s;
}

/** An own entry as the timeline shows it; null for a link to a run (the run's record makes that entry) or an unknown kind. */
export function ownEntry(row: EntryRow): TimelineEntry | null {
  const base = { id: row.id, at: row.at, recordedAt: row.recordedAt, by: row.by };
  const d = row.data;
  switch (row.kind) {
    case 'declared':
      return { ...base, kind: 'declared', title: str(d.title), severity: str(d.severity), summary: str(d.summary), service: str(d.service) };
    case 'status':
      return isStatus(d.to) ? { ...base, kind: 'status', from: isStatus(d.from) ? d.from : null, to: d.to } : null;
    case 'severity':
      return { ...base, kind: 'severity', from: str(d.from), to: str(d.to) };
    case 'milestone':
      return isMilestone(d.milestone) ? { ...base, kind: 'milestone', milestone: d.milestone } : null;
    case 'role':
      return isRole(d.role) ? { ...base, kind: 'role', role: d.role, name: str(d.name) } : null;
    case 'note':
      return { ...base, kind: 'note', text: str(d.text) };
    case 'correction':
      return { ...base, kind: 'correction', entryId: str(d.entryId), text: str(d.text) };
    case 'update':
      return { ...base, kind: 'update', text: str(d.text), sent: d.sent === 'webhook' ? 'webhook' : 'copied' };
    case 'snooze':
      return { ...base, kind: 'snooze', until: str(d.until) };
    case 'reminder':
      return { ...base, kind: 'reminder', reason: d.reason === 'escalation' ? 'escalation' : 'update_due', text: str(d.text) };
    case 'followup':
      return { ...base, kind: 'followup', followupId: str(d.followupId), text: str(d.text), owner: str(d.owner), due: strOrNull(d.due) };
    case 'followup-done':
      return { ...base, kind: 'followup-done', followupId: str(d.followupId) };
    default:
      return null;
  }
}
