/**
 * The status update drafted for an incident: the runbook's communication template (or the default one) with its
 * fields filled from the incident's record: subject, status, start, affected service, impact, the actions taken
 * (commands run with their exit codes, notes as corrected), and the update cadence. The next steps stay as the
 * template's placeholders: only the operator knows them. Lines the template has that we do not know stay as written.
 */
import type { IncidentDetail, TimelineEntry } from '../contract/incidents.js';
import { assertNever } from '../runbook/schedule-cron.js';
import { fieldOf, type CommsField } from './comms-template.js';
import { attemptOutcome, attemptTarget, commandInline, latestCorrections, oneLine, utcHourMinute, utcMinute } from './draft-format.js';

export interface StatusUpdateInput {
  incident: IncidentDetail;
  /** The template's text (comms-template.ts's findCommsTemplate(...).text). */
  template: string;
  now: Date;
}

/**
 * Actions listed at most, the latest kept: an update is read in a minute; the whole story is on the timeline.
 * More keeps stakeholders closer to what was tried; fewer keeps the update readable.
 */
export const MAX_ACTIONS = 15;

const FIELD_LINE = /^(\s*)([A-Za-z][A-Za-z' ]{0,40}?)(\s*:)\s*(.*)$/;
const LIST_ITEM = /^\s*(?:[-*+•]|\d{1,3}[.)])\s+/;

/** One action the update reports: a command run (with where and how it ended) or a note. */
function actionOf(e: TimelineEntry, incident: IncidentDetail, corrected: ReadonlyMap<string, string>): string | null {
  const at = `${utcHourMinute(e.at)} UTC`;
  switch (e.kind) {
    case 'attempt':
      return `${at} ${e.stepTitle}: ${commandInline(e.command)} on ${attemptTarget(e, incident.timeline)}, ${attemptOutcome(e)}`;
    case 'note':
    case 'run-note': {
      const text = corrected.get(e.id);
      return `${at} ${oneLine(text ?? e.text)}${text !== undefined ? ' (corrected)' : ''}`;
    }
    default:
      return null;
  }
}

/** The actions taken so far, the latest MAX_ACTIONS of them, in order. */
export function actionsTaken(incident: IncidentDetail): string[] {
  const corrected = latestCorrections(incident.timeline);
  const all = incident.timeline.flatMap((e) => {
    const line = actionOf(e, incident, corrected);
    return line === null ? [] : [line];
  });
  if (all.length <= MAX_ACTIONS) return all;
  const dropped = all.length - MAX_ACTIONS;
  return [`(${dropped} earlier action${dropped === 1 ? '' : 's'} on the timeline)`, ...all.slice(-MAX_ACTIONS)];
}

/** "Every 15 minutes or when status changes (next by 14:50 UTC)"; after resolution, that none follow. */
function cadenceText(incident: IncidentDetail, now: Date): string {
  if (incident.status === 'resolved') {
    return `No further updates: resolved${incident.resolvedAt ? ` at ${utcMinute(incident.resolvedAt)}` : ''}`;
  }
  const every = incident.severityLevels.find((l) => l.id === incident.severity)?.updateEveryMin ?? null;
  if (every === null) return 'When status changes';
  // This update goes out now: the next one is due a cadence from now.
  const next = new Date(now.getTime() + every * 60_000);
  return `Every ${every} minutes or when status changes (next by ${utcHourMinute(next)} UTC)`;
}

/** The value a one-line field takes; null for the list fields. */
function valueOf(field: CommsField, incident: IncidentDetail, now: Date): string | null {
  switch (field) {
    case 'subject':
      return `[${incident.severity}] ${incident.title}`;
    case 'status':
      return incident.status.toUpperCase();
    case 'started':
      return utcMinute(incident.milestones.detected ?? incident.declaredAt);
    case 'affected':
      return incident.service.trim() || '[affected service]';
    case 'impact':
      return oneLine(incident.summary) || '[impact]';
    case 'updates':
      return cadenceText(incident, now);
    case 'actions':
    case 'next':
      return null;
    default:
      return assertNever(field);
  }
}

/** The drafted update: the template's lines, its known fields filled in. */
export function draftStatusUpdate({ incident, template, now }: StatusUpdateInput): string {
  const lines = template.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const m = FIELD_LINE.exec(line);
    const field = m?.[2] ? fieldOf(m[2]) : null;
    if (!m || !field) {
      out.push(line);
      continue;
    }
    // An inline value of a list field ("Actions Taken: none yet") gives way to the list.
    const [, indent = '', key = '', colon = ':'] = m;
    const value = valueOf(field, incident, now);
    if (value !== null) {
      out.push(`${indent}${key}${colon} ${value}`);
      continue;
    }
    // A list field: its items are the lines after it (blank lines between items included).
    let end = i + 1;
    while (end < lines.length && (LIST_ITEM.test(lines[end] ?? '') || ((lines[end] ?? '').trim() === '' && LIST_ITEM.test(lines[end + 1] ?? '')))) end++;
    const written = lines.slice(i + 1, end);
    const actions = field === 'actions' ? actionsTaken(incident) : [];
    if (actions.length > 0) {
      out.push(`${indent}${key}${colon}`, ...actions.map((a) => `${indent}- ${a}`));
    } else {
      // Nothing recorded (or the next steps): the template's own items, for the operator to fill in.
      out.push(line, ...written);
    }
    i = end - 1;
  }
  return out.join('\n');
}
