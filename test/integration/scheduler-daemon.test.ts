/**
 * The scheduler in a real `opsdeck daemon`: a schedule with a seconds field fires real recorded runs (origin
 * `schedule`); the daemon killed with SIGKILL across occurrences and started again keeps the catch-up policy and
 * records every occurrence exactly once; a schedule on the test sshd host runs its step there.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { callerFor, type Call } from '../../electron/host/cli-run.js';
import { connectToOwner, type OwnerClient } from '../../electron/host/owner-socket.js';
import { readOwner } from '../../electron/services/store/owner-lock.js';
import { countOccurrences } from '../../shared/schedule/occurrences.js';
import type { ScheduleRules } from '../../shared/model/schedule.js';
import { startOpsdeck } from '../helpers/cli.js';
import { allSections } from '../helpers/importer.js';
import { fingerprintOf, makeClientKey, startSshd, until, type Sshd } from '../helpers/sshd.js';

let tmp: string | undefined;
const daemons: ChildProcess[] = [];
const clients: OwnerClient[] = [];
let sshd: Sshd | undefined;

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  for (const d of daemons.splice(0)) if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
  await sshd?.stop();
  sshd = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

async function startDaemon(dataDir: string): Promise<{ process: ChildProcess; call: Call; client: OwnerClient }> {
  const daemon = startOpsdeck(['--data-dir', dataDir, 'daemon'], tmp ?? tmpdir());
  daemons.push(daemon);
  let said = '';
  daemon.stdout?.on('data', (d: Buffer) => (said += d.toString()));
  daemon.stderr?.on('data', (d: Buffer) => (said += d.toString()));
  await until(`the daemon to start (it said: ${said})`, () => said.includes(`Opsdeck daemon (pid ${daemon.pid}) owns`), 20_000);
  const socket = readOwner(dataDir)?.socket;
  if (!socket) throw new Error('the daemon wrote no socket');
  const client = await connectToOwner(socket, { client: 'cli', acks: false });
  clients.push(client);
  return { process: daemon, call: callerFor(client), client };
}

async function kill9(daemon: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => daemon.once('exit', resolve));
  daemon.kill('SIGKILL');
  await exited;
}

function runbook(dir: string, script: string): string {
  const path = join(dir, 'tick.md');
  writeFileSync(path, ['# Ticks', '', '## Tick', '', '```bash', script, '```', ''].join('\n'));
  return path;
}

async function importTick(call: Call, path: string): Promise<{ runbookId: string; sectionId: string }> {
  const { runbookId } = await call('runbooks.import', { path });
  const detail = await call('runbooks.get', { id: runbookId });
  const section = allSections(detail.document.sections).find((s) => s.title === 'Tick');
  if (!section) throw new Error('no Tick section');
  return { runbookId, sectionId: section.id };
}

interface RecordRow {
  kind: string;
  occurrence: string | null;
  first_at: string | null;
  last_at: string | null;
  count: number | null;
  run_id: string | null;
}

function records(dataDir: string, scheduleId: string): RecordRow[] {
  const db = new BetterSqlite3(join(dataDir, 'opsdeck.db'), { readonly: true });
  try {
    return db.prepare('SELECT kind, occurrence, first_at, last_at, count, run_id FROM schedule_records WHERE schedule_id = ? ORDER BY rowid').all(scheduleId) as RecordRow[];
  } finally {
    db.close();
  }
}

const everyTwoSeconds: ScheduleRules = {
  calendar: { kind: 'cron', expr: '*/2 * * * * *' }, timezone: 'UTC', catchUp: 'latest', catchUpWindowSec: 3600, overlap: 'skip', jitterSec: 0,
};

