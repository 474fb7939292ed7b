/**
 * Severity levels of an incident, read from the runbook that describes its response when it defines them (seed 004's
 * "### Severity Levels" with "#### P0 - Critical" and its Definition / Response Time bullets), otherwise SEV-1..SEV-5
 * as PagerDuty's incident response guide defines them. Also how often a status update is due: the runbook's own
 * cadence ("Updates: Every 15 minutes or when status changes"), else a default per level.
 */
import type { SeverityLevel } from '../contract/incidents.js';
import type { Runbook, Section, Step } from '../model/runbook.js';

/**
 * Minutes between status updates by rank (the most severe first) when the runbook names no cadence: a SEV-1 every
 * 15 min as PagerDuty's guide does for major incidents, a SEV-2 every 30, a SEV-3 hourly, the rest only on request.
 * Shorter keeps stakeholders closer; longer leaves the responders to work.
 */
export const DEFAULT_CADENCE_MIN: readonly (number | null)[] = [15, 30, 60, null, null];

/** SEV-1..SEV-5, in PagerDuty's words (response.pagerduty.com, "Severity Levels"), shortened. */
export const DEFAULT_SEVERITIES: readonly SeverityLevel[] = [
  {
    id: 'SEV-1',
    label: 'Critical',
    definition: 'Critical issue that warrants public notification and liaison with executive teams: the system is in a critical state, actively impacting a large number of customers.',
    responseTime: 'Major incident response: immediately',
    updateEveryMin: 15,
  },
  {
    id: 'SEV-2',
    label: 'Major',
    definition: "Critical system issue actively impacting many customers' ability to use the product.",
    responseTime: 'Major incident response: immediately',
    updateEveryMin: 30,
  },
  {
    id: 'SEV-3',
    label: 'Minor',
    definition: 'Stability or minor customer-impacting issues that require immediate attention from service owners.',
    responseTime: 'Urgent: the on-call of the service',
    updateEveryMin: 60,
  },
  {
    id: 'SEV-4',
    label: 'Low',
    definition: "Minor issues requiring action, but not affecting customers' ability to use the product.",
    responseTime: 'During business hours',
    updateEveryMin: null,
  },
  {
    id: 'SEV-5',
    label: 'Cosmetic',
    definition: "Cosmetic issues or bugs, not affecting customers' ability to use the product.",
    responseTime: 'When convenient (a ticket)',
    updateEveryMin: null,
  },
];

/** How often the runbook asks for status updates. */
export interface UpdateCadence {
  everyMin: number | null;
  /** "... or when status changes": a status change makes an update due at once. */
  onStatusChange: boolean;
  /** The line it was read from. */
  text: string;
}

/** The levels a runbook defines, where its severity section is, and its update cadence. */
export interface RunbookSeverities {
  /** Null when the runbook defines no levels (then DEFAULT_SEVERITIES apply). */
  levels: SeverityLevel[] | null;
  sectionId: string | null;
  cadence: UpdateCadence | null;
}

const SEVERITY_SECTION = /\b(severity|severities|priority levels|priorities|incident levels|sev levels)\b/i;
/** "P0 - Critical", "SEV-1: Critical", "Sev 2 (Major)", "Severity 3 — Minor", "P1". */
const LEVEL = /^\s*((?:sev(?:erity)?|priority|p|s)\s*[-_ ]?\s*\d{1,2})\b\s*(?:[-–—:(]\s*)?(.*?)\)?\s*$/i;
const KEY_VALUE = /^\s*([A-Za-z][A-Za-z /]{1,30}?)\s*[:：]\s*(.+)$/;
const DEFINITION_KEYS = /^(definition|description|impact|meaning|criteria)$/i;
const RESPONSE_KEYS = /^(response time|response|time to respond|sla|ack(?:nowledge)? within|response target)$/i;
/** "Updates: Every 15 minutes or when status changes", "Update every 30 min", "Status updates: hourly". */
const CADENCE = /\bupdates?\b[^\n]{0,40}?\b(?:every\s+(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h)\b|every\s+(hour|half[- ]hour|minute)\b|(hourly))/i;
const ON_STATUS_CHANGE = /\b(status|state)\s+chang/i;

/** A severity as typed or written ("sev 1", "Severity-1", "p0") in one form: `SEV-1`, `P0`. */
export function normalizeSeverityId(text: string): string {
  const m = /^\s*(sev(?:erity)?|priority|p|s)\s*[-_ ]?\s*(\d{1,2})\s*$/i.exec(text);
  if (!m) return text.trim().toUpperCase();
  const prefix = (m[1] ?? '').toLowerCase();
  const n = String(Number(m[2]));
  if (prefix.startsWith('sev')) return `SEV-${n}`;
  if (prefix === 'priority' || prefix === 'p') return `P${n}`;
  return `S${n}`;
}

/** The level `typed` names among `levels`: by id in any spelling ("sev1", "p0"), or by label ("critical"). */
export function findSeverity(levels: readonly SeverityLevel[], typed: string): SeverityLevel | undefined {
  const id = normalizeSeverityId(typed);
  const lower = typed.trim().toLowerCase();
  return levels.find((l) => normalizeSeverityId(l.id) === id) ?? levels.find((l) => l.label.toLowerCase() === lower);
}

