// SSH benchmark against real sshd on 127.0.0.1 (test/helpers/sshd.ts), every anchor measured side by side in this run.
// 1. Per-step latency of a `true` step on one server: through Opsdeck (steps.run to the run.updated carrying its
//    recorded exit) against a new `ssh` process per step, `ssh` through a ControlMaster, and one raw ssh2 connection.
//    Twice: for a user whose login shell is bash (most servers' users; Opsdeck runs the step in that shell) and for
//    one whose login shell is dash (Opsdeck then starts bash for the step, which `ssh host true` does not).
// 2. One `true` step fanned out over the 50 hosts of a tag on fresh connections, against the slowest single host
//    (and, for context, the same two shapes done with bare ssh2 connections).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { HostFields } from '../shared/contract/hosts.js';
import { makeClientKey, startSshd, type Sshd } from '../test/helpers/sshd.js';
import {
  fmt, importTrueStep, openDeck, rawSsh2, rawSsh2Fresh, runStep, sshOptions, sshProcess, startRun, stats,
  type Deck, type Endpoint, type TrueStep,
} from './ssh-bench-helpers.js';

/** Timed steps per method: enough for a stable median and a meaningful p95; the ssh-per-step side takes most of it. */
const STEPS = 100;
/** Steps per method in a turn; the methods take turns (order rotating) so background noise falls on all alike. */
const PER_TURN = 10;
/**
 * Untimed steps first. The in-process methods (Opsdeck, raw ssh2) get more: V8 optimizes a function only after a
 * few hundred calls, and Opsdeck runs more JavaScript per step than a bare ssh2 exec. The `ssh` processes only need
 * the binary's pages and sshd's forks warm.
 */
const WARMUP: Record<Method, number> = { opsdeck: 100, 'raw-ssh2': 100, 'ssh-per-step': 10, controlmaster: 10 };
/** Servers behind the 50 fan-out hosts, 10 hosts each, MaxStartups raised so sshd refuses none of the burst. */
const SERVERS = 5;
const FLEET = 50;
const FLEET_TAG = 'fleet';
/** Fan-out rounds, each on a new host process so its connections are fresh; each round measures its own anchors. */
const FANOUT_ROUNDS = 3;
const SSHD_CONFIG = 'MaxStartups 100\nMaxSessions 100';

type Log = (line: string) => void;
type Method = 'opsdeck' | 'ssh-per-step' | 'controlmaster' | 'raw-ssh2';

const fleetName = (i: number): string => `fleet-${String(i).padStart(2, '0')}`;

