/**
 * The post-mortem drafted for an incident, in Markdown, with exactly the sections the runbook asks for (or the
 * default set), each prefilled from the record where the record knows the answer: the timeline in UTC, the
 * milestones and the durations to acknowledge / mitigate / resolve, the commands run with their exit codes, the
 * updates sent, the follow-ups. What only people know (root cause, prevention) is left with a "_To be written_" prompt.
 */
import type { IncidentDetail, Milestone, TimelineEntry } from '../contract/incidents.js';
import { assertNever } from '../runbook/schedule-cron.js';
import {
  attemptOutcome,
  attemptTarget,
  codeBlock,
  commandInline,
  commandLines,
  durationText,
  inlineCode,
  oneLine,
  severityLabel,
  utcClock,
  utcDay,
  utcMinute,
} from './draft-format.js';

export interface PostmortemInput {
  incident: IncidentDetail;
  /** The section titles, in order (comms-template.ts's findPostmortemSections(...).sections). */
  sections: readonly string[];
  now: Date;
}

/** What a section is about, from its title: what the draft can fill it with. */
export type SectionPart = 'summary' | 'timeline' | 'root-cause' | 'impact' | 'resolution' | 'prevention' | 'actions' | 'communication' | 'other';

/** Tried in order: "Action items" before "Resolution", "Root cause" before anything with "cause". */
const PARTS: ReadonlyArray<[SectionPart, RegExp]> = [
  ['actions', /action\s*items?|follow[-\s]?ups?|to-?dos?|next\s+steps|tasks|owners/i],
  ['timeline', /timeline|chronolog|sequence\s+of\s+events|time\s*line/i],
  ['root-cause', /root\s*cause|\bcauses?\b|contributing\s+factors|\bwhy\b/i],
  ['communication', /communicat|status\s+updates?|updates\s+sent|stakeholders?/i],
  ['impact', /impact|affected|severity|customers?|users?\s+affected/i],
  ['prevention', /prevent|lessons?|learn|went\s+(well|wrong)|improve|recurrence/i],
  ['resolution', /resolution|resolv|remediat|mitigat|recover|\bfix|response|actions?\s+taken|steps\s+taken/i],
  ['summary', /summary|overview|description|what\s+happened|abstract/i],
];

export function partOf(title: string): SectionPart {
  return PARTS.find(([, re]) => re.test(title))?.[0] ?? 'other';
}

const TO_BE_WRITTEN: Record<'summary' | 'root-cause' | 'impact' | 'prevention' | 'other', string> = {
  summary: '_To be written: what happened and what it meant, in two or three sentences._',
  'root-cause': '_To be written: what caused the incident, and why it was possible (the record shows what was done, not why it broke)._',
  impact: '_To be written: who and what was affected, how many, and how badly._',
  prevention: '_To be written: what will keep this from happening again, or catch it sooner._',
  other: '_To be written._',
};

type Entry<K extends TimelineEntry['kind']> = Extract<TimelineEntry, { kind: K }>;

/** Written more than a minute after it happened (a note or a milestone given a time): said, with when. */
const BACKDATE_MS = 60_000;

/** One timeline entry, as the timeline's "what". */
function what(e: TimelineEntry, incident: IncidentDetail, byId: ReadonlyMap<string, TimelineEntry>): string {
  switch (e.kind) {
    case 'declared':
      return `Declared ${e.severity} “${e.title}”${e.service ? ` (${e.service})` : ''}${e.summary ? `: ${oneLine(e.summary)}` : ''}`;
    case 'status':
      return e.from === null ? `Status: ${e.to}` : `Status: ${e.from} → ${e.to}`;
    case 'severity':
      return `Severity: ${e.from} → ${e.to}`;
    case 'milestone':
      return `Milestone: ${e.milestone}`;
    case 'role':
      return `Role: ${e.role} is ${e.name}`;
    case 'note':
      return `Note: ${oneLine(e.text)}`;
    case 'correction': {
      const target = byId.get(e.entryId);
      const of = target ? `the ${target.kind === 'run-note' ? 'run note' : target.kind} of ${utcClock(target.at)}` : 'an earlier entry';
      return `Correction of ${of}: ${oneLine(e.text)}`;
    }
    case 'run':
      return `Run started: ${e.runbookTitle || 'a runbook'} › ${e.sectionTitle || '?'} on ${e.target || 'an unknown target'} (${e.status})`;
    case 'attempt':
      return `${e.stepTitle}: ${commandInline(e.command)} on ${attemptTarget(e, incident.timeline)}, ${attemptOutcome(e)}${e.durationMs !== null ? ` (${durationText(e.durationMs)})` : ''}`;
    case 'step':
      return `${e.action === 'skipped' ? 'Skipped' : e.action === 'ticked' ? 'Ticked' : 'Unticked'} “${e.stepTitle}”${e.reason ? `: ${oneLine(e.reason)}` : ''}`;
    case 'run-note':
      return `Run note: ${oneLine(e.text)}`;
    case 'recording':
      return `Terminal recording: ${e.title}`;
    case 'update':
      return `Status update sent (${e.sent === 'webhook' ? 'by webhook' : 'copied'}): ${oneLine(e.text.split('\n')[0] ?? '')}`;
    case 'snooze':
      return `Update reminder snoozed until ${utcClock(e.until)}`;
    case 'reminder':
      return `Reminder (${e.reason === 'escalation' ? 'escalation' : 'update due'}): ${oneLine(e.text)}`;
    case 'followup':
      return `Follow-up: ${oneLine(e.text)} (${e.owner}${e.due ? `, due ${utcDay(e.due)}` : ''})`;
    case 'followup-done': {
      const f = incident.followups.find((x) => x.id === e.followupId);
      return `Follow-up done: ${f ? oneLine(f.text) : e.followupId}`;
    }
    default:
      return assertNever(e);
  }
}

