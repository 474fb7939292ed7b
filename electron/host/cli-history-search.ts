/**
 * `opsdeck history` (recorded runs, newest first, narrowed by filters) and `opsdeck history search QUERY` (full-text
 * search over output, commands as they ran, notes, titles, hosts), both through the contract's `history.*` methods,
 * with the same filter options. Matches are shown highlighted on a terminal, as plain text otherwise.
 */
import type { Command } from 'commander';
import type { HistoryCursor, HistoryFilters, SearchHit, SearchResponse } from '../../shared/contract/search.js';
import type { Run, RunStatus } from '../../shared/contract/schemas.js';
import { RunStatus as RunStatuses } from '../../shared/contract/schemas.js';
import { instant } from './cli-export.js';
import { formatHistory, shortIds } from './cli-format.js';
import { callerFor, CliUsageError, type Call } from './cli-run.js';
import type { ContractHost } from './connect.js';

export interface HistoryCommandDeps {
  withHost(command: Command, work: (host: ContractHost) => Promise<void>): Promise<void>;
  runbookQuery(query: string): string;
  status: { exitCode: number };
}

interface FilterOptions {
  runbook?: string;
  section?: string;
  host?: string;
  status: string[];
  origin: string[];
  operator?: string;
  exitCode?: string;
  since?: string;
  until?: string;
}

interface PageOptions {
  limit: string;
  offset?: string;
  json?: boolean;
}

const ORIGINS = ['ui', 'cli', 'schedule'] as const;
/** `history.list` answers this many runs a call at most: a longer --limit takes several pages. */
const LIST_PAGE = 500;
/** Lines of a snippet shown under a hit; --json has it whole. */
const SNIPPET_LINES = 3;

const HELP = `
Filters combine (all must hold): --runbook (id, path or title), --section (id
or title), --host (a host or tag the run targeted, or a host a step ran on),
--status (${RunStatuses.options.join(', ')}), --origin (${ORIGINS.join(', ')}),
--operator, --exit-code (a step exited so), --since and --until (an ISO time
such as 2026-03-01, or a duration back from now: 2d, 12h, 90m). --status and
--origin take several values, comma-separated or repeated.`;

const SEARCH_HELP = `
QUERY: words that must all occur in one output chunk, command, note or title
("restart agent"); "a phrase" in order; a prefix with a trailing * (restar*).
Each term of 3 or more characters is also looked for inside commands, hosts
and paths (ploy-2026 finds deploy-20261202). Ranked best first, newest first on
a tie. Exit status 1 when nothing matches, as grep.
${HELP}`;

export function registerHistoryCommands(program: Command, deps: HistoryCommandDeps): void {
  const history = withFilters(
    program
      .command('history')
      .description('list recorded runs, newest first; "history search" searches what they ran and printed')
      .option('--limit <n>', 'how many runs', '50')
      .option('--json', 'print the runs as JSON')
      .addHelpText('after', HELP),
  ).action(async (options: FilterOptions & PageOptions, command: Command) => {
    const limit = positive(options.limit, '--limit');
    const plan = planFilters(options, new Date());
    await deps.withHost(command, async (host) => {
      const call = callerFor(host);
      const filters = await plan(call, deps.runbookQuery);
      const runs: Run[] = [];
      let after: HistoryCursor | undefined;
      do {
        const page = await call('history.list', { ...(filters ? { filters } : {}), limit: Math.min(LIST_PAGE, limit - runs.length), ...(after ? { after } : {}) });
        runs.push(...page.runs);
        after = page.next ?? undefined;
      } while (after && runs.length < limit);
      process.stdout.write(options.json ? `${JSON.stringify(runs, null, 2)}\n` : `${formatHistory(runs)}\n`);
    });
  });

  withFilters(
    history
      .command('search')
      .description('search recorded output, commands as they ran, notes, titles and hosts')
      .argument('<QUERY...>', 'what to look for (several words: all of them)')
      .option('--limit <n>', 'how many hits (at most 100)', '20')
      .option('--offset <n>', 'hits to skip (the pages before)', '0')
      .option('--json', 'print the answer as JSON (matches between \\u0002 and \\u0003)')
      .addHelpText('after', SEARCH_HELP),
  ).action(async (words: string[], own: FilterOptions & PageOptions, command: Command) => {
    const options = withParentOptions(history, own);
    const limit = positive(options.limit, '--limit');
    if (limit > 100) throw new CliUsageError('--limit takes at most 100 hits: use --offset for the next ones');
    const offset = Number(options.offset ?? '0');
    if (!Number.isInteger(offset) || offset < 0 || offset > 1000) throw new CliUsageError('--offset takes a number from 0 to 1000');
    const plan = planFilters(options, new Date());
    await deps.withHost(command, async (host) => {
      const call = callerFor(host);
      const filters = await plan(call, deps.runbookQuery);
      const stop = showIndexing(host);
      let answer: SearchResponse;
      try {
        answer = await call('history.search', { query: words.join(' '), limit, offset, ...(filters ? { filters } : {}) });
      } finally {
        stop();
      }
      if (!answer.index.complete) {
        process.stderr.write(`opsdeck: the search index is still taking in older history (${answer.index.indexed} of ${answer.index.total} records): older runs may be missing\n`);
      }
      if (options.json) process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      else process.stdout.write(formatHits(answer, offset, process.stdout.isTTY === true));
      if (answer.hits.length === 0) deps.status.exitCode = 1;
    });
  });
}

