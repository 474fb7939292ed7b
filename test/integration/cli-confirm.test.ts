/**
 * `opsdeck run` on a terminal without --yes: each destructive step is asked about on the terminal (a real pty), and
 * runs only when the operator types the machine's name; a wrong or empty answer stops the run before the step.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Run } from '../../shared/contract/schemas.js';
import type { ChildProcess } from 'node:child_process';
import { ptyOpsdeck, spawnOpsdeck, startOpsdeck, type PtyOpsdeck } from '../helpers/cli.js';

let tmp: string;
let runbook: string;
const terminals: PtyOpsdeck[] = [];
let daemon: ChildProcess | null = null;

const RUNBOOK = `# Cleanup Notes

## Cleanup

\`\`\`bash
# 1. Say what goes
echo "removing $MARKER_DIR"

# 2. Remove the markers
rm -rf "$MARKER_DIR"

# 3. Say it is gone
echo "gone"
\`\`\`
`;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-confirm-'));
  runbook = join(tmp, 'cleanup.md');
  writeFileSync(runbook, RUNBOOK);
  mkdirSync(markers());
  expect(spawnOpsdeck(['--data-dir', dataDir(), 'import', runbook], tmp).code).toBe(0);
});

afterEach(async () => {
  for (const t of terminals.splice(0)) t.kill();
  if (daemon && daemon.exitCode === null) {
    const stopped = new Promise((resolve) => daemon?.once('exit', resolve));
    daemon.kill('SIGTERM');
    await stopped;
  }
  daemon = null;
  rmSync(tmp, { recursive: true, force: true });
});

const dataDir = (): string => join(tmp, 'data');
const markers = (): string => join(tmp, 'markers');

function onTerminal(...args: string[]): PtyOpsdeck {
  const t = ptyOpsdeck(['--data-dir', dataDir(), ...args], tmp, { MARKER_DIR: markers() });
  terminals.push(t);
  return t;
}

function history(): Run[] {
  return JSON.parse(spawnOpsdeck(['--data-dir', dataDir(), 'history', '--json'], tmp).stdout) as Run[];
}

describe('opsdeck run on a terminal', { timeout: 60_000 }, () => {
  it('asks before a destructive step, naming it and why; a wrong name stops the run before it', async () => {
    const t = onTerminal('run', runbook);
    await t.waitFor(/Type the machine name \S+ to run it \(or press Enter to stop\): /);
    expect(t.output()).toContain('removing');
    expect(t.output()).toMatch(/"Remove the markers" is destructive: rm -rf/);
    t.type('not-this-machine\r');
    expect(await t.exit).toBe(1);
    expect(t.output()).toMatch(/Not started: the machine name was not typed as/);
    expect(t.output()).not.toContain('▶ [3/3]');
    expect(existsSync(markers())).toBe(true);
    const [run] = history();
    expect(run).toMatchObject({ status: 'aborted', origin: 'cli' });
  });

  it('an empty answer stops too', async () => {
    const t = onTerminal('run', runbook);
    await t.waitFor(/to run it \(or press Enter to stop\): /);
    t.type('\r');
    expect(await t.exit).toBe(1);
    expect(existsSync(markers())).toBe(true);
    expect(history()[0]?.status).toBe('aborted');
  });

  it("runs the step when the machine's name is typed, and the rest after it", async () => {
    const t = onTerminal('run', runbook);
    await t.waitFor(new RegExp(`Type the machine name ${hostname().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} to run it`));
    t.type(`${hostname()}\r`);
    expect(await t.exit).toBe(0);
    expect(t.output()).toContain('gone');
    expect(existsSync(markers())).toBe(false);
    expect(history()[0]).toMatchObject({ status: 'completed', progress: { done: 3, total: 3 } });
  });

  it('Ctrl-C at the question stops the run before the step', async () => {
    const t = onTerminal('run', runbook);
    await t.waitFor(/to run it \(or press Enter to stop\): /);
    t.type('\x03');
    expect(await t.exit).toBe(1);
    expect(t.output()).toContain('Not started: the confirmation was cancelled');
    expect(existsSync(markers())).toBe(true);
  });

  it('asks through a running daemon too: the question crosses its socket, the answer comes back', async () => {
    daemon = startOpsdeck(['--data-dir', dataDir(), 'daemon'], tmp);
    let said = '';
    await new Promise<void>((resolve, reject) => {
      daemon?.stdout?.on('data', (d: Buffer) => {
        said += d.toString();
        if (said.includes('owns')) resolve();
      });
      daemon?.once('exit', () => reject(new Error(`the daemon stopped: ${said}`)));
    });
    const wrong = onTerminal('run', runbook);
    await wrong.waitFor(/Type the machine name \S+ to run it/);
    wrong.type('nope\r');
    expect(await wrong.exit).toBe(1);
    expect(existsSync(markers())).toBe(true);

    const right = onTerminal('run', runbook);
    await right.waitFor(/Type the machine name \S+ to run it/);
    right.type(`${hostname()}\r`);
    expect(await right.exit).toBe(0);
    expect(existsSync(markers())).toBe(false);
    expect(history().map((r) => r.status)).toEqual(['completed', 'aborted']);
  });

  it('asks nothing with --yes', async () => {
    const t = onTerminal('run', runbook, '--yes');
    expect(await t.exit).toBe(0);
    expect(t.output()).not.toContain('Type the machine name');
    expect(existsSync(markers())).toBe(false);
  });
});