/** The timeline, one line per entry (time, who, what), under a line for each day. */
export function timelineLines(incident: IncidentDetail): string[] {
  const byId = new Map(incident.timeline.map((e) => [e.id, e]));
  const out: string[] = ['All times UTC.'];
  // An entry corrected later says so where it stands; the correction itself follows in its place.
  const correctedAt = new Map<string, string>();
  for (const e of incident.timeline) if (e.kind === 'correction' && !correctedAt.has(e.entryId)) correctedAt.set(e.entryId, e.at);
  let day = '';
  for (const e of incident.timeline) {
    if (utcDay(e.at) !== day) {
      day = utcDay(e.at);
      out.push('', `**${day}**`, '');
    }
    const asides = [
      ...((e.kind === 'note' || e.kind === 'milestone') && Date.parse(e.recordedAt) - Date.parse(e.at) > BACKDATE_MS ? [`written ${utcClock(e.recordedAt)}`] : []),
      ...(correctedAt.has(e.id) ? [`corrected ${utcClock(correctedAt.get(e.id) ?? '')}`] : []),
    ];
    out.push(`- ${utcClock(e.at)} · ${e.by || '?'} · ${what(e, incident, byId)}${asides.length > 0 ? ` (${asides.join('; ')})` : ''}`);
  }
  if (incident.timeline.length === 0) out.push('', 'Nothing was recorded.');
  return out;
}

const MILESTONES: readonly Milestone[] = ['detected', 'acknowledged', 'mitigated', 'resolved'];
const DURATIONS: ReadonlyArray<[string, keyof IncidentDetail['durations']]> = [
  ['to acknowledge', 'toAcknowledgeMs'],
  ['to mitigate', 'toMitigateMs'],
  ['to resolve', 'toResolveMs'],
];

export function milestoneLines(incident: IncidentDetail): string[] {
  const out = ['**Milestones**', ''];
  for (const m of MILESTONES) {
    const at = incident.milestones[m];
    out.push(`- ${m[0]?.toUpperCase()}${m.slice(1)}: ${at ? utcMinute(at) : 'not reached'}`);
  }
  const times = DURATIONS.map(([label, key]) => {
    const ms = incident.durations[key];
    return `${label} ${ms === null ? 'not yet' : durationText(ms)}`;
  });
  out.push('', `From detection: ${times.join(' · ')}.`);
  return out;
}

/** The status updates sent, each with when, how and by whom, and its first line. */
export function updateLines(incident: IncidentDetail): string[] {
  const updates = incident.timeline.filter((e): e is Entry<'update'> => e.kind === 'update');
  if (updates.length === 0) return ['No status update was sent.'];
  return updates.map((u) => `- ${utcMinute(u.at)} · ${u.by} · ${u.sent === 'webhook' ? 'by webhook' : 'copied'}: ${oneLine(u.text.split('\n')[0] ?? '')}`);
}

