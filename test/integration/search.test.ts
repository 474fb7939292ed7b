/**
 * Searching the history on a real database: runs made by running real steps through the contract (coloured output,
 * a failing step, a secret the step prints, a host that refuses the connection, a note), then found by word, by
 * prefix, by a substring of a command, narrowed by each filter; a secret is never found; a bad query is refused with
 * a message. History recorded before the search existed (a version-6 database) is indexed by the owner afterwards.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryFilters, SearchResponse } from '../../shared/contract/search.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import { callerFor, type Call } from '../../electron/host/cli-run.js';
import { createHost, DATABASE_FILE, type Host } from '../../electron/host/host.js';
import { createIndexer, SEARCH_SLICES, SLICE_ROWS } from '../../electron/services/search/indexer.js';
import { parseQuery } from '../../electron/services/search/query.js';
import { createSearchService } from '../../electron/services/search/search-service.js';
import { openDatabase } from '../../electron/services/store/db.js';
import { createSearchStore } from '../../electron/services/store/search-store.js';
import { OLD_NEEDLE, OLD_UNIT, writeVersion6History } from '../helpers/search-history.js';

const SECRET = 'hunter2-sekrit-7f3a9c';
const RUNBOOK = `# Agent Lab Ops

## Restart agent

\`\`\`bash
# 1. Restart the service
echo "restarting agent-lab on <server>"; printf '\\033[31mERROR\\033[0m disk nearly full\\n'

# 2. Deploy the build
echo "deploying build deploy-20261202 to <server>"
\`\`\`

## Broken

\`\`\`bash
echo "kaboom happened in the agent" >&2; exit 3
\`\`\`

## Call the API

\`\`\`bash
echo "agent token is \${{ secrets.API_TOKEN }} today"
\`\`\`

## Remote check

\`\`\`bash
uptime
\`\`\`
`;
const OTHER = `# Other Agent Tasks

## Hello

\`\`\`bash
echo "hello from the other agent"
\`\`\`
`;

let dir: string;
let host: Host;
let call: Call;
let runbookId: string;
let otherId: string;
let deviceId: string;
let startedAt: string;
const runs: Record<'restart' | 'broken' | 'api' | 'remote' | 'other', RunDetail> = {} as never;

async function ended(runId: string): Promise<RunDetail> {
  for (let i = 0; i < 400; i++) {
    const detail = await call('runs.get', { runId });
    if (detail.run.status !== 'running') return detail;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the run never ended');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-search-'));
  writeFileSync(join(dir, 'agent.md'), RUNBOOK);
  writeFileSync(join(dir, 'other.md'), OTHER);
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  call = callerFor(host);
  deviceId = (await call('app.info', {})).deviceId;
  startedAt = new Date().toISOString();
  ({ runbookId } = await call('runbooks.import', { path: join(dir, 'agent.md') }));
  ({ runbookId: otherId } = await call('runbooks.import', { path: join(dir, 'other.md') }));
  const [restart, broken, api, remote] = (await call('runbooks.get', { id: runbookId })).document.sections[0]!.sections;
  const hello = (await call('runbooks.get', { id: otherId })).document.sections[0]!.sections[0]!;
  // Nothing listens on port 1: the step on web3 fails to connect, and the run records where it was to run.
  await call('hosts.save', { name: 'web3', address: '127.0.0.1', port: 1, user: 'deploy', identityFile: null, identityAgent: null, jump: [], tags: ['web'], notes: '', forwardAgent: false });

  await call('settings.update', { operator: 'ana' });
  runs.restart = await ended((await call('runs.runSection', { runbookId, sectionId: restart!.id, params: { server: 'web3.example.net' } })).run.id);
  runs.restart = await call('runs.note', { runId: runs.restart.run.id, stepId: null, text: 'rolled back by hand after the restart' });
  await call('settings.update', { operator: 'bob' });
  const ui = await host.dispatch('runs.runSection', { runbookId, sectionId: broken!.id, params: {} }, { origin: 'ui' });
  if (!ui.ok) throw new Error(ui.error.message);
  runs.broken = await ended((ui.result as RunDetail).run.id);
  await call('settings.update', { operator: 'ana' });
  runs.api = await ended((await call('runs.runSection', { runbookId, sectionId: api!.id, params: { API_TOKEN: SECRET } })).run.id);
  runs.remote = await ended((await call('runs.runSection', { runbookId, sectionId: remote!.id, params: {}, target: { kind: 'host', host: 'web3' } })).run.id);
  runs.other = await ended((await call('runs.runSection', { runbookId: otherId, sectionId: hello.id, params: {} })).run.id);
}, 60_000);

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

const search = (query: string, filters?: HistoryFilters, page: { limit?: number; offset?: number } = {}): Promise<SearchResponse> =>
  call('history.search', { query, ...(filters ? { filters } : {}), ...page });
const runIds = (r: SearchResponse): string[] => [...new Set(r.hits.map((h) => h.run.id))].sort();
const ids = (...names: Array<keyof typeof runs>): string[] => names.map((n) => runs[n].run.id).sort();
/** A snippet as a user sees it, the match in [brackets]. */
const shown = (snippet: string): string => snippet.replaceAll('\u0002', '[').replaceAll('\u0003', ']');

