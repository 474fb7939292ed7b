// SSH benchmark against real sshd on 127.0.0.1 (test/helpers/sshd.ts), every anchor measured side by side in this run.
// 1. Per-step latency of a `true` step on one server: through Opsdeck (steps.run to the run.updated carrying its
//    recorded exit) against a new `ssh` process per step, `ssh` through a ControlMaster, and one raw ssh2 connection.
// 2. One `true` step fanned out over the 50 hosts of a tag on fresh connections, against the slowest single host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HostFields } from '../shared/contract/hosts.js';
import { makeClientKey, startSshd, type Sshd } from '../test/helpers/sshd.js';
import {
  fmt, importTrueStep, openDeck, rawSsh2, runStep, sshOptions, sshProcess, startRun, stats, type Deck, type Endpoint,
} from './ssh-bench-helpers.js';

/** Timed steps per method: enough for a stable median and a meaningful p95; the ssh-per-step side takes most of it. */
const STEPS = 100;
/** Steps per method in a round; the methods take turns (order rotating) so background noise falls on all alike. */
const PER_ROUND = 10;
/** Untimed steps per method first: JIT, SQLite's page cache, sshd's forks and the ssh binary's pages warm. */
const WARMUP = 10;
/** Servers behind the 50 fan-out hosts: 10 hosts each; MaxStartups raised so sshd drops none of the burst. */
const SERVERS = 5;
const FLEET = 50;
const FLEET_TAG = 'fleet';
/** Fan-out measurements (each on a new host process, so connections are fresh); each has its own anchor. */
const FANOUT_ROUNDS = 3;
const SSHD_CONFIG = 'MaxStartups 100\nMaxSessions 100';

type Method = 'opsdeck' | 'ssh-per-step' | 'controlmaster' | 'raw-ssh2';

