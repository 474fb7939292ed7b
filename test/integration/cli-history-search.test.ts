/**
 * `opsdeck history search` and the filters of `opsdeck history` as a user runs them: the built bin against a temp
 * data directory, runs recorded by `opsdeck run` (real bash), then what is printed and the exit codes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchResponse } from '../../shared/contract/search.js';
import type { Run } from '../../shared/contract/schemas.js';
import { spawnOpsdeck, type Outcome } from '../helpers/cli.js';

const SECRET = 'tok-9d8c7b6a5f4e3d2c';
const RUNBOOK = `# Agent Lab Ops

## Restart agent

\`\`\`bash
echo "restarting agent-lab on <server>"; printf '\\033[31mERROR\\033[0m disk nearly full\\n'
\`\`\`

## Broken

\`\`\`bash
echo "kaboom in the agent" >&2; exit 3
\`\`\`

## Call the API

\`\`\`bash
echo "agent token is \${{ secrets.API_TOKEN }}"
\`\`\`
`;

let tmp: string;
let runbook: string;

function opsdeck(args: string[], env: Record<string, string> = {}): Outcome {
  return spawnOpsdeck(['--data-dir', join(tmp, 'data'), ...args], tmp, env);
}
const json = <T>(outcome: Outcome): T => {
  expect(outcome.stderr).toBe('');
  return JSON.parse(outcome.stdout) as T;
};
const sections = (answer: SearchResponse): string[] => [...new Set(answer.hits.map((h) => h.run.sectionTitle))].sort();

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-history-search-'));
  runbook = join(tmp, 'agent.md');
  writeFileSync(runbook, RUNBOOK);
  expect(opsdeck(['import', runbook]).code).toBe(0);
  expect(opsdeck(['run', runbook, '--section', 'Restart agent', '--param', 'server=web3.example.net']).code).toBe(0);
  expect(opsdeck(['run', runbook, '--section', 'Broken']).code).toBe(1);
  expect(opsdeck(['run', runbook, '--section', 'Call the API'], { API_TOKEN: SECRET }).code).toBe(0);
}, 60_000);

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('opsdeck history search', () => {
  it('prints each hit with its run, where it matched and the text around it', () => {
    const found = opsdeck(['history', 'search', 'disk', 'full*']);
    expect(found.code).toBe(0);
    expect(found.stderr).toBe('');
    const lines = found.stdout.trimEnd().split('\n');
    const at = lines.findIndex((l) => /Agent Lab Ops › Restart agent {2}completed {2}output of "Restart agent"$/.test(l));
    expect(at).toBeGreaterThanOrEqual(0);
    // Not a terminal: plain text, no escape sequences, no markers.
    expect(lines.slice(at + 1, at + 3)).toEqual(['    restarting agent-lab on web3.example.net', '    ERROR disk nearly full']);
    expect([...found.stdout].filter((c) => c < ' ' && c !== '\n')).toEqual([]);
  });

  it('finds a substring of a command, and says so as JSON with the matches marked', () => {
    const answer = json<SearchResponse>(opsdeck(['history', 'search', 'eb3.example', '--json']));
    expect(answer.hits.map((h) => h.where)).toEqual(['command']);
    expect(answer.hits[0]!.snippet).toContain('restarting agent-lab on w\u0002eb3.example\u0003.net');
    expect(answer.index).toEqual({ complete: true, indexed: answer.index.total, total: expect.any(Number) });
  });

  it('narrows by each filter, given before or after search', () => {
    const hits = (...args: string[]): string[] => sections(json<SearchResponse>(opsdeck(['history', 'search', 'agent', '--json', '--limit', '100', ...args])));
    expect(hits()).toEqual(['Broken', 'Call the API', 'Restart agent']);
    expect(hits('--status', 'failed')).toEqual(['Broken']);
    expect(hits('--status', 'completed,aborted')).toEqual(['Call the API', 'Restart agent']);
    expect(hits('--exit-code', '3')).toEqual(['Broken']);
    expect(hits('--section', 'call the api')).toEqual(['Call the API']);
    expect(hits('--runbook', runbook)).toEqual(['Broken', 'Call the API', 'Restart agent']);
    expect(hits('--origin', 'cli')).toEqual(['Broken', 'Call the API', 'Restart agent']);
    expect(hits('--origin', 'ui', '--origin', 'schedule')).toEqual([]);
    expect(hits('--host', 'web3')).toEqual([]);
    expect(hits('--operator', 'nobody-by-that-name')).toEqual([]);
    expect(hits('--since', '1h')).toEqual(['Broken', 'Call the API', 'Restart agent']);
    expect(hits('--until', '2020-01-01')).toEqual([]);
    expect(sections(json<SearchResponse>(opsdeck(['history', '--status', 'failed', 'search', 'agent', '--json'])))).toEqual(['Broken']);
  });

  it('never finds a secret, and exits 1 when nothing matches', () => {
    for (const query of [SECRET, 'tok-9d8c*', '9d8c7b6a']) {
      const none = opsdeck(['history', 'search', query]);
      expect(none, query).toMatchObject({ code: 1, stdout: 'No matches.\n', stderr: '' });
    }
    expect(opsdeck(['history', 'search', 'token', '--json']).stdout).not.toContain(SECRET);
  });

  it('refuses what it cannot search or filter by, in one line, exit 2', () => {
    expect(opsdeck(['history', 'search', 'a*'])).toMatchObject({ code: 2, stderr: 'opsdeck: "a*": a prefix needs at least 2 letters or digits before the *\n' });
    expect(opsdeck(['history', 'search', '--', '-'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/^opsdeck: nothing to search for/) });
    expect(opsdeck(['history', 'search', 'x', '--status', 'exploded'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--status takes running, completed') });
    expect(opsdeck(['history', 'search', 'x', '--since', 'yesterday'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--since takes an ISO time') });
    expect(opsdeck(['history', 'search', 'x', '--exit-code', 'three'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--exit-code takes a number') });
  });
});

describe('opsdeck history with filters', () => {
  it('lists only the runs that match, newest first', () => {
    expect(json<Run[]>(opsdeck(['history', '--json'])).map((r) => r.sectionTitle)).toEqual(['Call the API', 'Broken', 'Restart agent']);
    expect(json<Run[]>(opsdeck(['history', '--status', 'failed', '--json'])).map((r) => [r.sectionTitle, r.status])).toEqual([['Broken', 'failed']]);
    expect(json<Run[]>(opsdeck(['history', '--exit-code', '0', '--section', 'Restart agent', '--json'])).map((r) => r.sectionTitle)).toEqual(['Restart agent']);
    expect(json<Run[]>(opsdeck(['history', '--limit', '2', '--json'])).map((r) => r.sectionTitle)).toEqual(['Call the API', 'Broken']);
    const table = opsdeck(['history', '--status', 'failed']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID +STARTED \(UTC\) +RUNBOOK +SECTION/);
    expect(table.stdout).toContain('Broken');
    expect(table.stdout).not.toContain('Restart agent');
    expect(opsdeck(['history', '--until', '2020-01-01'])).toMatchObject({ code: 0, stdout: 'No runs yet.\n' });
  });
});
