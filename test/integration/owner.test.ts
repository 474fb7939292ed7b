/**
 * One owner per data directory, with real processes: `opsdeck serve` and `opsdeck daemon` refuse a second owner,
 * a CLI run against a running owner streams live to a WebSocket client of it, a killed owner is replaced at once,
 * and many CLI commands at once (with an owner and without) lose nothing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutputChunk, Run, RunDetail } from '../../shared/contract/schemas.js';
import type { OwnerInfo } from '../../electron/services/store/owner-lock.js';
import { startApp, type RunningApp } from '../e2e/harness.js';
import { bin } from '../helpers/cli.js';
import { connect } from '../helpers/ws-client.js';

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

let tmp: string;
let dataDir: string;
const apps: RunningApp[] = [];

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-owner-'));
  dataDir = join(tmp, 'data');
});

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.stop()));
  rmSync(tmp, { recursive: true, force: true });
});

/** The CLI in a child process, not waiting synchronously: the owner under test may be in this test's process tree. */
function opsdeck(...args: string[]): Promise<Outcome> {
  const { OPSDECK_HOME: _ignored, ...env } = process.env;
  const child = spawn(process.execPath, [bin, '--data-dir', dataDir, ...args], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function serve(): Promise<RunningApp> {
  const app = await startApp(dataDir);
  apps.push(app);
  return app;
}

const ownerFile = (): OwnerInfo => JSON.parse(readFileSync(join(dataDir, 'owner.json'), 'utf8')) as OwnerInfo;

function runbook(name: string, script: string): string {
  const file = join(tmp, `${name}.md`);
  writeFileSync(file, `# ${name}\n\n\`\`\`bash\n${script}\n\`\`\`\n`);
  return file;
}

describe('the owner of a data directory', { timeout: 60_000 }, () => {
  it('refuses a second serve and a daemon, naming the running owner, with exit code 2', async () => {
    const app = await serve();
    const owner = ownerFile();
    expect(owner).toMatchObject({ kind: 'serve', pid: app.process.pid, url: `${app.origin}/` });

    for (const second of [await opsdeck('serve', '--port', '0'), await opsdeck('daemon')]) {
      expect(second.code).toBe(2);
      const lines = second.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`opsdeck serve (pid ${app.process.pid}, ${app.origin}/)`);
    }
    // The refused ones changed nothing: the owner still answers.
    const client = await connect(app.origin, app.token);
    await expect(client.call('runbooks.list', {})).resolves.toEqual([]);
    await client.close();
  });

  it('keeps its socket and files private to the user', async () => {
    await serve();
    const { socket } = ownerFile();
    expect(socket).toBe(join(dataDir, 'owner.sock'));
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(socket!).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'owner.json')).mode & 0o777).toBe(0o600);
  });

  it('streams a run started from the CLI live to a window of the running owner', async () => {
    const app = await serve();
    const client = await connect(app.origin, app.token);
    const file = runbook('Live', 'echo "hello from the cli"\nsleep 0.3\necho "and done"');

    const seen: string[] = [];
    let runWhileRunning: RunDetail | null = null;
    client.onEvent((e) => {
      if (e.event === 'step.output') seen.push((e.payload as OutputChunk).data);
      if (e.event === 'run.updated' && (e.payload as RunDetail).run.status === 'running' && seen.length > 0) runWhileRunning ??= e.payload as RunDetail;
    });
    const imported = await opsdeck('import', file);
    expect(imported.code).toBe(0);
    const run = await opsdeck('run', file);
    expect(run.stderr).toContain('✔');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('hello from the cli');

    // The window heard the output while the run was still going, not after a reload.
    expect(seen.join('')).toContain('hello from the cli');
    expect(seen.join('')).toContain('and done');
    expect(runWhileRunning).not.toBeNull();
    const list = await client.call('runs.list', {});
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ origin: 'cli', status: 'completed' } satisfies Partial<Run>);
    await client.close();
  });

  it('is replaced at once after being killed with SIGKILL', async () => {
    const first = await serve();
    await first.stop('SIGKILL');
    // owner.json and the socket file are left behind by the dead process; neither holds anything up.
    expect(ownerFile().pid).toBe(first.process.pid);
    const started = Date.now();
    const second = await serve();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(ownerFile()).toMatchObject({ kind: 'serve', pid: second.process.pid });
    const history = await opsdeck('history');
    expect(history).toMatchObject({ code: 0, stdout: 'No runs yet.\n' });
  });

  for (const withOwner of [true, false]) {
    it(`takes twenty CLI commands at once ${withOwner ? 'with a running owner' : 'with no owner'}: none busy, none lost`, async () => {
      if (withOwner) await serve();
      const files = Array.from({ length: 10 }, (_, i) => runbook(`Parallel ${i}`, `echo "run ${i}"`));
      for (const file of files.slice(0, 5)) expect((await opsdeck('import', file)).code).toBe(0);
      const outcomes = await Promise.all([
        ...files.slice(0, 5).map((file) => opsdeck('run', file)),
        ...files.slice(5).map((file) => opsdeck('import', file)),
        ...Array.from({ length: 10 }, () => opsdeck('history', '--json')),
      ]);
      for (const outcome of outcomes) {
        expect(outcome.stderr).not.toMatch(/SQLITE_BUSY|locked|internal error/i);
        expect(outcome.code).toBe(0);
      }
      const history = JSON.parse((await opsdeck('history', '--json')).stdout) as Run[];
      expect(history.map((r) => r.runbookTitle).sort()).toEqual(files.slice(0, 5).map((_, i) => `Parallel ${i}`));
      expect(history.every((r) => r.status === 'completed' && r.origin === 'cli')).toBe(true);
      const list = JSON.parse((await opsdeck('list', '--json')).stdout) as Array<{ title: string }>;
      expect(list).toHaveLength(10);
    });
  }

  it('lets a CLI command own the directory while no owner runs, and a daemon wait for it', async () => {
    const file = runbook('Slow', 'sleep 1\necho slept');
    expect((await opsdeck('import', file)).code).toBe(0);
    const running = opsdeck('run', file);
    // Wait until the run owns the directory.
    for (let i = 0; i < 100; i++) {
      try {
        if (ownerFile().kind === 'cli') break;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(ownerFile()).toMatchObject({ kind: 'cli', command: 'run' });
    const { OPSDECK_HOME: _ignored, ...env } = process.env;
    const daemon = spawn(process.execPath, [bin, '--data-dir', dataDir, 'daemon'], { cwd: tmp, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let said = '';
    daemon.stdout.on('data', (d: Buffer) => (said += d.toString()));
    daemon.stderr.on('data', (d: Buffer) => (said += d.toString()));
    expect((await running).code).toBe(0);
    for (let i = 0; i < 200 && !said.includes('owns'); i++) await new Promise((r) => setTimeout(r, 25));
    expect(said).toContain('waiting for opsdeck run');
    expect(said).toContain(`Opsdeck daemon (pid ${daemon.pid}) owns ${dataDir}`);
    const history = await opsdeck('history', '--json');
    expect((JSON.parse(history.stdout) as Run[])[0]?.status).toBe('completed');
    const stopped = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    await stopped;
    expect(() => ownerFile()).toThrow();
  });
});
