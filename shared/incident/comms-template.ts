/**
 * What a runbook asks an incident's drafts to look like: its status-update template (seed 004's "#### 3.
 * Communication" block: Subject / Status / Started / Affected / Impact / Actions Taken / Next Steps / Updates) and the
 * sections its post-mortem must have ("**Required Sections**:" then a list). Pure: reads the document model, plus
 * the runbook's Markdown when the caller has it, because the importer keeps a bold label's list (Timeline, Root
 * cause, ...) neither as metadata nor as steps, so the model alone loses seed 004's required sections.
 */
import type { Runbook, Section, Step } from '../model/runbook.js';

export interface CommsTemplate {
  kind: 'runbook' | 'default';
  text: string;
  sectionId: string | null;
  stepId: string | null;
}

/** Used when the runbook has no communication template: the fields seed 004 uses, with placeholders. */
export const DEFAULT_COMMS_TEMPLATE = [
  'Subject: [SEV] Incident title',
  '',
  'Status: INVESTIGATING',
  'Started: YYYY-MM-DD HH:MM UTC',
  'Affected: [service]',
  'Impact: [impact]',
  '',
  'Actions Taken:',
  '- [action taken]',
  '',
  'Next Steps:',
  '- [next step]',
  '',
  'Updates: [cadence]',
].join('\n');

/** Sections of a post-mortem when the runbook asks for none (Google SRE's and PagerDuty's templates, shortened). */
export const DEFAULT_POSTMORTEM_SECTIONS: readonly string[] = ['Summary', 'Timeline', 'Root cause', 'Impact', 'Resolution', 'Prevention', 'Action items'];

/** The fields a status update fills; the key as a template may spell it. */
export type CommsField = 'subject' | 'status' | 'started' | 'affected' | 'impact' | 'actions' | 'next' | 'updates';