export async function run(log: (line: string) => void): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-ssh-'));
  const servers: Sshd[] = [];
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  try {
    const keyFile = join(tmp, 'client', 'id_ed25519');
    const pub = await makeClientKey(keyFile);
    servers.push(...(await Promise.all(Array.from({ length: SERVERS }, () => startSshd({ authorizedKeys: [pub], extraConfig: SSHD_CONFIG })))));
    const trusted = servers.map((s) => s.hostPublicKey);
    const dataDir = join(tmp, 'data');
    const entry = (name: string, s: Sshd, tags: string[]): HostFields => ({
      name, address: '127.0.0.1', port: s.port, user: s.user, identityFile: keyFile, identityAgent: 'none', jump: [], tags, notes: '', forwardAgent: false,
    });

    // The first host process: the inventory, the per-step comparison, then accepting every fleet host's key.
    let deck: Deck | null = await openDeck(dataDir, trusted);
    cleanups.push(() => deck?.close());
    const first = deck;
    const main = servers[0] as Sshd;
    await first.call('hosts.save', entry('bench', main, []));
    for (let i = 0; i < FLEET; i++) await first.call('hosts.save', entry(`fleet-${String(i).padStart(2, '0')}`, servers[i % SERVERS] as Sshd, [FLEET_TAG]));
    const step = await importTrueStep(first, join(tmp, 'true.md'));

    await perStep(log, first, step, { port: main.port, user: main.user, keyFile, hostPublicKey: main.hostPublicKey }, tmp, cleanups);

    const warm = await startRun(first, step);
    const t = performance.now();
    await runStep(first, warm, step.stepId, { kind: 'tag', tag: FLEET_TAG, concurrency: FLEET }, 0, FLEET);
    const keyPrompts = first.prompts.filter((p) => p.kind === 'host-key').length;
    log(`fan-out warm-up (accepting ${FLEET} host keys, ${keyPrompts} host-key prompts answered in all, incl. 'bench'): ${fmt(performance.now() - t)} ms`);
    await first.close();
    deck = null;

    await fanOut(log, dataDir, trusted, step, (d) => (deck = d));
  } finally {
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function perStep(
  log: (line: string) => void,
  deck: Deck,
  step: Awaited<ReturnType<typeof importTrueStep>>,
  ep: Endpoint,
  tmp: string,
  cleanups: Array<() => Promise<unknown> | unknown>,
): Promise<void> {
  const runId = await startRun(deck, step);
  let attempts = 0;
  const opsdeck = async (): Promise<void> => {
    await runStep(deck, runId, step.stepId, { kind: 'host', host: 'bench' }, attempts, 1);
    attempts++;
  };
  const plain = [...sshOptions(ep, join(tmp, 'known_hosts')), `${ep.user}@127.0.0.1`, 'true'];
  const cm = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${join(tmp, 'cm-%C')}`, '-o', 'ControlPersist=60'];
  const viaMaster = [...sshOptions(ep, join(tmp, 'known_hosts')), ...cm, `${ep.user}@127.0.0.1`, 'true'];
  const raw = await rawSsh2(ep);
  cleanups.push(() => raw.close());
  await sshProcess(viaMaster); // establishes the master: not timed
  cleanups.push(() => sshProcess([...sshOptions(ep, join(tmp, 'known_hosts')), ...cm, '-O', 'exit', `${ep.user}@127.0.0.1`]));

  const methods: Record<Method, () => Promise<void>> = {
    opsdeck,
    'ssh-per-step': () => sshProcess(plain),
    controlmaster: () => sshProcess(viaMaster),
    'raw-ssh2': raw.exec,
  };
  const order = Object.keys(methods) as Method[];
  const samples = Object.fromEntries(order.map((m) => [m, [] as number[]])) as Record<Method, number[]>;
  for (let i = 0; i < WARMUP; i++) for (const m of order) await methods[m]();
  const began = performance.now();
  for (let round = 0; round < STEPS / PER_ROUND; round++) {
    for (let k = 0; k < order.length; k++) {
      const m = order[(round + k) % order.length] as Method;
      for (let i = 0; i < PER_ROUND; i++) {
        const t = performance.now();
        await methods[m]();
        samples[m].push(performance.now() - t);
      }
    }
  }
  const s = Object.fromEntries(order.map((m) => [m, stats(samples[m])])) as Record<Method, ReturnType<typeof stats>>;
  log(`per-step latency of 'true' on one sshd, ${STEPS} steps each (${WARMUP} warm-up), ${PER_ROUND}-step turns in rotating order, ${fmt((performance.now() - began) / 1000)} s:`);
  const label: Record<Method, string> = {
    opsdeck: 'Opsdeck steps.run -> exit recorded',
    'ssh-per-step': 'ssh, a new process per step',
    controlmaster: 'ssh with ControlMaster',
    'raw-ssh2': 'raw ssh2, one connection, noDelay',
  };
  for (const m of order) log(`  ${label[m].padEnd(36)} median ${fmt(s[m].median).padStart(6)} ms  p95 ${fmt(s[m].p95).padStart(6)} ms`);
  const ratio = (a: Method, b: Method): string => `${(s[a].median / s[b].median).toFixed(2)}x (p95 ${(s[a].p95 / s[b].p95).toFixed(2)}x)`;
  log(`  Opsdeck / raw ssh2:          ${ratio('opsdeck', 'raw-ssh2')}  [goal: within 1.2x]`);
  log(`  ControlMaster / Opsdeck:     ${ratio('controlmaster', 'opsdeck')}  [goal: Opsdeck at least 2x faster]`);
  log(`  ssh per step / Opsdeck:      ${ratio('ssh-per-step', 'opsdeck')}`);
  // Every step of the run adds attempts that each later step's bookkeeping reads again: show whether that shows.
  const ops = samples.opsdeck;
  const quarter = Math.floor(ops.length / 4);
  log(
    `  Opsdeck drift within the run: median of the first ${quarter} timed steps ${fmt(stats(ops.slice(0, quarter)).median)} ms, ` +
      `of the last ${quarter} ${fmt(stats(ops.slice(-quarter)).median)} ms (the run held ${WARMUP + 1}..${attempts} attempts)`,
  );
}

async function fanOut(
  log: (line: string) => void,
  dataDir: string,
  trusted: string[],
  step: Awaited<ReturnType<typeof importTrueStep>>,
  current: (deck: Deck | null) => void,
): Promise<void> {
  const fleet = Array.from({ length: FLEET }, (_, i) => `fleet-${String(i).padStart(2, '0')}`);
  const withDeck = async <T>(fn: (deck: Deck) => Promise<T>): Promise<T> => {
    const deck = await openDeck(dataDir, trusted);
    current(deck);
    try {
      const result = await fn(deck);
      if (deck.prompts.length > 0) log(`  note: a host process with the keys already accepted raised ${deck.prompts.length} prompt(s)`);
      return result;
    } finally {
      await deck.close();
      current(null);
    }
  };
  const fanouts: number[] = [];
  const slowest: number[] = [];
  const singlesAll: number[] = [];
  const loopMax: number[] = [];
  const fanoutOnce = () =>
    withDeck(async (deck) => {
      const runId = await startRun(deck, step);
      const loop = monitorEventLoopDelay({ resolution: 1 });
      loop.enable();
      const t = performance.now();
      await runStep(deck, runId, step.stepId, { kind: 'tag', tag: FLEET_TAG, concurrency: FLEET }, 0, FLEET);
      fanouts.push(performance.now() - t);
      loop.disable();
      loopMax.push(loop.max / 1e6);
    });
  const singlesOnce = () =>
    withDeck(async (deck) => {
      const runId = await startRun(deck, step);
      const times: number[] = [];
      for (const [i, name] of fleet.entries()) {
        const t = performance.now();
        await runStep(deck, runId, step.stepId, { kind: 'host', host: name }, i, 1);
        times.push(performance.now() - t);
      }
      singlesAll.push(...times);
      slowest.push(Math.max(...times));
    });
  for (let round = 0; round < FANOUT_ROUNDS; round++) {
    if (round % 2 === 0) await fanoutOnce().then(singlesOnce);
    else await singlesOnce().then(fanoutOnce);
  }
  const f = stats(fanouts);
  const a = stats(slowest);
  const single = stats(singlesAll);
  log(`fan-out of 'true' over ${FLEET} hosts (${SERVERS} sshd x ${FLEET / SERVERS}), concurrency ${FLEET}, fresh connections, ${FANOUT_ROUNDS} rounds:`);
  log(`  fan-out, request -> all ${FLEET} attempts recorded: ${fanouts.map(fmt).join(', ')} ms (median ${fmt(f.median)})`);
  log(`  slowest single host (fresh connection each):  ${slowest.map(fmt).join(', ')} ms (median ${fmt(a.median)}); a single host's median ${fmt(single.median)} ms, p95 ${fmt(single.p95)}`);
  log(`  fan-out / slowest single host: ${fanouts.map((v, i) => (v / (slowest[i] ?? NaN)).toFixed(2)).join(', ')} -> median-of-rounds ${(f.median / a.median).toFixed(2)}x`);
  log(`  event-loop delay during fan-out (max): ${loopMax.map(fmt).join(', ')} ms`);
}
