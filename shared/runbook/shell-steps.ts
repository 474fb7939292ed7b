/**
 * Splits a shell block into steps along its parsed statements: a header comment (`# 1. Check health`) starts and
 * names a step, statements without one join the step before, and loops, if-blocks, continuations and multi-line
 * strings stay whole because they are single nodes of the tree. No line of the block is lost or repeated.
 */
import type { StepKind } from '../model/runbook.js';
import { cleanTitle } from './heuristics.js';
import { crontabEnvLine, crontabZone, parseCrontabLine, type CrontabLine } from './schedule.js';
import type { ShellNode, ShellTree } from './shell.js';
import { isDirective } from './shell-options.js';

export interface StepDraft {
  kind: StepKind;
  /** From the header comment, cleaned; null when the step has none. */
  title: string | null;
  /** Rows relative to the block's first content line. */
  startRow: number;
  endRow: number;
  script: string;
  language: string;
  expectedOutput: string | null;
  /** Crontab entries, when the step is crontab lines rather than a command. */
  crontab: CrontabLine[];
}

interface Unit {
  comment: boolean;
  start: number;
  end: number;
  text: string;
}

const NUMBERED_HEADER = /^#+\s*(?:step\s*)?\d+[.):]\s+\S/i;

function units(root: ShellNode): Unit[] {
  const out: Unit[] = [];
  for (const node of root.namedChildren) {
    if (!node) continue;
    const start = node.startPosition.row;
    const end = node.endPosition.column === 0 && node.endPosition.row > start ? node.endPosition.row - 1 : node.endPosition.row;
    const comment = node.type === 'comment';
    const prev = out[out.length - 1];
    // A comment on the same line as a statement is its trailing remark; `a; b` on one line is one unit.
    if (prev && !prev.comment && start <= prev.end) {
      prev.end = Math.max(prev.end, end);
      prev.text += node.text;
      continue;
    }
    out.push({ comment, start, end, text: node.text });
  }
  return out;
}

interface Group {
  header: string | null;
  units: Unit[];
}

type LineKind = 'cron' | 'env' | 'other';

/**
 * What a one-line statement is to a crontab: an entry, an environment line (`MAILTO=...`, `CRON_TZ=...`), or
 * neither. Multi-line statements are never crontab lines.
 */
function lineKind(u: Unit, lines: string[]): LineKind {
  if (u.start !== u.end) return 'other';
  const line = lines[u.start] ?? '';
  if (parseCrontabLine(line) !== null) return 'cron';
  return crontabEnvLine(line) !== null ? 'env' : 'other';
}

/**
 * Which groups are crontab text: those whose statements are all entries and environment lines, at least one an
 * entry; and when the whole block is such text, its environment-only groups too (a crontab's header lines).
 */
function crontabGroups(groups: Group[], lines: string[]): boolean[] {
  const kinds = groups.map((g) => g.units.filter((u) => !u.comment).map((u) => lineKind(u, lines)));
  const cronish = (ks: LineKind[]): boolean => ks.every((k) => k !== 'other');
  const all = kinds.flat();
  const wholeBlock = all.includes('cron') && cronish(all);
  return kinds.map((ks) => ks.length > 0 && cronish(ks) && (wholeBlock || ks.includes('cron')));
}

/** The entries of crontab groups, each with the zone the CRON_TZ= lines above it (in the block) set. */
function crontabEntries(groups: Group[], isCron: boolean[], lines: string[]): Map<Group, CrontabLine[]> {
  const out = new Map<Group, CrontabLine[]>();
  let zone: string | null = null;
  groups.forEach((g, i) => {
    if (!isCron[i]) return;
    const entries: CrontabLine[] = [];
    for (const u of g.units) {
      if (u.comment) continue;
      const line = lines[u.start] ?? '';
      const env = crontabEnvLine(line);
      if (env) zone = crontabZone(env) ?? zone;
      else entries.push({ row: u.start, text: line, zone });
    }
    out.set(g, entries);
  });
  return out;
}

/**
 * `# opsdeck:` lines say how the step below them runs: a group of them alone joins the step after it, and so do
 * those closing a group (with numbered headers, the comments between one step's commands and the next header).
 */
function joinDirectives(groups: Group[]): Group[] {
  const out: Group[] = [];
  let pending: Unit[] = [];
  for (const g of groups) {
    const units = [...pending, ...g.units];
    let cut = units.length;
    while (cut > 0 && units[cut - 1]?.comment === true && isDirective(units[cut - 1]?.text ?? '')) cut--;
    pending = units.slice(cut);
    if (cut > 0) out.push({ header: g.header, units: units.slice(0, cut) });
  }
  const last = out[out.length - 1];
  if (pending.length > 0) {
    if (last) last.units.push(...pending);
    else out.push({ header: null, units: pending });
  }
  return out;
}

