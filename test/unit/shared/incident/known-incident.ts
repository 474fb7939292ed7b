// A known incident, as incidents.get answers it: declared P2 (detected earlier by an alert), raised to P1, a run of
// two attempts on web-1 (the first failed with exit 1), a backdated note and its correction, status changes, an
// update sent, a follow-up, resolved. The drafts' tests compare what is written from it with expected Markdown.
import { IncidentDetail, type SeverityLevel, type TimelineEntry } from '../../../../shared/contract/incidents.js';

const day = '2026-03-02T';
const t = (hms: string): string => `${day}${hms}.000Z`;

export const P_LEVELS: SeverityLevel[] = [
  { id: 'P0', label: 'Critical', definition: 'Complete system outage, data loss', responseTime: 'Immediate (24/7)', updateEveryMin: 15 },
  { id: 'P1', label: 'High', definition: 'Major functionality broken, performance degraded >50%', responseTime: '<15 minutes', updateEveryMin: 15 },
  { id: 'P2', label: 'Medium', definition: 'Minor functionality impaired, performance degraded <50%', responseTime: '<1 hour', updateEveryMin: 15 },
  { id: 'P3', label: 'Low', definition: 'Minimal impact, cosmetic issues', responseTime: '<1 day', updateEveryMin: 15 },
];

const RUN = 'run-0001';
const UPDATE_TEXT = 'Subject: [P1] Checkout API errors\n\nStatus: IDENTIFIED\nImpact: Checkout fails with HTTP 502 for some users';

const at = (hms: string, recorded = hms) => ({ at: t(hms), recordedAt: t(recorded) });

export const KNOWN_TIMELINE: TimelineEntry[] = [
  { id: 'e-milestone-detected', ...at('14:02:00', '14:05:00'), by: 'alice', kind: 'milestone', milestone: 'detected' },
  { id: 'e-note-alert', ...at('14:02:00', '14:10:00'), by: 'alice', kind: 'note', text: 'Alert fired: checkout 5xx rate at 15%' },
  { id: 'e-declared', ...at('14:05:00'), by: 'alice', kind: 'declared', title: 'Checkout API errors', severity: 'P2', summary: 'Checkout fails with HTTP 502 for some users', service: 'checkout-api' },
  { id: 'e-status-1', ...at('14:05:00'), by: 'alice', kind: 'status', from: null, to: 'investigating' },
  { id: 'e-severity', ...at('14:08:00'), by: 'alice', kind: 'severity', from: 'P2', to: 'P1' },
  { id: 'e-milestone-ack', ...at('14:10:00'), by: 'alice', kind: 'milestone', milestone: 'acknowledged' },
  { id: 'e-run', ...at('14:12:00'), by: 'alice', kind: 'run', runId: RUN, runbookTitle: 'Checkout Runbook', sectionTitle: 'Triage', target: 'web-1', status: 'failed' },
  {
    id: 'a-1', ...at('14:12:05', '14:12:07'), by: 'alice', kind: 'attempt', runId: RUN, attemptId: 'a-1', stepTitle: 'Quick assessment',
    command: '# Quick assessment\npython scripts/health_check.py', host: 'web-1', status: 'failed', exitCode: 1, durationMs: 2300,
  },
  {
    id: 'a-2', ...at('14:13:10', '14:13:12'), by: 'alice', kind: 'attempt', runId: RUN, attemptId: 'a-2', stepTitle: 'Check logs',
    command: 'docker-compose logs --tail=100 checkout', host: 'web-1', status: 'succeeded', exitCode: 0, durationMs: 1800,
  },
  { id: 'e-run-note', ...at('14:14:00'), by: 'alice', kind: 'run-note', runId: RUN, text: 'upstream pool exhausted in the logs' },
  { id: 'e-status-2', ...at('14:15:00'), by: 'alice', kind: 'status', from: 'investigating', to: 'identified' },
  { id: 'e-correction', ...at('14:16:00'), by: 'bob', kind: 'correction', entryId: 'e-note-alert', text: 'Alert fired: checkout 5xx rate at 12%, not 15%' },
  { id: 'e-update', ...at('14:20:00'), by: 'bob', kind: 'update', text: UPDATE_TEXT, sent: 'copied' },
  { id: 'e-milestone-mitigated', ...at('14:30:00'), by: 'alice', kind: 'milestone', milestone: 'mitigated' },
  { id: 'e-status-3', ...at('14:30:00'), by: 'alice', kind: 'status', from: 'identified', to: 'monitoring' },
  { id: 'e-followup', ...at('14:40:00'), by: 'bob', kind: 'followup', followupId: 'f-1', text: 'Raise the upstream connection pool limit', owner: 'bob', due: '2026-03-09T00:00:00.000Z' },
  { id: 'e-status-4', ...at('14:50:00'), by: 'alice', kind: 'status', from: 'monitoring', to: 'resolved' },
  { id: 'e-milestone-resolved', ...at('14:50:00'), by: 'alice', kind: 'milestone', milestone: 'resolved' },
];

/** Parsed by the contract's own schema: the fixture is what incidents.get can answer. */
export const KNOWN_INCIDENT: IncidentDetail = IncidentDetail.parse({
  id: 'inc-0001',
  title: 'Checkout API errors',
  severity: 'P1',
  status: 'resolved',
  service: 'checkout-api',
  declaredAt: t('14:05:00'),
  declaredBy: 'alice',
  lastUpdateAt: t('14:20:00'),
  nextUpdateDue: null,
  resolvedAt: t('14:50:00'),
  summary: 'Checkout fails with HTTP 502 for some users',
  runbookId: 'rb-0001',
  sectionId: null,
  roles: { commander: 'alice', communications: 'bob', scribe: 'alice' },
  milestones: { detected: t('14:02:00'), acknowledged: t('14:10:00'), mitigated: t('14:30:00'), resolved: t('14:50:00') },
  durations: { toAcknowledgeMs: 8 * 60_000, toMitigateMs: 28 * 60_000, toResolveMs: 48 * 60_000 },
  severityLevels: P_LEVELS,
  escalation: { path: [], next: null },
  followups: [{ id: 'f-1', text: 'Raise the upstream connection pool limit', owner: 'bob', due: '2026-03-09T00:00:00.000Z', done: false, createdAt: t('14:40:00') }],
  runIds: [RUN],
  timeline: KNOWN_TIMELINE,
});

/** The same incident at 14:35, monitoring: mitigated, not resolved, the follow-up not yet written. */
export const OPEN_INCIDENT: IncidentDetail = IncidentDetail.parse({
  ...KNOWN_INCIDENT,
  status: 'monitoring',
  resolvedAt: null,
  nextUpdateDue: t('14:35:00'),
  milestones: { ...KNOWN_INCIDENT.milestones, resolved: null },
  durations: { ...KNOWN_INCIDENT.durations, toResolveMs: null },
  followups: [],
  timeline: KNOWN_TIMELINE.filter((e) => e.at <= t('14:35:00')),
});