/**
 * `history` and `history search` share option names, and commander gives an option to the first command on the way
 * that knows it (before or after `search`): what the user wrote for `history` counts for the search, defaults do not.
 */
function withParentOptions<T extends object>(parent: Command, own: T): T {
  const merged = { ...own } as Record<string, unknown>;
  for (const [key, value] of Object.entries(parent.opts())) {
    if (parent.getOptionValueSource(key) !== 'cli') continue;
    const mine = merged[key];
    merged[key] = Array.isArray(value) && Array.isArray(mine) ? [...(value as unknown[]), ...(mine as unknown[])] : value;
  }
  return merged as T;
}

function withFilters(command: Command): Command {
  const collect = (value: string, previous: string[]): string[] => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];
  return command
    .option('--runbook <runbook>', 'only the runs of this runbook (id, path or title)')
    .option('--section <section>', 'only the runs of this section (id, or title: case-insensitive)')
    .option('--host <name>', 'only the runs that targeted this host or tag, or ran a step on this host')
    .option('--status <status>', 'only runs that ended so (or are running); several: comma-separated or repeated', collect, [] as string[])
    .option('--origin <origin>', 'only runs started from here: ui, cli, schedule', collect, [] as string[])
    .option('--operator <name>', 'only the runs of this operator')
    .option('--exit-code <n>', 'only runs with a step that exited with this code')
    .option('--since <when>', 'runs started at or after this: an ISO time or a duration back from now (2d, 12h)')
    .option('--until <when>', 'runs started before this');
}