describe('history search', () => {
  it('finds a word in output, with its run, the attempt and chunk to open, and a highlighted snippet free of escapes', async () => {
    expect(runs.broken.run.status).toBe('failed');
    const result = await search('kaboom');
    expect(result.index).toMatchObject({ complete: true });
    // What the step printed, and the command that printed it.
    expect(result.hits.map((h) => h.where).sort()).toEqual(['command', 'output']);
    const hit = result.hits.find((h) => h.where === 'output');
    const attempt = runs.broken.steps[0]!.attempts[0]!;
    expect(hit).toMatchObject({ where: 'output', stream: 'stderr', attemptId: attempt.id, stepId: runs.broken.steps[0]!.stepId, seq: 0 });
    expect(hit!.run).toMatchObject({ id: runs.broken.run.id, status: 'failed', runbookTitle: 'Agent Lab Ops', sectionTitle: 'Broken', operator: 'bob', origin: 'ui', target: 'local' });
    expect(shown(hit!.snippet)).toBe('[kaboom] happened in the agent\n');
    // The chunk the hit names is where the run's output opens.
    const output = await call('runs.output', { runId: hit!.run.id, attemptId: hit!.attemptId!, afterSeq: hit!.seq! - 1 });
    expect(output[0]!.data).toContain('kaboom');

    const coloured = await search('error disk');
    expect(coloured.hits.filter((h) => h.where === 'output').map((h) => shown(h.snippet))).toEqual(['restarting agent-lab on web3.example.net\n[ERROR] [disk] nearly full\n']);
  });

  it('finds a prefix only when asked with a trailing *, and phrases in order', async () => {
    expect((await search('restartin')).hits.filter((h) => h.where === 'output')).toEqual([]);
    const prefixed = await search('restartin*');
    expect(prefixed.hits.filter((h) => h.where === 'output').map((h) => h.run.id)).toEqual([runs.restart.run.id]);
    expect((await search('"agent-lab on"')).hits.some((h) => h.where === 'output')).toBe(true);
    expect((await search('"on agent-lab"')).hits.filter((h) => h.where === 'output')).toEqual([]);
  });

  it('finds a substring of a command as it ran, parameters filled in', async () => {
    const result = await search('ploy-2026');
    expect(result.hits.map((h) => h.where)).toEqual(['command']);
    expect(shown(result.hits[0]!.snippet)).toContain('de[ploy-2026]1202');
    expect(result.hits[0]).toMatchObject({ run: { id: runs.restart.run.id }, stepId: runs.restart.steps[1]!.stepId, attemptId: runs.restart.steps[1]!.attempts[0]!.id });
    // The placeholder <server> ran as web3.example.net: the command is found by the value.
    const byValue = await search('"to web3.example.net"');
    expect(byValue.hits.map((h) => h.where)).toContain('command');
    expect(shown(byValue.hits.find((h) => h.where === 'command')!.snippet)).toBe('# 2. Deploy the build\necho "deploying build deploy-20261202 [to web3.example.net]"');
  });

  it('finds notes, titles and hosts', async () => {
    expect((await search('rolled back')).hits.map((h) => [h.where, h.run.id])).toEqual([['note', runs.restart.run.id]]);
    const titles = await search('"Deploy the build"');
    // The step's title, and its script, which names it in a comment.
    expect(titles.hits.map((h) => [h.where, shown(h.snippet)])).toEqual([
      ['title', '[Deploy the build]'],
      ['command', '# 2. [Deploy the build]\necho "deploying build deploy-20261202 to web3.example.net"'],
    ]);
    expect((await search('web3', { status: ['failed'] })).hits.map((h) => [h.where, h.run.id])).toContainEqual(['host', runs.remote.run.id]);
  });

  it('narrows by each filter', async () => {
    // "agent" is in every run: the runbooks' titles, outputs, a section title.
    expect(runIds(await search('agent', {}, { limit: 100 }))).toEqual(ids('restart', 'broken', 'api', 'remote', 'other'));
    const only = async (filters: HistoryFilters) => runIds(await search('agent', filters, { limit: 100 }));
    expect(await only({ runbookId: otherId })).toEqual(ids('other'));
    expect(await only({ section: 'broken' })).toEqual(ids('broken'));
    expect(await only({ section: runs.api.run.sectionId })).toEqual(ids('api'));
    expect(await only({ host: 'web3' })).toEqual(ids('remote'));
    expect(await only({ host: 'nowhere' })).toEqual([]);
    expect(await only({ operator: 'bob' })).toEqual(ids('broken'));
    expect(await only({ deviceId })).toEqual(ids('restart', 'broken', 'api', 'remote', 'other'));
    expect(await only({ deviceId: '0190b6a4-0000-7000-8000-0000000000ff' })).toEqual([]);
    expect(await only({ status: ['failed'] })).toEqual(ids('broken', 'remote'));
    expect(await only({ status: ['completed', 'aborted'] })).toEqual(ids('restart', 'api', 'other'));
    expect(await only({ origin: ['ui'] })).toEqual(ids('broken'));
    expect(await only({ origin: ['cli', 'schedule'] })).toEqual(ids('restart', 'api', 'remote', 'other'));
    expect(await only({ exitCode: 3 })).toEqual(ids('broken'));
    expect(await only({ since: startedAt })).toEqual(ids('restart', 'broken', 'api', 'remote', 'other'));
    expect(await only({ since: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);
    expect(await only({ until: startedAt })).toEqual([]);
    expect(await only({ runbookId, status: ['failed'], operator: 'ana' })).toEqual(ids('remote'));
    // Exit code of the attempt whose output matched: the restart's output is from attempts that exited 0.
    expect(runIds(await search('kaboom', { exitCode: 0 }))).toEqual([]);
    expect(runIds(await search('kaboom', { exitCode: 3 }))).toEqual(ids('broken'));
  });

  it('never finds a secret: output is redacted and parameters masked before they are indexed', async () => {
    const api = runs.api.steps[0]!.attempts[0]!;
    const printed = (await call('runs.output', { runId: runs.api.run.id, attemptId: api.id })).map((c) => c.data).join('');
    expect(printed).toBe('agent token is •••• today\n');
    for (const query of [SECRET, 'hunter2*', 'sekrit', '7f3a9c', `"${SECRET}"`]) expect((await search(query)).hits, query).toEqual([]);
    const token = await search('token today');
    expect(runIds(token)).toEqual(ids('api'));
    expect(token.hits.map((h) => shown(h.snippet))).toContain('agent [token] is •••• [today]\n');
  });

  it('pages through ranked hits', async () => {
    const all = await search('agent', {}, { limit: 100 });
    expect(all.more).toBe(false);
    expect(all.hits.length).toBeGreaterThan(3);
    const first = await search('agent', {}, { limit: 2 });
    const second = await search('agent', {}, { limit: 2, offset: 2 });
    expect(first.more).toBe(true);
    expect([...first.hits, ...second.hits].map((h) => [h.where, h.at, h.snippet])).toEqual(all.hits.slice(0, 4).map((h) => [h.where, h.at, h.snippet]));
    const scores = all.hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => a - b));
  });

  it('refuses a query it cannot run with a message, and takes FTS syntax as text', async () => {
    for (const [query, message] of [
      ['*', /nothing to search for/],
      ['""', /nothing to search for/],
      ['-', /nothing to search for/],
      ['a*', /prefix needs at least 2/],
    ] as const) {
      await expect(search(query), query).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(message) });
    }
    for (const query of ['NEAR(agent kaboom)', 'data:kaboom', 'kaboom OR', '"kaboom', 'kaboom)', 'AND', '^kaboom']) {
      await expect(search(query), query).resolves.toMatchObject({ index: { complete: true } });
    }
    expect(runIds(await search('"kaboom'))).toEqual(ids('broken'));
  });

  it('lists runs by the same filters, newest first, a page at a time', async () => {
    const failed = await call('history.list', { filters: { status: ['failed'] } });
    expect(failed.runs.map((r) => r.id)).toEqual([runs.remote.run.id, runs.broken.run.id]);
    expect(failed.next).toBeNull();
    const first = await call('history.list', { limit: 2 });
    expect(first.runs.map((r) => r.id)).toEqual([runs.other.run.id, runs.remote.run.id]);
    const second = await call('history.list', { limit: 2, after: first.next! });
    expect(second.runs.map((r) => r.id)).toEqual([runs.api.run.id, runs.broken.run.id]);
    const last = await call('history.list', { limit: 2, after: second.next! });
    expect(last).toEqual({ runs: [expect.objectContaining({ id: runs.restart.run.id })], next: null });
    expect(await call('history.indexStatus', {})).toMatchObject({ complete: true });
  });
});