const FIELD_KEYS: ReadonlyArray<[CommsField, RegExp]> = [
  ['subject', /^(subject|title|headline)$/i],
  ['status', /^(status|state|current status)$/i],
  ['started', /^(started|start(ed)?\s*(time|at)?|detected(\s*at)?|since|began)$/i],
  ['affected', /^(affected|affected\s+(services?|systems?|components?|environment)|services?\s+affected|services?|scope)$/i],
  ['impact', /^(impact|customer impact|user impact|symptoms?)$/i],
  ['actions', /^(actions?\s+taken|actions?|what we('ve| have)? done|done so far|progress)$/i],
  ['next', /^(next\s+steps?|next\s+actions?|planned(\s+actions?)?|what'?s next)$/i],
  ['updates', /^(updates?|next\s+update|update\s+(cadence|frequency)|cadence)$/i],
];

/** `Key: value` (value may be empty when a list follows). */
const FIELD_LINE = /^\s*([A-Za-z][A-Za-z' ]{0,40}?)\s*:\s*(.*)$/;

/** Which field a template line's key names, if any. */
export function fieldOf(key: string): CommsField | null {
  const k = key.trim();
  return FIELD_KEYS.find(([, re]) => re.test(k))?.[0] ?? null;
}

/** The fields a template text has, each once. */
export function templateFields(text: string): Set<CommsField> {
  const out = new Set<CommsField>();
  for (const line of text.split('\n')) {
    const m = FIELD_LINE.exec(line);
    const field = m?.[1] ? fieldOf(m[1]) : null;
    if (field) out.add(field);
  }
  return out;
}

const COMMS_SECTION = /communicat|status\s+update|notif|announce|stakeholder|comms\b/i;
/** A block with fewer known fields than this is some other example text, not an update template. */
const MIN_FIELDS = 3;

const allSections = (sections: readonly Section[]): Section[] => sections.flatMap((s) => [s, ...allSections(s.sections)]);

/** Each section with the titles of its ancestors (and its own), to tell where a block sits. */
function withPaths(sections: readonly Section[], path: readonly string[] = []): Array<{ section: Section; path: string[] }> {
  return sections.flatMap((s) => [{ section: s, path: [...path, s.title] }, ...withPaths(s.sections, [...path, s.title])]);
}

/**
 * The runbook's status-update template: a template or reference block with a subject or status line and at least
 * three of the fields, preferring one in a section about communication; the default when there is none.
 */
export function findCommsTemplate(runbook: Pick<Runbook, 'sections'> | null): CommsTemplate {
  const candidates: Array<{ step: Step; sectionId: string; inComms: boolean; fields: number }> = [];
  for (const { section, path } of runbook ? withPaths(runbook.sections) : []) {
    for (const step of section.steps) {
      if (step.kind !== 'template' && step.kind !== 'reference') continue;
      const fields = templateFields(step.script);
      if (fields.size < MIN_FIELDS || !(fields.has('subject') || fields.has('status'))) continue;
      candidates.push({ step, sectionId: section.id, inComms: path.some((t) => COMMS_SECTION.test(t)), fields: fields.size });
    }
  }
  const best = candidates.find((c) => c.inComms) ?? candidates.sort((a, b) => b.fields - a.fields)[0];
  if (!best) return { kind: 'default', text: DEFAULT_COMMS_TEMPLATE, sectionId: null, stepId: null };
  return { kind: 'runbook', text: best.step.script, sectionId: best.sectionId, stepId: best.step.id };
}

export interface PostmortemSections {
  kind: 'runbook' | 'default';
  sections: string[];
  /** The runbook's post-mortem section, when it has one. */
  sectionId: string | null;
}

const POSTMORTEM_SECTION = /post[-\s]?mortem|retrospective|incident\s+review|after[-\s]action|\bpir\b|\brca\b/i;
const SECTIONS_LABEL = /^\s*(?:\*\*|__)?\s*(?:required\s+|mandatory\s+)?(?:sections?|contents?|must\s+(?:include|cover|have))\b[^:\n]*:?\s*(?:\*\*|__)?\s*:?\s*(.*)$/i;
const LIST_ITEM = /^\s*(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?(.+?)\s*$/;
const META_KEY = /^(required\s+|mandatory\s+)?sections?$/i;

/** "**Root cause**", "`Timeline`", "Impact assessment: who was hit" -> the section's name. */
function cleanName(text: string): string {
  return text
    .replace(/[*_`]/g, '')
    .replace(/\s*[:—–-]\s+.*$/, '')
    .replace(/[.:;]+$/, '')
    .trim();
}

/** Comma or semicolon separated names ("Timeline, Root cause, Action items"). */
function splitNames(value: string): string[] {
  return value
    .split(/\s*[,;]\s*/)
    .map(cleanName)
    .filter((s) => s.length > 0);
}

/** The unique names, in order, ignoring case. */
function unique(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const k = n.toLowerCase();
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The lines of `section` in the Markdown: from its heading to the next heading of the document. */
function sectionLines(runbook: Pick<Runbook, 'sections'>, section: Section, markdown: string): string[] {
  const lines = markdown.split('\n');
  const next = allSections(runbook.sections)
    .map((s) => s.line)
    .filter((line) => line > section.line)
    .sort((a, b) => a - b)[0];
  return lines.slice(section.line, (next ?? lines.length + 1) - 1);
}

/** The names listed after a "Required Sections:" label (or on its line), in the section's own text. */
function listedInText(lines: readonly string[]): string[] {
  for (let i = 0; i < lines.length; i++) {
    const label = SECTIONS_LABEL.exec(lines[i] ?? '');
    if (!label) continue;
    const inline = label[1]?.trim() ?? '';
    if (inline !== '') return splitNames(inline);
    const names: string[] = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j] ?? '';
      if (line.trim() === '') {
        if (names.length > 0) break;
        continue;
      }
      const item = LIST_ITEM.exec(line);
      if (!item?.[1]) break;
      names.push(cleanName(item[1]));
    }
    if (names.length > 0) return names;
  }
  return [];
}

/**
 * The sections the runbook's post-mortem must have: named in its post-mortem section's metadata ("**Required
 * Sections**: Timeline, Root cause"), as its subsections, as a list after a "Required Sections:" label in its
 * Markdown (`markdown`, the runbook's text as imported, when the caller has it), or as its checklist items; the
 * default set otherwise.
 */
export function findPostmortemSections(runbook: Pick<Runbook, 'sections'> | null, markdown: string | null): PostmortemSections {
  const fallback: PostmortemSections = { kind: 'default', sections: [...DEFAULT_POSTMORTEM_SECTIONS], sectionId: null };
  const section = runbook ? allSections(runbook.sections).find((s) => POSTMORTEM_SECTION.test(s.title)) : undefined;
  if (!runbook || !section) return fallback;
  const fromMeta = Object.entries(section.meta).find(([k]) => META_KEY.test(k.trim()))?.[1];
  const ways: Array<() => string[]> = [
    () => (fromMeta ? splitNames(fromMeta) : []),
    () => section.sections.map((s) => cleanName(s.title)),
    () => (markdown !== null ? listedInText(sectionLines(runbook, section, markdown)) : []),
    () => section.steps.filter((s) => s.kind === 'check').map((s) => cleanName(s.title)),
  ];
  for (const way of ways) {
    const names = unique(way().filter((n) => n.length > 0 && n.length <= 80));
    if (names.length > 0) return { kind: 'runbook', sections: names, sectionId: section.id };
  }
  return { ...fallback, sectionId: section.id };
}