/** The filters from the options, checked now (before any data is touched); the runbook is looked up later. */
export function planFilters(o: FilterOptions, now: Date): (call: Call, runbookQuery: (q: string) => string) => Promise<HistoryFilters | undefined> {
  const statuses = o.status.map((s) => {
    if (!(RunStatuses.options as readonly string[]).includes(s)) throw new CliUsageError(`--status takes ${RunStatuses.options.join(', ')}; got "${s}"`);
    return s as RunStatus;
  });
  const origins = o.origin.map((s) => {
    const origin = ORIGINS.find((x) => x === s);
    if (!origin) throw new CliUsageError(`--origin takes ${ORIGINS.join(', ')}; got "${s}"`);
    return origin;
  });
  const exitCode = o.exitCode === undefined ? undefined : Number(o.exitCode);
  if (exitCode !== undefined && (!/^-?\d+$/.test(o.exitCode?.trim() ?? '') || !Number.isSafeInteger(exitCode))) throw new CliUsageError(`--exit-code takes a number; got "${o.exitCode}"`);
  const since = o.since === undefined ? undefined : instant(o.since, '--since', now);
  const until = o.until === undefined ? undefined : instant(o.until, '--until', now);
  if (since !== undefined && until !== undefined && since >= until) throw new CliUsageError(`--since (${since}) must be before --until (${until})`);
  const text = (value: string | undefined, option: string): string | undefined => {
    if (value === undefined) return undefined;
    if (value.trim() === '') throw new CliUsageError(`${option} takes a value`);
    return value.trim();
  };
  const section = text(o.section, '--section');
  const host = text(o.host, '--host');
  const operator = text(o.operator, '--operator');
  const runbook = text(o.runbook, '--runbook');
  return async (call, runbookQuery) => {
    const filters: HistoryFilters = {
      ...(runbook !== undefined ? { runbookId: (await call('runbooks.get', { id: runbookQuery(runbook) })).id } : {}),
      ...(section !== undefined ? { section } : {}),
      ...(host !== undefined ? { host } : {}),
      ...(operator !== undefined ? { operator } : {}),
      ...(statuses.length > 0 ? { status: [...new Set(statuses)] } : {}),
      ...(origins.length > 0 ? { origin: [...new Set(origins)] } : {}),
      ...(exitCode !== undefined ? { exitCode } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(until !== undefined ? { until } : {}),
    };
    return Object.keys(filters).length > 0 ? filters : undefined;
  };
}

/** Each hit: which run, when, its status and where the match is; then the snippet, indented. */
export function formatHits(answer: SearchResponse, offset: number, terminal: boolean): string {
  if (answer.hits.length === 0) return offset > 0 ? 'No more matches.\n' : 'No matches.\n';
  const ids = shortIds([...new Set(answer.hits.map((h) => h.run.id))]);
  const mark = (snippet: string): string =>
    terminal ? snippet.replaceAll('\u0002', '\u001b[1;4m').replaceAll('\u0003', '\u001b[22;24m') : snippet.replaceAll('\u0002', '').replaceAll('\u0003', '');
  const lines: string[] = [];
  for (const hit of answer.hits) {
    const run = hit.run;
    lines.push(`${ids.get(run.id) ?? run.id}  ${run.startedAt.slice(0, 16).replace('T', ' ')}  ${run.runbookTitle} › ${run.sectionTitle}  ${run.status}  ${where(hit)}`);
    const body = mark(hit.snippet).split('\n').filter((l) => l.trim() !== '');
    for (const line of body.slice(0, SNIPPET_LINES)) lines.push(`    ${line}`);
    if (body.length > SNIPPET_LINES) lines.push('    …');
  }
  const tail: string[] = [];
  if (answer.more) tail.push(`more matches: --offset ${offset + answer.hits.length}`);
  if (answer.capped) tail.push('ranked among the newest matches only: add words or filters to reach older ones');
  return `${lines.join('\n')}\n${tail.map((t) => `(${t})\n`).join('')}`;
}

function where(hit: SearchHit): string {
  const step = hit.stepTitle ? ` of "${hit.stepTitle}"` : '';
  switch (hit.where) {
    case 'output':
      return `output${step}${hit.stream === 'stderr' ? ' (stderr)' : ''}${hit.stepId === 'terminal' ? ' (terminal recording)' : ''}`;
    case 'command':
      return `command${step}`;
    case 'title':
      return hit.stepId ? 'step title' : 'title';
    case 'note':
      return `note${step}`;
    case 'host':
      return hit.stepId ? `host${step}` : 'target';
    case 'path':
      return 'runbook path';
    default:
      return assertNever(hit.where);
  }
}

/** On a terminal, how far indexing older history is while a search waits for it. */
function showIndexing(host: ContractHost): () => void {
  if (process.stderr.isTTY !== true) return () => undefined;
  let shown = false;
  const stop = host.subscribe((event, payload) => {
    if (event !== 'search.progress') return;
    const p = payload as { indexed: number; total: number };
    shown = true;
    process.stderr.write(`\r\u001b[2Kindexing older history: ${p.indexed} of ${p.total} records`);
  });
  return () => {
    stop();
    if (shown) process.stderr.write('\r\u001b[2K');
  };
}

function positive(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliUsageError(`${option} takes a positive number`);
  return n;
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}