describe('history recorded before search existed', () => {
  it('is indexed by the owner after the upgrade, a slice at a time with progress, and found', async () => {
    const dataDir = join(dir, 'upgraded');
    mkdirSync(dataDir, { mode: 0o700 });
    const old = writeVersion6History(join(dataDir, DATABASE_FILE), SLICE_ROWS * 2 + 500);
    const owner = await createHost({ dataDir, mode: 'cli', version: 'test' });
    const progress: Array<{ complete: boolean; indexed: number; total: number }> = [];
    owner.subscribe((event, payload) => {
      if (event === 'search.progress') progress.push(payload as (typeof progress)[number]);
    });
    try {
      const ask = callerFor(owner);
      // A command's owner answers once the history is indexed: the CLI gets every old run.
      const found = await ask('history.search', { query: OLD_NEEDLE });
      expect(found.index).toMatchObject({ complete: true });
      expect(found.hits).toMatchObject([{ where: 'output', run: { id: old.runId, status: 'completed', sectionTitle: 'Vintage restart' }, attemptId: old.attemptId, seq: old.needleSeq }]);
      expect(found.hits[0]!.snippet).toBe(`found the \u0002${OLD_NEEDLE}\u0003 marker\n`);
      expect((await ask('history.search', { query: OLD_UNIT })).hits.map((h) => h.where)).toEqual(['command']);
      expect((await ask('history.search', { query: 'vintage note' })).hits.map((h) => h.where)).toEqual(['note']);
      expect(progress.at(-1)).toMatchObject({ complete: true });
      expect(progress.at(-1)!.indexed).toBe(progress.at(-1)!.total);
      expect(progress.map((p) => p.indexed)).toEqual([...progress.map((p) => p.indexed)].sort((a, b) => a - b));
    } finally {
      await owner.close();
    }
  });

  it('is searchable while it is being indexed, and the answer says the index is incomplete', async () => {
    const file = join(dir, 'meanwhile.db');
    // The needle lies past what a search indexes first.
    writeVersion6History(file, SLICE_ROWS * (SEARCH_SLICES + 1) * 2);
    const db = openDatabase(file);
    const store = createSearchStore(db);
    // The owner's event loop, by hand: each slice runs when the test lets it.
    const queue: Array<() => void> = [];
    const indexer = createIndexer({
      store,
      timers: { setImmediate: (fn) => queue.push(fn), clearImmediate: () => undefined, setTimeout: (fn) => queue.push(fn), clearTimeout: () => undefined },
      now: () => 0,
      onProgress: () => undefined,
      onError: (error) => {
        throw error;
      },
    });
    const service = createSearchService({ store, indexer, waitForIndex: false, runs: () => new Map() });
    try {
      indexer.start();
      const needle = parseQuery(OLD_NEEDLE);
      const first = await service.search({ query: OLD_NEEDLE });
      expect(first.index.complete).toBe(false);
      expect(first.index.indexed).toBeGreaterThan(0);
      expect(store.search(needle, undefined, 5).hits).toEqual([]);
      queue.shift()!();
      const meanwhile = service.indexStatus();
      expect(meanwhile.complete).toBe(false);
      expect(meanwhile.indexed).toBeGreaterThan(first.index.indexed);
      while (queue.length > 0) queue.shift()!();
      expect(service.indexStatus()).toMatchObject({ complete: true });
      expect(store.search(needle, undefined, 5).hits).toMatchObject([{ kind: 'output' }]);
      expect((await service.search({ query: OLD_NEEDLE })).index).toMatchObject({ complete: true });
    } finally {
      indexer.dispose();
      db.close();
    }
  });
});