export async function run(log: Log): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-ssh-'));
  const servers: Sshd[] = [];
  let first: Deck | null = null;
  try {
    const keyFile = join(tmp, 'client', 'id_ed25519');
    const pub = await makeClientKey(keyFile);
    servers.push(...(await Promise.all(Array.from({ length: SERVERS }, () => startSshd({ authorizedKeys: [pub], extraConfig: SSHD_CONFIG })))));
    const bashServer = await startSshd({ authorizedKeys: [pub], loginShell: 'bash' });
    servers.push(bashServer);
    const endpoints: Endpoint[] = servers.map((s) => ({ port: s.port, user: s.user, keyFile, hostPublicKey: s.hostPublicKey }));
    const fleet = Array.from({ length: FLEET }, (_, i) => ({ name: fleetName(i), ep: endpoints[i % SERVERS] as Endpoint }));
    const trusted = servers.map((s) => s.hostPublicKey);
    const bashEp: Endpoint = { port: bashServer.port, user: bashServer.user, keyFile, hostPublicKey: bashServer.hostPublicKey };
    const dataDir = join(tmp, 'data');
    const entry = (name: string, ep: Endpoint, tags: string[]): HostFields => ({
      name, address: '127.0.0.1', port: ep.port, user: ep.user, identityFile: keyFile, identityAgent: 'none', jump: [], tags, notes: '', forwardAgent: false,
    });

    // The first host process: the inventory, the per-step comparison, then accepting every fleet host's key.
    first = await openDeck(dataDir, trusted);
    const main = endpoints[0] as Endpoint;
    await first.call('hosts.save', entry('bench', main, []));
    await first.call('hosts.save', entry('bench-bash', bashEp, []));
    for (const f of fleet) await first.call('hosts.save', entry(f.name, f.ep, [FLEET_TAG]));
    const step = await importTrueStep(first, join(tmp, 'true.md'));

    await perStep(log, first, step, 'bench-bash', bashEp, tmp, `login shell bash (${bashEp.user})`);
    await perStep(log, first, step, 'bench', main, tmp, `login shell dash (${main.user})`);

    const t = performance.now();
    await runStep(first, await startRun(first, step), step.stepId, { kind: 'tag', tag: FLEET_TAG, concurrency: FLEET }, 0, FLEET);
    const keyPrompts = first.prompts.filter((p) => p.kind === 'host-key').length;
    log(`fan-out warm-up accepting the fleet's keys: ${fmt(performance.now() - t)} ms; host-key prompts answered in all: ${keyPrompts} (for ${SERVERS} distinct server keys)`);
    await first.close();
    first = null;

    await fanOut(log, dataDir, trusted, step, fleet);
  } finally {
    await first?.close().catch(() => undefined);
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function perStep(log: Log, deck: Deck, step: TrueStep, host: string, ep: Endpoint, tmp: string, who: string): Promise<void> {
  const runId = await startRun(deck, step);
  let attempts = 0;
  const opsdeck = async (): Promise<void> => {
    await runStep(deck, runId, step.stepId, { kind: 'host', host }, attempts, 1);
    attempts++;
  };
  const options = sshOptions(ep, join(tmp, 'known_hosts'));
  const login = `${ep.user}@127.0.0.1`;
  const cm = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${join(tmp, 'cm-%C')}`, '-o', 'ControlPersist=60'];
  const raw = await rawSsh2(ep);
  try {
    await sshProcess([...options, ...cm, login, 'true']); // establishes the master: not timed
    const methods: Record<Method, () => Promise<void>> = {
      opsdeck,
      'ssh-per-step': () => sshProcess([...options, login, 'true']),
      controlmaster: () => sshProcess([...options, ...cm, login, 'true']),
      'raw-ssh2': raw.exec,
    };
    const order = Object.keys(methods) as Method[];
    const samples = Object.fromEntries(order.map((m) => [m, [] as number[]])) as Record<Method, number[]>;
    for (const m of order) for (let i = 0; i < WARMUP[m]; i++) await methods[m]();
    const began = performance.now();
    for (let turn = 0; turn < STEPS / PER_TURN; turn++) {
      for (let k = 0; k < order.length; k++) {
        const m = order[(turn + k) % order.length] as Method;
        for (let i = 0; i < PER_TURN; i++) {
          const t = performance.now();
          await methods[m]();
          samples[m].push(performance.now() - t);
        }
      }
    }
    const s = Object.fromEntries(order.map((m) => [m, stats(samples[m])])) as Record<Method, ReturnType<typeof stats>>;
    const label: Record<Method, string> = {
      opsdeck: 'Opsdeck, steps.run -> exit recorded',
      'ssh-per-step': 'ssh, a new process per step',
      controlmaster: 'ssh through a ControlMaster',
      'raw-ssh2': 'raw ssh2, one connection, noDelay',
    };
    log(`per-step latency of 'true' on one sshd, ${who}: ${STEPS} steps each after ${WARMUP.opsdeck} (ssh: ${WARMUP['ssh-per-step']}) warm-up, in turns of ${PER_TURN}, ${fmt((performance.now() - began) / 1000)} s`);
    for (const m of order) log(`  ${label[m].padEnd(36)} median ${fmt(s[m].median).padStart(6)} ms   p95 ${fmt(s[m].p95).padStart(6)} ms`);
    const ratio = (a: Method, b: Method): string => `${(s[a].median / s[b].median).toFixed(2)}x (p95 ${(s[a].p95 / s[b].p95).toFixed(2)}x)`;
    log(`  Opsdeck / raw ssh2:      ${ratio('opsdeck', 'raw-ssh2')}   [goal: within 1.2x]`);
    log(`  ControlMaster / Opsdeck: ${ratio('controlmaster', 'opsdeck')}   [goal: at least 2x]`);
    log(`  ssh per step / Opsdeck:  ${ratio('ssh-per-step', 'opsdeck')}`);
    // Each step adds attempts to the run that every later step's bookkeeping reads again: show whether that shows.
    const quarter = Math.floor(samples.opsdeck.length / 4);
    log(
      `  Opsdeck within one run: median of the first ${quarter} timed steps ${fmt(stats(samples.opsdeck.slice(0, quarter)).median)} ms, ` +
        `of the last ${quarter} ${fmt(stats(samples.opsdeck.slice(-quarter)).median)} ms (the run held ${WARMUP.opsdeck}..${attempts} attempts)`,
    );
  } finally {
    raw.close();
    await sshProcess([...options, ...cm, '-O', 'exit', login]).catch(() => undefined);
  }
}

async function fanOut(log: Log, dataDir: string, trusted: string[], step: TrueStep, fleet: Array<{ name: string; ep: Endpoint }>): Promise<void> {
  let prompts = 0;
  /** A new host process on the same data directory: the keys are accepted, no connection is pooled yet. */
  const withDeck = async (fn: (deck: Deck, runId: string) => Promise<void>): Promise<void> => {
    const deck = await openDeck(dataDir, trusted);
    try {
      await fn(deck, await startRun(deck, step));
      prompts += deck.prompts.length;
    } finally {
      await deck.close();
    }
  };
  const r = { fanout: [] as number[], slowest: [] as number[], singles: [] as number[], loop: [] as number[], rawFanout: [] as number[], rawSlowest: [] as number[], rawSingles: [] as number[] };
  const tasks: Array<() => Promise<void>> = [
    () =>
      withDeck(async (deck, runId) => {
        const loop = monitorEventLoopDelay({ resolution: 1 });
        loop.enable();
        const t = performance.now();
        await runStep(deck, runId, step.stepId, { kind: 'tag', tag: FLEET_TAG, concurrency: FLEET }, 0, FLEET);
        r.fanout.push(performance.now() - t);
        loop.disable();
        r.loop.push(loop.max / 1e6);
      }),
    () =>
      withDeck(async (deck, runId) => {
        const times: number[] = [];
        for (const [i, f] of fleet.entries()) {
          const t = performance.now();
          await runStep(deck, runId, step.stepId, { kind: 'host', host: f.name }, i, 1);
          times.push(performance.now() - t);
        }
        r.singles.push(...times);
        r.slowest.push(Math.max(...times));
      }),
    async () => {
      const t = performance.now();
      await Promise.all(fleet.map((f) => rawSsh2Fresh(f.ep)));
      r.rawFanout.push(performance.now() - t);
    },
    async () => {
      const times: number[] = [];
      for (const f of fleet) times.push(await rawSsh2Fresh(f.ep));
      r.rawSingles.push(...times);
      r.rawSlowest.push(Math.max(...times));
    },
  ];
  for (let round = 0; round < FANOUT_ROUNDS; round++) for (let k = 0; k < tasks.length; k++) await (tasks[(round + k) % tasks.length] as () => Promise<void>)();

  const list = (xs: number[]): string => `${xs.map(fmt).join(', ')} ms (median ${fmt(stats(xs).median)})`;
  const ratios = (a: number[], b: number[]): string =>
    `${a.map((v, i) => (v / (b[i] ?? NaN)).toFixed(2)).join(', ')} -> ${(stats(a).median / stats(b).median).toFixed(2)}x of the medians`;
  log(`fan-out of 'true' over ${FLEET} hosts (${SERVERS} sshd x ${FLEET / SERVERS} entries), concurrency ${FLEET}, fresh connections, ${FANOUT_ROUNDS} rounds:`);
  log(`  Opsdeck fan-out, request -> all ${FLEET} attempts recorded: ${list(r.fanout)}`);
  log(`  Opsdeck slowest single host (fresh connection each):   ${list(r.slowest)}`);
  log(`  fan-out / slowest single host:                         ${ratios(r.fanout, r.slowest)}`);
  log(`  Opsdeck single host on a fresh connection: median ${fmt(stats(r.singles).median)} ms, p95 ${fmt(stats(r.singles).p95)} (n=${r.singles.length})`);
  log(`  raw ssh2, ${FLEET} new connections at once, exec true:      ${list(r.rawFanout)}`);
  log(`  raw ssh2, one new connection + exec true: median ${fmt(stats(r.rawSingles).median)} ms, p95 ${fmt(stats(r.rawSingles).p95)}, slowest ${list(r.rawSlowest)}`);
  log(`  Opsdeck fan-out / raw ssh2 fan-out: ${ratios(r.fanout, r.rawFanout)}; event-loop delay during the Opsdeck fan-out (max): ${r.loop.map(fmt).join(', ')} ms`);
  if (prompts > 0) log(`  note: host processes started after the keys were accepted still raised ${prompts} prompt(s)`);
}
