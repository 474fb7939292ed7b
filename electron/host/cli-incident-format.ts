/**
 * What `opsdeck incident ...` prints: the incident table, one incident in full, and its timeline, times in UTC (an
 * incident's timeline is read across zones, and the post-mortem writes UTC too). Pure functions from contract
 * results to text.
 */
import type { IncidentDetail, IncidentSummary, TimelineEntry } from '../../shared/contract/incidents.js';
import { assertNever } from '../../shared/runbook/schedule-cron.js';
import { shortIds } from './cli-format.js';

/** "2026-06-01 14:02:05Z". */
export function utc(iso: string | null): string {
  if (iso === null) return '—';
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

const short = (id: string): string => id.slice(0, 8);

/** "1 h 05 min", "3 min 20 s", "12 s". */
export function duration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min${s % 60 ? ` ${String(s % 60).padStart(2, '0')} s` : ''}`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export function formatIncidentList(list: readonly IncidentSummary[]): string {
  if (list.length === 0) return 'No incidents.';
  const ids = shortIds(list.map((i) => i.id));
  const rows = list.map((i) => [ids.get(i.id) ?? i.id, i.severity, i.status, utc(i.declaredAt), i.nextUpdateDue ? `update ${utc(i.nextUpdateDue)}` : '', i.title + (i.service ? ` (${i.service})` : '')]);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c] ?? 0))).join('  ').trimEnd()).join('\n');
}

export function formatIncident(d: IncidentDetail): string {
  const level = d.severityLevels.find((l) => l.id === d.severity);
  const lines = [
    `${d.title}`,
    `  id          ${d.id}`,
    `  severity    ${d.severity}${level ? ` ${level.label}${level.responseTime ? ` (respond: ${level.responseTime})` : ''}` : ''}`,
    `  status      ${d.status}`,
    ...(d.service ? [`  service     ${d.service}`] : []),
    ...(d.summary ? [`  summary     ${d.summary.replace(/\n/g, '\n              ')}`] : []),
    `  declared    ${utc(d.declaredAt)} by ${d.declaredBy}`,
    `  roles       commander ${d.roles.commander}, communications ${d.roles.communications}, scribe ${d.roles.scribe}`,
    `  milestones  detected ${utc(d.milestones.detected)} · acknowledged ${utc(d.milestones.acknowledged)} · mitigated ${utc(d.milestones.mitigated)} · resolved ${utc(d.milestones.resolved)}`,
    `  durations   to acknowledge ${duration(d.durations.toAcknowledgeMs)} · to mitigate ${duration(d.durations.toMitigateMs)} · to resolve ${duration(d.durations.toResolveMs)}`,
    `  updates     last ${utc(d.lastUpdateAt)} · next due ${utc(d.nextUpdateDue)}`,
  ];
  if (d.escalation.next) lines.push(`  escalation  ${utc(d.escalation.next.at)}: ${d.escalation.next.step.text}`);
  if (d.runIds.length > 0) lines.push(`  runs        ${d.runIds.join(', ')}`);
  if (d.followups.length > 0) {
    lines.push('  follow-ups');
    for (const f of d.followups) lines.push(`    [${f.done ? 'x' : ' '}] ${f.text} — ${f.owner}${f.due ? `, due ${utc(f.due)}` : ''} (${f.id})`);
  }
  lines.push(`  timeline    ${d.timeline.length} entries: opsdeck incident timeline ${d.id}`);
  return lines.join('\n');
}

const firstLine = (text: string): string => {
  const lines = text.split('\n');
  return lines.length > 1 ? `${lines[0] ?? ''} …` : text;
};

/** One timeline entry as text (without its time). */
export function describeEntry(e: TimelineEntry): string {
  switch (e.kind) {
    case 'declared':
      return `declared "${e.title}" (${e.severity})${e.service ? ` on ${e.service}` : ''}${e.summary ? `: ${firstLine(e.summary)}` : ''}`;
    case 'status':
      return e.from === null ? `status ${e.to}` : `status ${e.from} → ${e.to}`;
    case 'severity':
      return `severity ${e.from} → ${e.to}`;
    case 'milestone':
      return `${e.milestone}`;
    case 'role':
      return `${e.role}: ${e.name}`;
    case 'note':
      return `note: ${e.text}`;
    case 'correction':
      return `correction of ${short(e.entryId)}: ${e.text}`;
    case 'run':
      return `run ${e.runId} ${e.runbookTitle} › ${e.sectionTitle} on ${e.target || '?'} (${e.status})`;
    case 'attempt': {
      const how = e.exitCode !== null ? `exit ${e.exitCode}` : e.status;
      const took = e.durationMs !== null ? ` · ${duration(e.durationMs)}` : '';
      return `  ${e.stepTitle}${e.host ? ` on ${e.host}` : ''}: ${how}${took}\n${e.command.split('\n').map((l) => `      $ ${l}`).join('\n')}`;
    }
    case 'step':
      return `  ${e.action} "${e.stepTitle}"${e.reason ? `: ${e.reason}` : ''}`;
    case 'run-note':
      return `  run note: ${e.text}`;
    case 'recording':
      return `  terminal recording "${e.title}"`;
    case 'update':
      return `status update (${e.sent}): ${firstLine(e.text)}`;
    case 'snooze':
      return `update reminder snoozed until ${utc(e.until)}`;
    case 'reminder':
      return `reminder: ${e.text}`;
    case 'followup':
      return `follow-up: ${e.text} — ${e.owner}${e.due ? `, due ${utc(e.due)}` : ''}`;
    case 'followup-done':
      return `follow-up done (${short(e.followupId)})`;
    default:
      return assertNever(e);
  }
}

export function formatTimeline(entries: readonly TimelineEntry[]): string {
  if (entries.length === 0) return 'Nothing on the timeline yet.';
  return entries
    .map((e) => {
      // Backdated by hand ("alert fired 14:02"): said so, with when it was written.
      const late = (e.kind === 'note' || e.kind === 'milestone') && Date.parse(e.recordedAt) - Date.parse(e.at) > 60_000 ? ` (written ${utc(e.recordedAt)})` : '';
      return `${utc(e.at)}  ${e.by.padEnd(8)}  ${describeEntry(e)}${late}`;
    })
    .join('\n');
}
