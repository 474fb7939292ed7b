/**
 * Pieces of the SSH benchmark (ssh.bench.ts): the anchors it measures Opsdeck against (a new `ssh` process per step,
 * `ssh` through a ControlMaster, one raw ssh2 connection) and a driver that runs a step through the in-process host
 * and waits until its end is recorded.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import ssh2 from 'ssh2';
import type { Prompt, Target } from '../shared/contract/hosts.js';
import type { RunDetail } from '../shared/contract/schemas.js';
import type { Section } from '../shared/model/runbook.js';
import { callerFor, type Call } from '../electron/host/cli-run.js';
import { createHost, type Host } from '../electron/host/host.js';
import { fingerprintOf } from '../test/helpers/sshd.js';

/** A recorded step that has not ended by then is a hang, not a slow sample: the bench stops and says so. */
const STEP_TIMEOUT_MS = 30_000;

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

export function stats(samples: readonly number[]): { median: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), max: sorted.at(-1) ?? NaN };
}

export const fmt = (v: number): string => v.toFixed(1);

/** Where the OpenSSH client and raw ssh2 log in: the harness's sshd, its user, our key. */
export interface Endpoint {
  port: number;
  user: string;
  keyFile: string;
  /** The host key's .pub line. */
  hostPublicKey: string;
}

/** The options every `ssh` call here shares: no config file, our key, the host key pinned in a temp known_hosts. */
export function sshOptions(ep: Endpoint, knownHosts: string): string[] {
  writeFileSync(knownHosts, `[127.0.0.1]:${ep.port} ${ep.hostPublicKey}\n`);
  return ['-F', '/dev/null', '-i', ep.keyFile, '-p', String(ep.port), '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes'];
}

/**
 * Runs `ssh <args>` and resolves when the process exits, as the shell running a runbook would see it. 'exit', not
 * 'close': a ControlPersist master forks into the background and may hold our pipes for a minute.
 */
