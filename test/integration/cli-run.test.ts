/**
 * `opsdeck run` and `opsdeck history` as a user runs them: real bash, a temp data directory, exit codes, what is
 * printed, and what the history then shows.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Run, RunDetail } from '../../shared/contract/schemas.js';
import { root, spawnOpsdeck, type Outcome } from '../helpers/cli.js';

let tmp: string;
let runbook: string;

const RUNBOOK = `# Deploy Notes

## Prepare

- [ ] Tell the channel

\`\`\`bash
# 1. Greet
echo "hello <env>"

# 2. Write a marker
touch "$MARKER_DIR/prepared"
\`\`\`

## Cleanup

\`\`\`bash
# Remove the markers
rm -rf "$MARKER_DIR"
\`\`\`

## Broken

\`\`\`bash
# 1. Fails
echo "about to fail" >&2; exit 3

# 2. Never reached
touch "$MARKER_DIR/never"
\`\`\`
`;

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { cwd: root, stdio: 'pipe' });
}, 60_000);

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-run-'));
  runbook = join(tmp, 'deploy.md');
  writeFileSync(runbook, RUNBOOK);
  expect(opsdeck('import', runbook).code).toBe(0);
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function opsdeck(...args: string[]): Outcome {
  return spawnOpsdeck(['--data-dir', join(tmp, 'data'), ...args], tmp);
}

const markers = (): string => join(tmp, 'markers');

describe('opsdeck run', () => {
  it('runs a section headlessly, streams output, exits 0 and records the run', () => {
    execFileSync('mkdir', ['-p', markers()]);
    const out = opsdeck('run', runbook, '--section', 'Prepare', '--param', 'env=prod west', '--param', `MARKER_DIR=${markers()}`);
    expect(out.stderr).toContain('[1/2] Greet');
    expect(out.stdout).toContain('hello prod west');
    expect(out.code).toBe(0);
    expect(existsSync(join(markers(), 'prepared'))).toBe(true);
    const [run] = JSON.parse(opsdeck('history', '--json').stdout) as Run[];
    // The check stays not done: a headless run cannot tick it.
    expect(run).toMatchObject({ status: 'completed', origin: 'cli', progress: { done: 2, total: 3 }, sectionTitle: 'Prepare' });
  });

  it('exits 2 naming the missing parameters, and runs nothing', () => {
    const out = opsdeck('run', runbook, '--section', 'Prepare');
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/missing parameters: env, MARKER_DIR/);
    expect(JSON.parse(opsdeck('history', '--json').stdout)).toEqual([]);
  });

  it('refuses destructive steps without --yes and runs them with it', () => {
    execFileSync('mkdir', ['-p', markers()]);
    const refused = opsdeck('run', runbook, '--section', 'Cleanup', '--param', `MARKER_DIR=${markers()}`);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/destructive.*--yes/);
    expect(existsSync(markers())).toBe(true);
    const ran = opsdeck('run', runbook, '--section', 'Cleanup', '--param', `MARKER_DIR=${markers()}`, '--yes');
    expect(ran.code).toBe(0);
    expect(existsSync(markers())).toBe(false);
  });

  it('prints what would run with --dry-run, parameters filled in, and runs and records nothing', () => {
    const out = opsdeck('run', runbook, '--section', 'Prepare', '--param', 'env=staging', '--param', 'MARKER_DIR=/x', '--dry-run');
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('echo "hello staging"');
    expect(out.stdout).toContain('[2/2] Write a marker');
    expect(JSON.parse(opsdeck('history', '--json').stdout)).toEqual([]);
  });

  it('stops at the first failing step, exits 1, and history shows the failed step', () => {
    execFileSync('mkdir', ['-p', markers()]);
    const out = opsdeck('run', runbook, '--section', 'Broken', '--param', `MARKER_DIR=${markers()}`, '--json');
    expect(out.code).toBe(1);
    const detail = JSON.parse(out.stdout) as RunDetail;
    expect(detail.run).toMatchObject({ status: 'failed', origin: 'cli', failedStep: { title: 'Fails' } });
    expect(detail.steps.map((s) => s.status)).toEqual(['failed', 'pending']);
    expect(detail.steps[0]!.attempts[0]).toMatchObject({ exitCode: 3, status: 'failed' });
    expect(existsSync(join(markers(), 'never'))).toBe(false);

    const history = JSON.parse(opsdeck('history', '--json').stdout) as Run[];
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ id: detail.run.id, status: 'failed', sectionTitle: 'Broken', runbookTitle: 'Deploy Notes' });
    const table = opsdeck('history');
    expect(table.stdout).toMatch(/Deploy Notes\s+Broken\s+.*failed\s+Fails/);
  });

  it('asks for --section when the runbook has several, naming them', () => {
    const out = opsdeck('run', runbook);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/--section.*"Prepare".*"Cleanup".*"Broken"/);
  });
});
