// Scheduler benchmark (issue 12), a real `opsdeck daemon` holding 1,000 schedules:
//   - idle CPU: over a window in which none of them is due, the daemon's CPU time (from /proc) against an idle Node
//     process with one timer measured over the same window (the anchor); goal under 1% of a core;
//   - delay: 10 of the 1,000 fire every 3 seconds; for each run, from the occurrence's time to the run's recorded
//     start; goal p95 under 1 s (systemd's default timer accuracy, AccuracySec=, is 1 minute);
//   - planning after 30 days asleep for 1,000 per-minute schedules: bench/schedule-plan.bench.ts, in the same run.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callerFor } from '../electron/host/cli-run.js';
import { connectToOwner } from '../electron/host/owner-socket.js';
import { readOwner } from '../electron/services/store/owner-lock.js';
import type { ScheduleRules } from '../shared/model/schedule.js';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin/opsdeck.js');
const SCHEDULES = 1000;
const FIRING = 10;
const IDLE_WINDOW_MS = 30_000;
const FIRING_WINDOW_MS = 30_000;
const CPU_GOAL = 0.01;
const DELAY_GOAL_MS = 1000;

/** CPU seconds (user + system) a process has used, from /proc/PID/stat (in clock ticks, 100 a second on Linux). */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

async function started(child: ChildProcess, marker: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => d.toString().includes(marker) && resolve());
    child.once('exit', (code) => reject(new Error(`exited ${code}`)));
  });
}

export async function run(log: (line: string) => void): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-sched-'));
  const dataDir = join(tmp, 'data');
  const daemon = spawn(process.execPath, [bin, '--data-dir', dataDir, 'daemon'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const anchor = spawn(process.execPath, ['-e', 'setInterval(() => {}, 10_000); console.log("ready")'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await Promise.all([started(daemon, 'owns'), started(anchor, 'ready')]);
    const socket = readOwner(dataDir)?.socket;
    if (!socket) throw new Error('the daemon wrote no socket');
    const client = await connectToOwner(socket, { client: 'cli', acks: false });
    const call = callerFor(client);
    const file = join(tmp, 'tick.md');
    writeFileSync(file, '# Ticks\n\n## Tick\n\n```bash\ntrue\n```\n');
    const { runbookId } = await call('runbooks.import', { path: file });
    const sections = (await call('runbooks.get', { id: runbookId })).document.sections;
    const sectionId = sections[0]?.sections[0]?.id ?? sections[0]?.id ?? '';
    const base = { runbookId, sectionId, target: { kind: 'local' as const }, params: {}, secrets: {}, notify: { on: 'never' as const, webhook: null } };
    const zones = ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Tokyo', 'UTC'];
    // None due in the window: daily, at an hour six hours from now in the schedule's own zone.
    const laterHour = (zone: string): number => (Number(new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', hourCycle: 'h23' }).format(new Date())) + 6) % 24;
    const createStarted = performance.now();
    for (let i = 0; i < SCHEDULES - FIRING; i++) {
      const timezone = zones[i % zones.length] ?? 'UTC';
      const rules: ScheduleRules = {
        calendar: { kind: 'cron', expr: `${i % 60} ${laterHour(timezone)} * * *` }, timezone, catchUp: 'latest', catchUpWindowSec: null, overlap: 'skip', jitterSec: 0,
      };
      await call('schedules.create', { ...base, rules });
    }
    const createMs = performance.now() - createStarted;
    log(`${SCHEDULES - FIRING} schedules created through the owner's socket in ${(createMs / 1000).toFixed(1)} s (${(createMs / (SCHEDULES - FIRING)).toFixed(1)} ms each)`);

    const list = await call('schedules.list', {});
    const dueSoon = list.filter((s) => s.next[0] && Date.parse(s.next[0]) < Date.now() + IDLE_WINDOW_MS + 5_000).length;
    const d0 = cpuSeconds(daemon.pid ?? 0);
    const a0 = cpuSeconds(anchor.pid ?? 0);
    await new Promise((r) => setTimeout(r, IDLE_WINDOW_MS));
    const dCpu = cpuSeconds(daemon.pid ?? 0) - d0;
    const aCpu = cpuSeconds(anchor.pid ?? 0) - a0;
    const share = dCpu / (IDLE_WINDOW_MS / 1000);
    log(`idle CPU with ${list.length} schedules (${dueSoon} due in the window): ${(share * 100).toFixed(2)}% of a core (${dCpu.toFixed(2)} s in ${IDLE_WINDOW_MS / 1000} s); goal < ${CPU_GOAL * 100}%: ${share < CPU_GOAL ? 'met' : 'NOT met'}`);
    log(`  anchor, an idle node process with one timer: ${((aCpu / (IDLE_WINDOW_MS / 1000)) * 100).toFixed(2)}% of a core (${aCpu.toFixed(2)} s); the owner: ${aCpu > 0 ? (dCpu / aCpu).toFixed(1) + 'x' : 'n/a (the anchor used less than a tick)'}`);

    // Delay: 10 more, every 3 seconds, each at its own second.
    const firing: string[] = [];
    for (let i = 0; i < FIRING; i++) {
      const s = await call('schedules.create', { ...base, rules: { calendar: { kind: 'cron', expr: `${i % 3}-59/3 * * * * *` }, timezone: 'UTC', catchUp: 'skip', catchUpWindowSec: null, overlap: 'allow', jitterSec: 0 } });
      firing.push(s.id);
    }
    await new Promise((r) => setTimeout(r, FIRING_WINDOW_MS));
    for (const id of firing) await call('schedules.pause', { id });
    await new Promise((r) => setTimeout(r, 1_000));
    const delays: number[] = [];
    for (const id of firing) {
      const s = await call('schedules.get', { id });
      for (const r of s.recent) {
        if (r.outcome.kind !== 'started') continue;
        const detail = await call('runs.get', { runId: r.outcome.runId });
        delays.push(Date.parse(detail.run.startedAt) - Date.parse(r.outcome.occurrence));
      }
    }
    const p50 = quantile(delays, 0.5);
    const p95 = quantile(delays, 0.95);
    log(`delay from occurrence to run start, ${delays.length} runs of ${FIRING} schedules (every 3 s) among ${SCHEDULES}: p50 ${p50.toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...delays).toFixed(0)} ms; goal p95 < ${DELAY_GOAL_MS} ms: ${p95 < DELAY_GOAL_MS ? 'met' : 'NOT met'}`);
    log(`  anchor, systemd's default timer accuracy (AccuracySec=1min): p95 is ${(p95 / 60_000).toFixed(4)} of it`);

    const listStarted = performance.now();
    await call('schedules.list', {});
    log(`  schedules.list of ${SCHEDULES} (the Schedules page): ${(performance.now() - listStarted).toFixed(0)} ms`);
    await client.close();
  } finally {
    daemon.kill('SIGTERM');
    anchor.kill('SIGTERM');
    await new Promise((r) => daemon.once('exit', r));
    rmSync(tmp, { recursive: true, force: true });
  }
}