export function sshProcess(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('ssh', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ssh ${args.slice(-2).join(' ')} exited ${code}: ${stderr.trim()}`))));
  });
}

/** One ssh2 connection with Nagle's algorithm off; `exec()` runs `true` on a new channel and resolves on its close. */
export async function rawSsh2(ep: Endpoint): Promise<{ exec(): Promise<void>; close(): void }> {
  const client = new ssh2.Client();
  const expected = fingerprintOf(ep.hostPublicKey);
  await new Promise<void>((resolve, reject) => {
    client.once('ready', () => resolve());
    client.once('error', reject);
    client.on('connect', () => client.setNoDelay(true));
    client.connect({
      host: '127.0.0.1',
      port: ep.port,
      username: ep.user,
      privateKey: readFileSync(ep.keyFile),
      hostVerifier: (key: Buffer) => fingerprintOf(key) === expected,
    });
  });
  return {
    exec: () =>
      new Promise((resolve, reject) => {
        client.exec('true', (error, stream) => {
          if (error) return reject(error);
          let code: number | null = null;
          stream.on('exit', (c: number | null) => (code = c));
          stream.on('close', () => (code === 0 ? resolve() : reject(new Error(`raw ssh2: true exited ${code}`))));
          stream.resume();
          stream.stderr.resume();
        });
      }),
    close: () => client.end(),
  };
}

/** A new ssh2 connection (Nagle off) to `ep` running `true` once, closed after: ms from connect to the channel's close. */
export async function rawSsh2Fresh(ep: Endpoint): Promise<number> {
  const t = performance.now();
  const raw = await rawSsh2(ep);
  try {
    await raw.exec();
    return performance.now() - t;
  } finally {
    raw.close();
  }
}

/** The in-process host, answering host-key prompts as a person would: yes for our servers' keys, no otherwise. */
export interface Deck {
  host: Host;
  call: Call;
  /** Every host-key prompt this host raised. */
  prompts: Prompt[];
  /** Resolves with the first run.updated of `runId` for which `done` holds; `done` may throw to fail the wait. */
  until(runId: string, done: (detail: RunDetail) => boolean): Promise<RunDetail>;
  close(): Promise<void>;
}

export async function openDeck(dataDir: string, trustedPubLines: string[]): Promise<Deck> {
  const host = await createHost({ dataDir, mode: 'cli', version: 'bench' });
  const call = callerFor(host);
  const ours = new Set(trustedPubLines.map((l) => fingerprintOf(l)));
  const prompts: Prompt[] = [];
  const waiters = new Set<{ runId: string; check(d: RunDetail): void }>();
  host.subscribe((event, payload) => {
    if (event === 'prompt.request') {
      const p = payload as Prompt;
      prompts.push(p);
      const answer = p.kind === 'host-key' ? { kind: 'host-key' as const, accept: ours.has(p.fingerprint) } : { kind: 'cancel' as const };
      void call('prompts.answer', { id: p.id, answer });
    } else if (event === 'run.updated') {
      const detail = payload as RunDetail;
      for (const w of [...waiters]) if (w.runId === detail.run.id) w.check(detail);
    }
  });
  return {
    host,
    call,
    prompts,
    until(runId, done) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`no run.updated of run ${runId} said the step ended within ${STEP_TIMEOUT_MS} ms`)), STEP_TIMEOUT_MS);
        timer.unref();
        const waiter = {
          runId,
          check(d: RunDetail) {
            try {
              if (done(d)) finish(null, d);
            } catch (error) {
              finish(error as Error);
            }
          },
        };
        const finish = (error: Error | null, d?: RunDetail): void => {
          clearTimeout(timer);
          waiters.delete(waiter);
          if (error) reject(error);
          else resolve(d as RunDetail);
        };
        waiters.add(waiter);
      });
    },
    close: () => host.close(),
  };
}

/** A runbook with one section holding one bash block, `true`: its ids. */
export interface TrueStep {
  runbookId: string;
  sectionId: string;
  stepId: string;
}

export async function importTrueStep(deck: Deck, file: string): Promise<TrueStep> {
  writeFileSync(file, '# Bench\n\n## Nothing\n\n```bash\ntrue\n```\n');
  const imported = await deck.call('runbooks.import', { path: file });
  const rb = await deck.call('runbooks.get', { id: imported.runbookId });
  const all = (sections: readonly Section[]): Section[] => sections.flatMap((s) => [s, ...all(s.sections)]);
  const section = all(rb.document.sections).find((s) => s.steps.some((st) => st.kind === 'command'));
  const stepId = section?.steps.find((st) => st.kind === 'command')?.id;
  if (!section || !stepId) throw new Error('the bench runbook has no command step');
  return { runbookId: imported.runbookId, sectionId: section.id, stepId };
}

export async function startRun(deck: Deck, step: TrueStep): Promise<string> {
  return (await deck.call('runs.start', { runbookId: step.runbookId, sectionId: step.sectionId })).run.id;
}

/**
 * Runs the step on `target` and resolves once the run.updated arrives in which the step has `before + count`
 * attempts and none still running (each end is appended to SQLite before the event); fails unless all succeeded.
 */
export async function runStep(deck: Deck, runId: string, stepId: string, target: Target, before: number, count: number): Promise<RunDetail> {
  const ended = deck.until(runId, (d) => {
    const attempts = d.steps.find((s) => s.stepId === stepId)?.attempts ?? [];
    if (attempts.length < before + count || attempts.some((a) => a.status === 'running')) return false;
    const bad = attempts.slice(before).filter((a) => a.status !== 'succeeded');
    if (bad.length > 0) throw new Error(`${bad.length} attempt(s) did not succeed, e.g. on ${bad[0]?.host}: ${bad[0]?.status} ${bad[0]?.error ?? `exit ${bad[0]?.exitCode}`}`);
    return true;
  });
  try {
    await deck.call('steps.run', { runId, stepId, params: {}, target });
  } catch (error) {
    ended.catch(() => undefined);
    throw error;
  }
  return ended;
}