const allSections = (sections: readonly Section[]): Section[] => sections.flatMap((s) => [s, ...allSections(s.sections)]);
const stepsOf = (section: Section): Step[] => [...section.steps, ...section.sections.flatMap(stepsOf)];
/** What a step says as text: a check's item, a template's or reference block's content. */
const textOf = (step: Step): string => (step.kind === 'command' ? '' : step.script);

/** Minutes from "15" + "minutes", "2" + "h", "hour", "hourly". */
function minutesOf(m: RegExpExecArray): number | null {
  if (m[1] && m[2]) {
    const n = Number(m[1]);
    const min = /^h/i.test(m[2]) ? n * 60 : n;
    return min >= 1 && min <= 24 * 60 ? min : null;
  }
  const word = (m[3] ?? m[4] ?? '').toLowerCase();
  if (word === 'hour' || word === 'hourly') return 60;
  if (word.startsWith('half')) return 30;
  if (word === 'minute') return 1;
  return null;
}

/** The first cadence line in `texts`. */
function cadenceIn(texts: readonly string[]): UpdateCadence | null {
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const m = CADENCE.exec(line);
      if (!m) continue;
      return { everyMin: minutesOf(m), onStatusChange: ON_STATUS_CHANGE.test(line), text: line.trim() };
    }
  }
  return null;
}

/** Key/value pairs a level states: its section's metadata, then its steps' "Key: value" lines. */
function facts(section: Section | null, extra: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = section ? Object.entries(section.meta) : [];
  for (const text of [...(section ? stepsOf(section).map(textOf) : []), ...extra]) {
    for (const line of text.split('\n')) {
      const m = KEY_VALUE.exec(line.replace(/^[-*•]\s+/, ''));
      if (m?.[1] && m[2]) out.push([m[1].trim(), m[2].trim()]);
    }
  }
  return out;
}

function levelFrom(id: string, label: string, section: Section | null, extra: readonly string[]): SeverityLevel & { ownCadence: number | null } {
  const pairs = facts(section, extra);
  const value = (keys: RegExp): string | null => pairs.find(([k]) => keys.test(k))?.[1] ?? null;
  const own = cadenceIn([...pairs.map(([k, v]) => `${k}: ${v}`)]);
  return {
    id: normalizeSeverityId(id),
    label: label.trim(),
    definition: value(DEFINITION_KEYS) ?? '',
    responseTime: value(RESPONSE_KEYS),
    updateEveryMin: null,
    ownCadence: own?.everyMin ?? null,
  };
}

/** The levels of one severity section: its subsections named like levels, else its steps that start with a level. */
function levelsOf(section: Section): Array<SeverityLevel & { ownCadence: number | null }> {
  const fromSections = section.sections.flatMap((s) => {
    const m = LEVEL.exec(s.title);
    return m?.[1] ? [levelFrom(m[1], m[2] ?? '', s, [])] : [];
  });
  if (fromSections.length > 0) return fromSections;
  return section.steps.flatMap((step) => {
    const text = textOf(step) || step.title;
    const m = /^\s*((?:sev(?:erity)?|priority|p|s)\s*[-_ ]?\s*\d{1,2})\b\s*(?:[-–—:(]\s*)?([^:]*?)\)?\s*(?::\s*(.*))?$/i.exec(text.split('\n')[0] ?? '');
    if (!m?.[1]) return [];
    const level = levelFrom(m[1], m[2] ?? '', null, text.split('\n').slice(1));
    // "P1 - High: major functionality broken": what follows the label is its definition.
    return [{ ...level, definition: level.definition || (m[3] ?? '').trim() }];
  });
}

/** A runbook's severity levels (null when it defines none), where it defines them, and its update cadence. */
export function readSeverities(runbook: Pick<Runbook, 'sections'>): RunbookSeverities {
  const sections = allSections(runbook.sections);
  let found: { section: Section; levels: Array<SeverityLevel & { ownCadence: number | null }> } | null = null;
  for (const section of sections) {
    if (!SEVERITY_SECTION.test(section.title)) continue;
    const levels = levelsOf(section);
    // Two levels at least: one alone is a heading that happens to look like one.
    if (levels.length >= 2 && new Set(levels.map((l) => l.id)).size === levels.length) {
      found = { section, levels };
      break;
    }
  }
  // The runbook's own cadence (its communication template's), not one a level states for itself.
  const levelSections = new Set(found ? allSections(found.section.sections) : []);
  const cadence = cadenceIn(
    sections.filter((s) => !levelSections.has(s)).flatMap((s) => [...s.steps.map(textOf), ...Object.entries(s.meta).map(([k, v]) => `${k}: ${v}`)]),
  );
  if (!found) return { levels: null, sectionId: null, cadence };
  const levels = found.levels.map(({ ownCadence, ...level }, rank): SeverityLevel => ({
    ...level,
    updateEveryMin: ownCadence ?? (cadence ? cadence.everyMin : (DEFAULT_CADENCE_MIN[rank] ?? null)),
  }));
  return { levels, sectionId: found.section.id, cadence };
}

/**
 * The levels that apply to an incident: the runbook's when it defines them, else the defaults (at the runbook's
 * cadence when it names one).
 */
export function severitiesOf(runbook: Pick<Runbook, 'sections'> | null): SeverityLevel[] {
  const read = runbook ? readSeverities(runbook) : null;
  if (read?.levels) return read.levels;
  const cadence = read?.cadence ?? null;
  return DEFAULT_SEVERITIES.map((l) => ({ ...l, updateEveryMin: cadence ? cadence.everyMin : l.updateEveryMin }));
}
