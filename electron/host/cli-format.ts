/**
 * The CLI's human-readable output: import summaries, the library table and a runbook's outline. Pure functions
 * from service results to text, kept apart from argument parsing so each stays small.
 */
import type { Section, Step, StepKind } from '../../shared/model/runbook.js';
import type { Runbook } from '../../shared/model/runbook.js';
import type { RunbookSummary } from '../../shared/model/summary.js';
import type { ImportReport, RunbookDetail, RunbookListItem } from '../../shared/contract/schemas.js';

/** Warnings listed under an import summary; the rest are counted, and `show --json` has them all. */
const MAX_WARNINGS_SHOWN = 5;
/** Parameter names listed under an import summary before "…": enough to recognise, short enough for one line. */
const MAX_PARAMS_SHOWN = 10;
/** Shortest id shown in the table: UUIDv7s made within a minute of each other share their first 8 characters. */
const MIN_SHORT_ID = 8;
/** Titles longer than this are cut in the table so that the path column stays on screen. */
const MAX_TITLE_WIDTH = 48;

const STEP_MARKERS: Record<StepKind, string> = { check: '[ ]', command: '$', reference: '≡', template: '✎' };
const STEP_NOUNS: Record<StepKind, [string, string]> = {
  check: ['check', 'checks'],
  command: ['command', 'commands'],
  reference: ['reference', 'references'],
  template: ['template', 'templates'],
};

/** Names such as "Status, owner, ETA" (a template field) are quoted so a list of them still reads as a list. */
function paramName(name: string): string {
  return /[\s,]/.test(name) ? `"${name}"` : name;
}

export function formatImport(shownPath: string, result: ImportReport, document: Runbook): string {
  const { summary } = result;
  const lines = [`✔ ${shownPath} → "${result.title}" (${result.status}, version ${result.version})`];
  lines.push(`  sections ${summary.sections} · steps ${formatStepCounts(summary)}`);
  const names = document.params.map((param) => paramName(param.name));
  const shown = names.slice(0, MAX_PARAMS_SHOWN).join(', ') + (names.length > MAX_PARAMS_SHOWN ? ', …' : '');
  const secrets = summary.secrets > 0 ? ` (${plural(summary.secrets, 'secret', 'secrets')})` : '';
  lines.push(`  parameters ${summary.parameters}${secrets}${names.length > 0 ? `: ${shown}` : ''}`);
  const { destructive, caution } = summary.dangerous;
  const danger = [destructive > 0 ? `${destructive} destructive` : '', caution > 0 ? `${caution} caution` : '']
    .filter(Boolean)
    .join(', ');
  lines.push(`  dangerous steps: ${danger || 'none'}`);
  lines.push(`  schedule hints: ${summary.scheduleHints}`);
  lines.push(`  warnings: ${summary.warnings}`);
  for (const warning of document.warnings.slice(0, MAX_WARNINGS_SHOWN)) {
    lines.push(`    line ${warning.line}: ${oneLine(warning.message)}`);
  }
  if (document.warnings.length > MAX_WARNINGS_SHOWN) {
    lines.push(`    … and ${document.warnings.length - MAX_WARNINGS_SHOWN} more (opsdeck show --json)`);
  }
  return lines.join('\n');
}

function formatStepCounts(summary: RunbookSummary): string {
  const kinds = Object.keys(STEP_MARKERS) as StepKind[];
  const parts = kinds
    .filter((kind) => summary.steps[kind] > 0)
    .map((kind) => plural(summary.steps[kind], ...STEP_NOUNS[kind]));
  return parts.length > 0 ? parts.join(', ') : '0';
}

export function formatList(entries: readonly RunbookListItem[]): string {
  if (entries.length === 0) return 'No runbooks yet. Import one with: opsdeck import FILE';
  const ids = shortIds(entries.map((entry) => entry.id));
  const rows = entries.map((entry) => [
    ids.get(entry.id) ?? entry.id,
    truncate(entry.title, MAX_TITLE_WIDTH),
    String(entry.versions),
    formatTime(entry.importedAt),
    entry.path,
  ]);
  return table(['ID', 'TITLE', 'VERSIONS', 'IMPORTED (UTC)', 'PATH'], rows);
}

export function formatOutline(detail: RunbookDetail): string {
  const { document } = detail;
  const lines = [
    document.title,
    `  id ${detail.id} · version ${detail.version} of ${detail.versions} · imported ${formatTime(detail.importedAt)} UTC`,
    `  ${detail.path}`,
  ];
  if (document.params.length > 0) {
    const names = document.params.map((param) => (param.secret ? `${paramName(param.name)} (secret)` : paramName(param.name)));
    lines.push(`  parameters: ${names.join(', ')}`);
  }
  lines.push('');
  const visit = (section: Section): void => {
    const indent = '  '.repeat(Math.max(section.level - 1, 0));
    const heading = section.level > 0 ? `${'#'.repeat(section.level)} ${section.title}` : section.title || '(before the first heading)';
    lines.push(`${indent}${heading}`);
    for (const [key, value] of Object.entries(section.meta)) lines.push(`${indent}  · ${key}: ${oneLine(value)}`);
    for (const step of section.steps) lines.push(`${indent}  ${formatStep(step)}`);
    section.sections.forEach(visit);
  };
  document.sections.forEach(visit);
  return lines.join('\n');
}

function formatStep(step: Step): string {
  const marker = step.kind === 'check' && step.checked ? '[x]' : STEP_MARKERS[step.kind];
  let line = `${marker} ${oneLine(step.title)}`;
  if (step.caption) line += ` — ${oneLine(step.caption)}`;
  if (step.danger.level !== 'safe') line += `  [${step.danger.level}]`;
  if (step.remote) line += `  @${step.remote.host}`;
  if (step.params.length > 0) line += `  (${step.params.join(', ')})`;
  return line;
}

/** Shortest prefixes, at least MIN_SHORT_ID long, that tell each id apart from all the others (as git does). */
export function shortIds(ids: readonly string[]): Map<string, string> {
  const result = new Map<string, string>();
  for (const id of ids) {
    let length = MIN_SHORT_ID;
    while (length < id.length && ids.some((other) => other !== id && other.startsWith(id.slice(0, length)))) length += 1;
    result.set(id, id.slice(0, length));
  }
  return result;
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const render = (cells: readonly string[]): string =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [render(header), ...rows.map(render)].join('\n');
}

/** `2025-11-24T05:10:33.123Z` -> `2025-11-24 05:10`. */
function formatTime(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function truncate(text: string, width: number): string {
  const flat = oneLine(text);
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
