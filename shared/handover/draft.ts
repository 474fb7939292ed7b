/**
 * The handover draft: a template (a runbook's, or the default) filled from what happened since the last handover.
 * Opsdeck adds to the template and never removes a line of it, so the operator's own fields ("[Green/Yellow/Red]",
 * "[Name] [Phone]") stay as the template has them. What it adds:
 * - the date, where the template writes `$(date)` or `[Date]`, and a line under the title saying since when;
 * - each part (parts.ts) under the first heading that speaks of it ("Open Incidents", "Tomorrow's Schedule"), or, for
 *   incidents, unfinished runs, pending checks and follow-ups, under a heading of outstanding items, labelled;
 * - the parts no heading took, in a section of their own at the end ("Recorded by Opsdeck").
 */
import { shortIds, utc } from './format.js';
import { PART_IDS, PARTS, renderPart, type PartContext, type PartId } from './parts.js';
import type { HandoverState } from './state.js';

/** Headings that take a part, by what they say. */
const SPECIFIC: Record<PartId, RegExp> = {
  incidents: /incident/i,
  runs: /\bruns?\b|activity|work done/i,
  unfinished: /incomplete|interrupted|unfinished/i,
  checks: /\bchecks?\b|checklist/i,
  schedules: /schedul|maintenance|upcoming|tomorrow|agenda|next 24/i,
  followups: /follow[\s-]?ups?|action items/i,
  carried: /carr(?:y|ied)|previous handover/i,
};
/** A heading of outstanding items takes these parts when no heading speaks of them. */
const OUTSTANDING = /outstanding|open items|open issues|\bissues\b|unresolved/i;
const SHARED_PARTS: ReadonlySet<PartId> = new Set(['incidents', 'unfinished', 'checks', 'followups']);

const DATE_PLACEHOLDER = /\$\(date(?:\s[^)]*)?\)|\[date\]/gi;
const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s{0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s/;

interface Heading {
  line: number;
  level: number;
  text: string;
}

export function draftHandover(state: HandoverState, templateText: string): string {
  const lines = templateText.replace(/\r\n?/g, '\n').replace(/\n+$/, '').split('\n');
  const headings: Heading[] = [];
  let fence: string | null = null;
  for (const [i, raw] of lines.entries()) {
    const f = FENCE.exec(raw)?.[1];
    if (fence !== null) {
      if (f && f[0] === fence[0] && f.length >= fence.length) fence = null;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    const line = raw.replace(DATE_PLACEHOLDER, utc(state.now));
    lines[i] = line;
    const h = HEADING.exec(line);
    if (h) headings.push({ line: i, level: h[1]?.length ?? 1, text: h[2] ?? '' });
  }

  const base = headings.length > 0 ? Math.min(...headings.map((h) => h.level)) : 1;
  // The title (the one heading of the top level, first) says what the document is, not which part goes under it.
  const title = headings[0] && headings[0].level === base && headings.filter((h) => h.level === base).length === 1 ? headings[0] : null;
  const candidates = headings.filter((h) => h !== title);

  const claims = new Map<number, Array<{ part: PartId; labelled: boolean }>>();
  const unclaimed: PartId[] = [];
  for (const part of PART_IDS) {
    const specific = candidates.find((h) => SPECIFIC[part].test(h.text));
    const shared = specific ? undefined : SHARED_PARTS.has(part) ? candidates.find((h) => OUTSTANDING.test(h.text)) : undefined;
    const home = specific ?? shared;
    if (!home) {
      unclaimed.push(part);
      continue;
    }
    claims.set(home.line, [...(claims.get(home.line) ?? []), { part, labelled: home === shared }]);
  }

  const ids = [...state.runs.map((r) => r.id), ...state.incidents.map((i) => i.id), ...state.schedules.map((s) => s.id)];
  const short = shortIds(ids);
  const ctx: PartContext = { state, short: (id) => short.get(id) ?? id };
  const intro = introLine(state);

  const out: string[] = [];
  if (!title) out.push(intro, '');
  for (const [i, line] of lines.entries()) {
    out.push(line);
    const next = lines[i + 1];
    if (title && i === title.line) {
      out.push('', intro);
      if (next !== undefined && next.trim() !== '') out.push('');
      continue;
    }
    const parts = claims.get(i);
    if (!parts) continue;
    const items = parts.flatMap(({ part, labelled }) => renderPart(part, ctx).map((it) => (labelled ? withLabel(it, PARTS[part].label) : it)));
    const [only] = parts;
    if (items.length === 0 && parts.length === 1 && only && !only.labelled) items.push([`- ${PARTS[only.part].none}`]);
    out.push(...items.flat());
    if (items.length > 0 && next !== undefined && next.trim() !== '' && !LIST_ITEM.test(next)) out.push('');
  }

  if (unclaimed.length > 0) {
    out.push('', `${'#'.repeat(Math.min(6, base + 1))} Recorded by Opsdeck`);
    for (const part of unclaimed) {
      const items = renderPart(part, ctx);
      out.push('', `${'#'.repeat(Math.min(6, base + 2))} ${PARTS[part].title}`, ...(items.length > 0 ? items.flat() : [`- ${PARTS[part].none}`]));
    }
  }
  return `${out.join('\n')}\n`;
}

function introLine(state: HandoverState): string {
  const since = state.previous ? `when ${state.previous.signedBy} signed off the last handover` : 'the first record';
  return `_Since ${utc(state.since)}, ${since}; drafted ${utc(state.now)} by ${state.operator}._`;
}

function withLabel(lines: string[], label: string): string[] {
  const [first = '', ...rest] = lines;
  return [first.replace(/^- /, `- **${label}**: `), ...rest];
}