/** The commands run, in order, each with its step, target, exit code and duration; a long one in a block. */
export function resolutionLines(incident: IncidentDetail): string[] {
  const attempts = incident.timeline.filter((e): e is Entry<'attempt'> => e.kind === 'attempt');
  if (attempts.length === 0) return ['No command was run from Opsdeck during this incident.', '', '_To be written: what was done to resolve it._'];
  const out = ['Commands run, in order:', ''];
  attempts.forEach((a, i) => {
    const lines = commandLines(a.command);
    const took = a.durationMs !== null ? `, ${durationText(a.durationMs)}` : '';
    const head = `${i + 1}. ${utcMinute(a.at)} · ${a.stepTitle} · on ${attemptTarget(a, incident.timeline)} · ${attemptOutcome(a)}${took}`;
    if (lines.length <= 1) out.push(`${head}: ${inlineCode(lines[0] ?? a.command.trim())}`);
    else out.push(`${head}:`, '', codeBlock(lines.join('\n'), '   '), '');
  });
  while (out.at(-1) === '') out.pop();
  const done = (['mitigated', 'resolved'] as const).filter((m) => incident.milestones[m] !== null).map((m) => `${m} at ${utcMinute(incident.milestones[m] ?? '')}`);
  if (done.length > 0) out.push('', `${done.join(', ').replace(/^./, (c) => c.toUpperCase())}.`);
  return out;
}

export function impactLines(incident: IncidentDetail): string[] {
  const level = incident.severityLevels.find((l) => l.id === incident.severity);
  const from = incident.milestones.detected ?? incident.declaredAt;
  const to = incident.milestones.resolved ?? incident.resolvedAt;
  const out = [
    `- Service: ${incident.service || 'not named'}`,
    `- Severity: ${severityLabel(incident)}${level?.definition ? `: ${level.definition}` : ''}`,
    `- Duration: ${to ? `${durationText(Date.parse(to) - Date.parse(from))}, from ${utcMinute(from)} to ${utcMinute(to)}` : `ongoing since ${utcMinute(from)}`}`,
  ];
  if (incident.summary.trim()) out.push(`- As reported: ${oneLine(incident.summary)}`);
  return [...out, '', TO_BE_WRITTEN.impact];
}

export function actionItemLines(incident: IncidentDetail): string[] {
  if (incident.followups.length === 0) return ['_None recorded yet: add each follow-up with its owner and due date._'];
  return incident.followups.map((f) => `- [${f.done ? 'x' : ' '}] ${oneLine(f.text)} (owner: ${f.owner}${f.due ? `, due ${utcDay(f.due)}` : ''})`);
}

function summaryLines(incident: IncidentDetail): string[] {
  const from = incident.milestones.detected ?? incident.declaredAt;
  const resolved = incident.milestones.resolved ?? incident.resolvedAt;
  const when = resolved
    ? `Detected ${utcMinute(from)}, resolved ${utcMinute(resolved)}.`
    : `Detected ${utcMinute(from)}; not resolved yet (${incident.status}).`;
  return [...(incident.summary.trim() ? [incident.summary.trim(), ''] : []), when, '', TO_BE_WRITTEN.summary];
}

/** What a section of `part` holds; `hasComms`: the updates have a section of their own (else the timeline has them). */
function bodyOf(part: SectionPart, incident: IncidentDetail, hasComms: boolean): string[] {
  switch (part) {
    case 'summary':
      return summaryLines(incident);
    case 'timeline':
      return [...timelineLines(incident), '', ...milestoneLines(incident), ...(hasComms ? [] : ['', '**Status updates sent**', '', ...updateLines(incident)])];
    case 'root-cause':
      return [TO_BE_WRITTEN['root-cause']];
    case 'impact':
      return impactLines(incident);
    case 'resolution':
      return resolutionLines(incident);
    case 'prevention':
      return [TO_BE_WRITTEN.prevention];
    case 'actions':
      return actionItemLines(incident);
    case 'communication':
      return updateLines(incident);
    case 'other':
      return [TO_BE_WRITTEN.other];
    default:
      return assertNever(part);
  }
}

export function draftPostmortem({ incident, sections, now }: PostmortemInput): string {
  const parts = sections.map((title) => ({ title, part: partOf(title) }));
  const hasComms = parts.some((p) => p.part === 'communication');
  const roles = `commander ${incident.roles.commander}, communications ${incident.roles.communications}, scribe ${incident.roles.scribe}`;
  const out = [
    `# Post-mortem: ${oneLine(incident.title)}`,
    '',
    `- Incident: ${incident.id}`,
    `- Severity: ${severityLabel(incident)} · status: ${incident.status}`,
    `- Service: ${incident.service || 'not named'}`,
    `- Declared: ${utcMinute(incident.declaredAt)} by ${incident.declaredBy}`,
    `- Roles: ${roles}`,
    '',
    `_Drafted by Opsdeck at ${utcMinute(now)} from the incident's record. Sections marked "To be written" need the team._`,
  ];
  for (const { title, part } of parts) out.push('', `## ${title}`, '', ...bodyOf(part, incident, hasComms));
  return `${out.join('\n')}\n`;
}