function headerTitle(comment: string): string {
  return cleanTitle(comment.replace(/^#+\s*/, ''));
}

export function splitShellBlock(code: string, tree: ShellTree): StepDraft[] {
  const lines = code.split('\n');
  const all = units(tree.rootNode);
  const numbered = all.some((u) => u.comment && NUMBERED_HEADER.test(u.text));
  const groups: Group[] = [];
  let prev: Unit | undefined;
  // A header that is an `# opsdeck:` directive names nothing: the comment line after it, if any, names the step.
  let untitled = false;
  for (const u of all) {
    const current = groups[groups.length - 1];
    const blankBefore = prev !== undefined && u.start > prev.end + 1;
    const isHeader =
      u.comment &&
      (numbered ? NUMBERED_HEADER.test(u.text) : prev === undefined || !prev.comment || blankBefore);
    if (isHeader || current === undefined) {
      const directive = isHeader && isDirective(u.text);
      groups.push({ header: isHeader && !directive ? headerTitle(u.text) : null, units: [u] });
      untitled = directive;
    } else {
      if (untitled && u.comment && !isDirective(u.text)) current.header = headerTitle(u.text);
      if (!u.comment || current.header !== null) untitled = false;
      current.units.push(u);
    }
    prev = u;
  }
  // A comment-only group glued to the statement above it (no blank line) is a remark on that step.
  const merged: Group[] = [];
  for (const g of joinDirectives(groups)) {
    const last = merged[merged.length - 1];
    const lastUnit = last?.units[last.units.length - 1];
    const onlyComments = g.units.every((u) => u.comment);
    const first = g.units[0];
    if (last && lastUnit && first && onlyComments && !numbered && first.start === lastUnit.end + 1) {
      last.units.push(...g.units);
    } else {
      merged.push(g);
    }
  }
  const isCron = crontabGroups(merged, lines);
  const entries = crontabEntries(merged, isCron, lines);
  const drafts: StepDraft[] = [];
  merged.forEach((g, i) => {
    const startRow = i === 0 ? 0 : (g.units[0]?.start ?? 0);
    const next = merged[i + 1]?.units[0];
    const endRow = next ? next.start - 1 : lines.length - 1;
    const script = lines.slice(startRow, endRow + 1).join('\n').replace(/\s+$/, '');
    const statements = g.units.filter((u) => !u.comment);
    const cronOnly = isCron[i] === true;
    const kind: StepKind = statements.length === 0 ? 'check' : cronOnly ? 'reference' : 'command';
    drafts.push({
      kind,
      title: g.header,
      startRow,
      endRow,
      script,
      language: cronOnly ? 'crontab' : 'bash',
      expectedOutput: null,
      crontab: entries.get(g) ?? [],
    });
  });
  return drafts.filter((d) => d.script.trim() !== '');
}

/** First row holding a syntax error, or null: the step is kept as written, with a warning. */
export function firstErrorRow(tree: ShellTree): number | null {
  if (!tree.rootNode.hasError) return null;
  let row: number | null = null;
  const visit = (n: ShellNode): void => {
    if (row !== null) return;
    if (n.type === 'ERROR' || n.isMissing) {
      row = n.startPosition.row;
      return;
    }
    for (const c of n.children) if (c && c.hasError) visit(c);
  };
  visit(tree.rootNode);
  return row;
}

/** `$ ` lines are commands (with `\` continuations); the lines after one are its expected output. */
export function splitConsoleBlock(code: string): StepDraft[] {
  const lines = code.split('\n');
  const drafts: StepDraft[] = [];
  let current: { draft: StepDraft; output: string[] } | undefined;
  const close = (): void => {
    if (!current) return;
    const output = current.output.join('\n').replace(/\s+$/, '');
    current.draft.expectedOutput = output === '' ? null : output;
    drafts.push(current.draft);
    current = undefined;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const prompt = /^\s*\$ (.*)$/.exec(line);
    if (prompt) {
      close();
      const script = [prompt[1] ?? ''];
      let end = i;
      while ((script[script.length - 1] ?? '').endsWith('\\') && end + 1 < lines.length) {
        end++;
        script.push((lines[end] ?? '').replace(/^\s*> /, ''));
      }
      current = {
        draft: { kind: 'command', title: null, startRow: i, endRow: end, script: script.join('\n'), language: 'bash', expectedOutput: null, crontab: [] },
        output: [],
      };
      i = end;
    } else if (current) {
      current.output.push(line);
    }
  }
  close();
  return drafts;
}
