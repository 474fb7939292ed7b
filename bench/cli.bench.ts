// CLI start-up benchmark: `opsdeck list` and `opsdeck history` as a user runs them (the built bin, a new process
// each time) against `node -e 1`, with a running owner (`opsdeck daemon`: the command is its client) and with none
// (the command owns the data directory for its duration), measured side by side, taking turns, in this run.
// Goal: within 2x of `node -e 1`. The data: the five seed runbooks and 50 recorded runs.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/opsdeck.js');
/** Timed rounds; each round runs every case once, in turn, so drift in the machine's load hits all alike. */
const ROUNDS = 15;

function time(args: readonly string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function run(log: (line: string) => void): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-cli-'));
  const dataDir = join(tmp, 'data');
  const opsdeck = (...args: string[]): string[] => [bin, '--data-dir', dataDir, ...args];
  try {
    const seeds = join(root, 'test/fixtures/seeds');
    time(opsdeck('import', ...readdirSync(seeds).map((f) => join(seeds, f))));
    const quick = join(tmp, 'quick.md');
    writeFileSync(quick, '# Quick\n\n```bash\ntrue\n```\n');
    time(opsdeck('import', quick));
    const daemon = spawn(process.execPath, opsdeck('daemon'), { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      daemon.stdout.on('data', (d: Buffer) => d.toString().includes('owns') && resolve());
      daemon.once('exit', (code) => reject(new Error(`daemon exited ${code}`)));
    });
    for (let i = 0; i < 50; i++) time(opsdeck('run', quick));

    const cases: Array<{ label: string; args: string[]; owner: boolean }> = [
      { label: 'node -e 1', args: ['-e', '1'], owner: false },
      { label: 'opsdeck list, owner running', args: opsdeck('list'), owner: true },
      { label: 'opsdeck history, owner running', args: opsdeck('history'), owner: true },
      { label: 'opsdeck list, no owner', args: opsdeck('list'), owner: false },
      { label: 'opsdeck history, no owner', args: opsdeck('history'), owner: false },
    ];
    const samples = new Map(cases.map((c) => [c.label, [] as number[]]));
    for (const c of cases) time(c.args); // warm the file cache
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases.filter((x) => x.owner)) samples.get(c.label)?.push(time(c.args));
    }
    daemon.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of cases.filter((x) => !x.owner)) samples.get(c.label)?.push(time(c.args));
    }
    const anchor = median(samples.get('node -e 1') ?? []);
    log(`median of ${ROUNDS} runs each; the anchor, node -e 1: ${anchor.toFixed(0)} ms`);
    for (const c of cases.slice(1)) {
      const m = median(samples.get(c.label) ?? []);
      log(`${c.label.padEnd(32)} ${m.toFixed(0).padStart(5)} ms  ${(m / anchor).toFixed(2)}x node -e 1  (goal: under 2x)`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