describe('the scheduler in opsdeck daemon', () => {
  it('fires real runs, and after kill -9 across occurrences catches up once and records every occurrence once', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'opsdeck-sched-daemon-'));
    const dataDir = join(tmp, 'data');
    const path = runbook(tmp, 'echo "tick at $(date +%s)"');
    let daemon = await startDaemon(dataDir);
    const { runbookId, sectionId } = await importTick(daemon.call, path);
    const schedule = await daemon.call('schedules.create', {
      runbookId, sectionId, target: { kind: 'local' }, rules: everyTwoSeconds, params: {}, secrets: {}, notify: { on: 'never', webhook: null },
    });

    const startedRuns = (rows: RecordRow[]) => rows.filter((r) => r.kind === 'started');
    await until('two scheduled runs', () => startedRuns(records(dataDir, schedule.id)).length >= 2, 20_000);
    const runs = await daemon.call('runs.list', { runbookId });
    expect(runs.length).toBeGreaterThanOrEqual(2);
    for (const run of runs) expect(run.origin).toBe('schedule');
    await until('a scheduled run to complete', async () => (await daemon.call('runs.list', { runbookId })).some((r) => r.status === 'completed'), 20_000);

    await kill9(daemon.process);
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, 5_000)); // at least two occurrences while no owner runs
    daemon = await startDaemon(dataDir);
    const restartedAt = Date.now();
    // The owner re-plans at start: the misses are one summary, and one run stands for the newest occurrence.
    await until('a run after the restart', () => records(dataDir, schedule.id).some((r) => r.kind === 'started' && Date.parse(r.occurrence ?? '') > killedAt), 20_000);
    await daemon.call('schedules.pause', { id: schedule.id, reason: 'test over' });
    await new Promise((r) => setTimeout(r, 500)); // a run starting as it was paused is recorded too

    const rows = records(dataDir, schedule.id);
    const summaries = rows.filter((r) => r.kind === 'missed' || r.kind === 'missed_beyond_window');
    expect(summaries.length).toBeGreaterThanOrEqual(1);
    const downtime = summaries.find((s) => Date.parse(s.first_at ?? '') > killedAt - 2_000 && Date.parse(s.last_at ?? '') < restartedAt + 2_000);
    expect(downtime?.count ?? 0).toBeGreaterThanOrEqual(1);
    // Every occurrence has one outcome: pending then what became of it, never two outcomes, never a summary over one.
    const outcomes = new Map<string, string[]>();
    for (const r of rows) if (r.occurrence) outcomes.set(r.occurrence, [...(outcomes.get(r.occurrence) ?? []), r.kind]);
    for (const [occurrence, kinds] of outcomes) {
      expect(kinds.filter((k) => k !== 'pending'), occurrence).toHaveLength(1);
      for (const s of summaries) expect(occurrence < (s.first_at ?? '') || occurrence > (s.last_at ?? ''), `${occurrence} in a summary`).toBe(true);
    }
    // And every occurrence from the first to the last is accounted for, run or missed.
    const all = [...outcomes.keys()].sort();
    const first = new Date(Date.parse(all[0] ?? '') - 1);
    const last = new Date(all.at(-1) ?? '');
    const accounted = outcomes.size + summaries.reduce((n, s) => n + (s.count ?? 0), 0);
    expect(accounted).toBe(countOccurrences(everyTwoSeconds, first, last));
    // The daemon that died left nothing pending forever: a pending occurrence got an outcome after the restart.
    expect([...outcomes.values()].filter((k) => k.at(-1) === 'pending')).toEqual([]);
  }, 90_000);

  it("delivers a scheduled run's webhook to a receiver that refuses the first two attempts", async () => {
    tmp = mkdtempSync(join(tmpdir(), 'opsdeck-sched-hook-'));
    const dataDir = join(tmp, 'data');
    const bodies: string[] = [];
    let attempts = 0;
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        attempts++;
        if (attempts <= 2) {
          res.writeHead(503).end('busy');
          return;
        }
        bodies.push(body);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as { port: number }).port;
      const { call } = await startDaemon(dataDir);
      const { runbookId, sectionId } = await importTick(call, runbook(tmp, 'echo "nightly check"'));
      const schedule = await call('schedules.create', {
        runbookId, sectionId, target: { kind: 'local' }, params: {}, secrets: {},
        rules: { ...everyTwoSeconds, calendar: { kind: 'cron', expr: '*/30 * * * * *' } },
        notify: { on: 'always', webhook: `http://127.0.0.1:${port}/hooks/opsdeck?token=abc` },
      });
      const { runId } = await call('schedules.runNow', { id: schedule.id });
      await call('schedules.pause', { id: schedule.id });
      await until('the webhook delivered', () => bodies.length > 0, 30_000);
      expect(attempts).toBe(3);
      const summary = JSON.parse(bodies[0] ?? '{}') as Record<string, unknown>;
      expect(summary).toMatchObject({ runId, status: 'completed', scheduleId: schedule.id });
      await new Promise((r) => setTimeout(r, 1_500));
      expect(bodies).toHaveLength(1); // delivered once, not again
    } finally {
      server.close();
    }
  }, 60_000);

  it('runs a schedule on the test sshd host', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'opsdeck-sched-ssh-'));
    const dataDir = join(tmp, 'data');
    const key = join(tmp, 'id_ed25519');
    sshd = await startSshd({ authorizedKeys: [await makeClientKey(key)] });
    const path = runbook(tmp, 'echo "scheduled on $(whoami)"');
    const { call, client } = await startDaemon(dataDir);
    await call('hosts.save', { name: 'lab1', address: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: key, identityAgent: null, jump: [], tags: [], notes: '', forwardAgent: false });
    // Trust the host key once, as an operator does in the cockpit.
    const fingerprint = fingerprintOf(sshd.hostPublicKey);
    const off = client.subscribe((event, payload) => {
      const p = payload as { id: string; kind: string; fingerprint?: string };
      if (event === 'prompt.request' && p.kind === 'host-key' && p.fingerprint === fingerprint) void call('prompts.answer', { id: p.id, answer: { kind: 'host-key', accept: true } });
    });
    expect((await call('hosts.test', { name: 'lab1' })).ok).toBe(true);
    off();
    const { runbookId, sectionId } = await importTick(call, path);
    const schedule = await call('schedules.create', {
      runbookId, sectionId, target: { kind: 'host', host: 'lab1' }, rules: everyTwoSeconds, params: {}, secrets: {}, notify: { on: 'never', webhook: null },
    });
    await until('a completed scheduled run on lab1', async () => (await call('runs.list', { runbookId })).some((r) => r.status === 'completed'), 30_000);
    await call('schedules.pause', { id: schedule.id });
    const run = (await call('runs.list', { runbookId })).find((r) => r.status === 'completed');
    expect(run).toMatchObject({ origin: 'schedule', target: 'host:lab1' });
    const detail = await call('runs.get', { runId: run?.id ?? '' });
    const attempt = detail.steps.flatMap((s) => s.attempts)[0];
    const output = (await call('runs.output', { runId: detail.run.id, attemptId: attempt?.id ?? '' })).map((c) => c.data).join('');
    expect(output).toContain(`scheduled on ${sshd.user}`);
  }, 90_000);
});
