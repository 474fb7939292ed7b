/**
 * The CLI's human-readable output: import summaries, the library table, a runbook's outline, the history table and
 * how a run ended. Pure functions from service results to text, kept apart from argument parsing so each stays small.
 */
import type { Section, Step, StepKind } from '../../shared/model/runbook.js';
import type { Runbook } from '../../shared/model/runbook.js';
import type { RunbookSummary } from '../../shared/model/summary.js';
import type { ImportReport, Run, RunbookDetail, RunbookListItem, RunDetail } from '../../shared/contract/schemas.js';

/** Warnings listed under an import summary; the rest are counted, and `show --json` has them all. */
const MAX_WARNINGS_SHOWN = 5;
/** Parameter names listed under an import summary before "…": enough to recognise, short enough for one line. */
const MAX_PARAMS_SHOWN = 10;
/** Step titles listed as left in a history row before "…"; the run's JSON has them all. */
const MAX_LEFT_SHOWN = 3;
/** History cells longer than this are cut so that a row stays on one line. */
const MAX_CELL_WIDTH = 40;

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
  const also = [result.restored ? 'back in the library' : '', result.pathLearned ? 'now known by this path' : ''].filter(Boolean);
  const lines = [`✔ ${shownPath} → "${result.title}" (${[`${result.status}, version ${result.version}`, ...also].join(', ')})`];
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

export function formatHistory(runs: readonly Run[]): string {
  if (runs.length === 0) return 'No runs yet.';
  const ids = shortIds(runs.map((r) => r.id));
  const rows = runs.map((r) => [
    ids.get(r.id) ?? r.id,
    formatTime(r.startedAt),
    r.runbookTitle,
    r.sectionTitle,
    r.operator,
    r.endedAt ? seconds(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '',
    r.status,
    runDetail(r, ids.get(r.id) ?? r.id),
  ].map((cell) => truncate(cell, MAX_CELL_WIDTH)));
  return table(['ID', 'STARTED (UTC)', 'RUNBOOK', 'SECTION', 'OPERATOR', 'DURATION', 'STATUS', 'FAILED STEP / LEFT'], rows);
}

/** What a history row says beside the status: the failed step, the steps left, why it was aborted, how to resume. */
function runDetail(r: Run, shortId: string): string {
  switch (r.status) {
    case 'failed':
      return r.failedStep?.title ?? r.endReason ?? '';
    case 'incomplete':
      return `left: ${listTitles(r.left, MAX_LEFT_SHOWN)}`;
    case 'aborted':
      return r.endReason ?? '';
    case 'interrupted':
      return `opsdeck run --resume ${shortId}`;
    case 'running':
    case 'completed':
      return '';
    default:
      return assertNever(r.status);
  }
}

/** The last lines of `opsdeck run`: how the run ended, what was left and why. */
export function formatRunEnd(detail: RunDetail): string {
  const { run } = detail;
  const checks = new Set(allSteps(detail.section).filter((s) => s.kind === 'check').map((s) => s.id));
  const unticked = detail.steps.some((s) => checks.has(s.stepId) && s.status !== 'done') ? ' · checks are not ticked in a headless run' : '';
  const lines = [`${run.status} · ${run.progress.done}/${run.progress.total} steps done${unticked}`];
  if (run.left.length > 0) lines.push(`left: ${listTitles(run.left, run.left.length)}`);
  if (run.endReason && run.status !== 'completed') lines.push(`why: ${oneLine(run.endReason)}`);
  if (run.status === 'interrupted') lines.push(`resume it with: opsdeck run --resume ${run.id}`);
  return lines.join('\n');
}

const allSteps = (section: Section): Step[] => [...section.steps, ...section.sections.flatMap(allSteps)];

function listTitles(steps: ReadonlyArray<{ title: string }>, max: number): string {
  const titles = steps.slice(0, max).map((s) => `"${oneLine(s.title)}"`);
  return titles.join(', ') + (steps.length > max ? `, … (${steps.length - max} more)` : '');
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;

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
