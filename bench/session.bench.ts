// Section-session benchmark: the per-step cost of carrying a shell session (restore before the step, report after),
// for a `true` step whose section already carries state (variables, an export, a cd, an option, a function), from
// steps.run to the run.updated carrying its recorded exit. Locally against `bash -c true`; over SSH (a real sshd
// on 127.0.0.1, a user whose login shell is bash) against one raw ssh2 connection running `true`. Side by side, in
// turns, in this run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunDetail } from '../shared/contract/schemas.js';
import type { Section } from '../shared/model/runbook.js';
import type { Target } from '../shared/contract/hosts.js';
import { makeClientKey, startSshd, type Sshd } from '../test/helpers/sshd.js';
import { fmt, openDeck, rawSsh2, stats, type Deck } from './ssh-bench-helpers.js';

/** Timed steps per side: a stable median and a meaningful p95 in a few seconds. */
const STEPS = 100;
/** Steps per side in a turn; the sides alternate so drift in the machine's load falls on both. */
const PER_TURN = 10;
/** Untimed steps first: V8 optimizes only after a few hundred calls; bash's and sshd's pages warm up. */
const WARMUP = 60;

type Log = (line: string) => void;

function bashTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

const RUNBOOK = [
  '# Session bench', '', '## Carry', '',
  '```bash', 'cd /tmp', 'export STAGE=blue', 'A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8', 'declare -a HOSTS=(web-1 web-2 web-3)', 'shopt -s nullglob', 'greet() { echo "hello $1"; }', '```', '',
  '```bash', 'true', '```', '',
].join('\n');

async function carried(deck: Deck, file: string, target: Target): Promise<() => Promise<void>> {
  writeFileSync(file, RUNBOOK);
  const imported = await deck.call('runbooks.import', { path: file });
  const rb = await deck.call('runbooks.get', { id: imported.runbookId });
  const section = rb.document.sections[0]?.sections[0] as Section;
  const [setup, step] = section.steps;
  if (!setup || !step) throw new Error('the bench runbook lost its steps');
  const runId = (await deck.call('runs.start', { runbookId: rb.id, sectionId: section.id })).run.id;
  let attempts = 0;
  const once = async (stepId: string, count: number): Promise<void> => {
    const ended = deck.until(runId, (d: RunDetail) => {
      const st = d.steps.find((s) => s.stepId === stepId);
      if (!st || st.attempts.length < count || st.attempts.some((a) => a.status === 'running')) return false;
      if (st.attempts.at(-1)?.status !== 'succeeded') throw new Error(`the step ended ${st.attempts.at(-1)?.status}`);
      return true;
    });
    await deck.call('steps.run', { runId, stepId, params: {}, target });
    await ended;
  };
  await once(setup.id, 1);
  const state = (await deck.call('runs.get', { runId })).sessions[0];
  if (!state || state.vars.length < 10 || state.functions.length !== 1) throw new Error('the session did not carry the state');
  return () => once(step.id, ++attempts);
}

async function sideBySide(log: Log, label: string, anchorLabel: string, opsdeck: () => Promise<void>, anchor: () => Promise<void>): Promise<void> {
  for (let i = 0; i < WARMUP; i++) {
    await opsdeck();
    await anchor();
  }
  const a: number[] = [];
  const o: number[] = [];
  for (let turn = 0; turn < STEPS / PER_TURN; turn++) {
    for (const [fn, out] of (turn % 2 === 0 ? [[anchor, a], [opsdeck, o]] : [[opsdeck, o], [anchor, a]]) as Array<[() => Promise<void>, number[]]>) {
      for (let i = 0; i < PER_TURN; i++) {
        const t = performance.now();
        await fn();
        out.push(performance.now() - t);
      }
    }
  }
  const s = stats(o);
  const b = stats(a);
  log(`${label}: median ${fmt(s.median)} ms (p95 ${fmt(s.p95)}) vs ${anchorLabel} ${fmt(b.median)} ms (p95 ${fmt(b.p95)}) -> ` +
    `${(s.median / b.median).toFixed(2)}x, +${fmt(s.median - b.median)} ms a step [goal: within 1.3x] (n=${STEPS} each, ${WARMUP} warm-up)`);
}

export async function run(log: Log): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-session-'));
  let deck: Deck | null = null;
  let sshd: Sshd | null = null;
  try {
    const keyFile = join(tmp, 'client', 'id_ed25519');
    const pub = await makeClientKey(keyFile);
    sshd = await startSshd({ authorizedKeys: [pub], loginShell: 'bash' });
    deck = await openDeck(join(tmp, 'data'), [sshd.hostPublicKey]);
    await deck.call('hosts.save', {
      name: 'bench', address: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: keyFile, identityAgent: 'none', jump: [], tags: [], notes: '', forwardAgent: false,
    });
    const local = await carried(deck, join(tmp, 'local.md'), { kind: 'local' });
    await sideBySide(log, "a carried 'true' step here (10 variables, an array, an export, cd, an option, a function)", 'bash -c true', local, bashTrue);
    const remote = await carried(deck, join(tmp, 'remote.md'), { kind: 'host', host: 'bench' });
    const raw = await rawSsh2({ port: sshd.port, user: sshd.user, keyFile, hostPublicKey: sshd.hostPublicKey });
    try {
      await sideBySide(log, "the same carried step on a host (login shell bash)", 'raw ssh2 exec true, one connection', remote, raw.exec);
    } finally {
      raw.close();
    }
  } finally {
    await deck?.close().catch(() => undefined);
    await sshd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}
