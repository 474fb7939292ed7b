/**
 * `opsdeck export` and `opsdeck export verify` as a user runs them: runs made by `opsdeck run` with real bash (a
 * secret from the environment that the step prints), a bundle written directly and through a running daemon,
 * verified with no data directory at all, exit codes 0 / 1 / 2, and one line for every refusal.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/contract/schemas.js';
import { spawnOpsdeck, startOpsdeck, type Outcome } from '../helpers/cli.js';

const SECRET = 'tok-93b1e7aa52c04f';
const RUNBOOK = `# Release Notes

## Release

\`\`\`bash
# 1. Announce
echo "releasing <version> with \${{ secrets.API_TOKEN }}"

# 2. Check
echo "all good"
\`\`\`
`;

let tmp: string;
let runbook: string;
let daemon: ChildProcess | null = null;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-cli-export-'));
  runbook = join(tmp, 'release.md');
  writeFileSync(runbook, RUNBOOK);
  expect(opsdeck('import', runbook).code).toBe(0);
  const ran = spawnOpsdeck(['--data-dir', dataDir(), 'run', runbook, '--param', 'version=2.4.1'], tmp, { API_TOKEN: SECRET });
  expect(ran.stdout).toContain('releasing 2.4.1 with ••••');
  expect(ran.code).toBe(0);
});

afterEach(async () => {
  if (daemon && daemon.exitCode === null) {
    const stopped = new Promise((resolve) => daemon?.once('exit', resolve));
    daemon.kill('SIGTERM');
    await stopped;
  }
  daemon = null;
  rmSync(tmp, { recursive: true, force: true });
});

const dataDir = (): string => join(tmp, 'data');
const opsdeck = (...args: string[]): Outcome => spawnOpsdeck(['--data-dir', dataDir(), ...args], tmp);
const lastRun = (): Run => (JSON.parse(opsdeck('history', '--json').stdout) as Run[])[0]!;

function expectOneLine(out: Outcome, pattern: RegExp): void {
  expect(out.code).toBe(2);
  expect(out.stderr.trimEnd()).toMatch(pattern);
  expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
}

describe('opsdeck export', () => {
  it('writes a bundle of a run (by id prefix) that verifies, with no data directory, signed by the key `export key` shows', () => {
    const run = lastRun();
    const out = opsdeck('export', '--run', run.id.slice(0, 13), '--output', 'bundle');
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Exported 1 run \(\d+ events\) to .*bundle\n {2}events\.jsonl +\d+ bytes {2}sha256 [0-9a-f]{64}\n {2}report\.md /);
    expect(readdirSync(join(tmp, 'bundle')).sort()).toEqual(['events.jsonl', 'manifest.json', 'report.md']);
    for (const f of readdirSync(join(tmp, 'bundle'))) expect(readFileSync(join(tmp, 'bundle', f)).includes(SECRET), f).toBe(false);
    expect(readFileSync(join(tmp, 'bundle', 'events.jsonl'), 'utf8')).toContain('releasing 2.4.1 with ••••');

    const key = opsdeck('export', 'key');
    expect(key.code).toBe(0);
    const fingerprint = /^Ed25519 (SHA256:\S+)\n-----BEGIN PUBLIC KEY-----/.exec(key.stdout)?.[1];
    expect(fingerprint).toBeDefined();
    // Verification is pure: a data directory that does not exist is neither needed nor made.
    const nowhere = join(tmp, 'no-data');
    const verify = spawnOpsdeck(['--data-dir', nowhere, 'export', 'verify', 'bundle'], tmp);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^✔ bundle: intact: 2 files match the manifest, \d+ events chained, the signature is good\n/);
    expect(verify.stdout).toContain(`signed with Ed25519 key ${fingerprint}`);
    expect(existsSync(nowhere)).toBe(false);
  });

  it('exits 1 naming the file and line that do not match', () => {
    expect(opsdeck('export', '--since', '1h', '--output', 'bundle').code).toBe(0);
    const path = join(tmp, 'bundle', 'events.jsonl');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[2] = lines[2]!.replace('"seq":3', '"seq":3 ');
    writeFileSync(path, lines.join('\n'));
    const verify = opsdeck('export', 'verify', join(tmp, 'bundle'));
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/^✘ .*bundle: events\.jsonl line 3: changed: this line is not an event in canonical JSON\n {2}also: events\.jsonl: the file was changed/);
  });

  it('refuses, in one line with exit 2, a directory that is not empty, and what it cannot do', () => {
    mkdirSync(join(tmp, 'taken'));
    writeFileSync(join(tmp, 'taken', 'keep.txt'), 'mine');
    expectOneLine(opsdeck('export', '--run', lastRun().id, '--output', 'taken'), /^opsdeck: taken exists and is not empty: evidence is never written over; choose a new directory$/);
    expect(readdirSync(join(tmp, 'taken'))).toEqual(['keep.txt']);
    expectOneLine(opsdeck('export', '--output', 'x'), /^opsdeck: choose the runs: --run ID, or --since D/);
    expectOneLine(opsdeck('export', '--incident', 'inc-1', '--output', 'x'), /unknown option '--incident'/);
    expectOneLine(opsdeck('export', '--since', 'last tuesday', '--output', 'x'), /^opsdeck: --since takes an ISO time/);
    expectOneLine(opsdeck('export', '--run', lastRun().id, '--since', '2d', '--output', 'x'), /^opsdeck: --run names one run: --since does not go with it$/);
    expectOneLine(opsdeck('export', '--since', '2d'), /^opsdeck: say where to write the bundle: --output DIR/);
    expectOneLine(opsdeck('export', '--run', 'ffffffff-0000', '--output', 'x'), /^opsdeck: no run ffffffff-0000$/);
    expectOneLine(opsdeck('export', 'verify', 'missing'), /^opsdeck: missing: no such directory$/);
    expect(existsSync(join(tmp, 'x'))).toBe(false);
    expect(readdirSync(tmp).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('exports a range of one runbook as a report only', () => {
    const out = opsdeck('export', '--since', '2000-01-01', '--runbook', runbook, '--format', 'md', '--output', 'report-only', '--json');
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toMatchObject({ runs: 1, files: [{ name: 'report.md' }], lastHash: null });
    expect(readdirSync(join(tmp, 'report-only')).sort()).toEqual(['manifest.json', 'report.md']);
    expect(readFileSync(join(tmp, 'report-only', 'report.md'), 'utf8')).toMatch(/## 1\. Release Notes › Release[\s\S]*#### Announce — succeeded[\s\S]*releasing 2\.4\.1 with ••••/);
    expect(opsdeck('export', 'verify', 'report-only').code).toBe(0);
  });

  it('is written by a running daemon when one owns the data directory', async () => {
    daemon = startOpsdeck(['--data-dir', dataDir(), 'daemon'], tmp);
    let said = '';
    await new Promise<void>((resolve, reject) => {
      daemon?.stdout?.on('data', (d: Buffer) => {
        said += d.toString();
        if (said.includes('owns')) resolve();
      });
      daemon?.once('exit', () => reject(new Error(`the daemon stopped: ${said}`)));
    });
    const out = opsdeck('export', '--since', '1d', '--output', 'via-daemon');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Exported 1 run/);
    const verify = opsdeck('export', 'verify', 'via-daemon');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain(`signed with Ed25519 key ${/^Ed25519 (\S+)/.exec(opsdeck('export', 'key').stdout)?.[1]}`);
  });
});
