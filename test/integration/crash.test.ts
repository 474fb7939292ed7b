/**
 * A crash in the middle of a step: the web host is killed with SIGKILL while a step streams output, then started
 * again on the same data directory. The run and its attempt must read `interrupted`, and every chunk a client saw
 * before the crash must be in the recorded output, unchanged and in order (the host stores a chunk before sending it).
 * Such a run can then be resumed: a new attempt of the interrupted step, the session state it carried restored.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import type { OutputChunk, RunDetail } from '../../shared/contract/schemas.js';
import { startApp, type RunningApp } from '../e2e/harness.js';
import { allSections } from '../helpers/importer.js';
import { connect, type WsClient } from '../helpers/ws-client.js';

/** Chunks to see before the crash: enough that output is well under way, reached in about a second. */
const CHUNKS_BEFORE_CRASH = 50;

let tmp: string | undefined;
const apps: RunningApp[] = [];
const clients: WsClient[] = [];
/** Process groups of steps left behind by the killed host, ended after each test. */
const orphanGroups: number[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(apps.splice(0).map((a) => a.stop('SIGKILL')));
  for (const pgid of orphanGroups.splice(0)) killGroup(pgid);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

it('a run killed mid-step reads interrupted after a restart, with every chunk the client saw', async () => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-crash-'));
  const dataDir = join(tmp, 'data');
  const marker = `crash-test-${randomUUID()}`;
  const runbookPath = join(tmp, 'stream.md');
  writeFileSync(
    runbookPath,
    ['# Crash test', '', '## Stream lines', '', '```bash', `for i in $(seq 1 100000); do echo "${marker} line $i"; sleep 0.005; done`, '```', ''].join('\n'),
  );

  const first = await startApp(dataDir);
  apps.push(first);
  const client = await connect(first.origin, first.token);
  clients.push(client);

  const imported = await client.call('runbooks.import', { path: runbookPath });
  const runbook = await client.call('runbooks.get', { id: imported.runbookId });
  const section = allSections(runbook.document.sections).find((s) => s.steps.some((st) => st.kind === 'command'));
  const step = section?.steps.find((st) => st.kind === 'command');
  if (!section || !step) throw new Error('the fixture has no command step');

  const started = await client.call('runs.start', { runbookId: imported.runbookId, sectionId: section.id });
  const runId = started.run.id;
  const received: OutputChunk[] = [];
  let enough: () => void = () => undefined;
  const enoughSeen = new Promise<void>((resolve) => (enough = resolve));
  client.onEvent(({ event, payload }) => {
    if (event !== 'step.output') return;
    const chunk = payload as OutputChunk;
    if (chunk.runId !== runId) return;
    received.push(chunk);
    if (received.length >= CHUNKS_BEFORE_CRASH) enough();
  });
  const running = await client.call('steps.run', { runId, stepId: step.id, params: {} });
  const attemptId = latestAttempt(running, step.id).id;
  await withTimeout(enoughSeen, 20_000, () => `only ${received.length} output chunks arrived`);

  const hostPid = first.process.pid ?? 0;
  const stepGroups = childrenOf(hostPid).filter((pid) => commandLine(pid).includes(marker));
  expect(stepGroups).toHaveLength(1);
  orphanGroups.push(...stepGroups); // the step runs detached, in a group of its own: it is not killed with the host
  const exited = new Promise((resolve) => first.process.once('exit', resolve));
  process.kill(hostPid, 'SIGKILL');
  await exited; // reaped: a zombie would still answer kill(pid, 0) and look like a live owner
  const acknowledged = received.slice(); // what the client had seen before the crash, plus anything already in flight
  expect(acknowledged.length).toBeGreaterThanOrEqual(CHUNKS_BEFORE_CRASH);
  expect(groupAlive(stepGroups[0]!)).toBe(true); // the step outlived its host

  const second = await startApp(dataDir);
  apps.push(second);
  const again = await connect(second.origin, second.token);
  clients.push(again);

  const after = await again.call('runs.get', { runId });
  expect(after.run.status).toBe('interrupted');
  const attempt = latestAttempt(after, step.id);
  expect(attempt.id).toBe(attemptId);
  expect(attempt.status).toBe('interrupted');
  expect(after.steps.find((s) => s.stepId === step.id)?.status).toBe('interrupted');

  // The restart stopped what the crash left running, and says so in the step's output.
  for (let i = 0; i < 100 && groupAlive(stepGroups[0]!); i++) await new Promise((r) => setTimeout(r, 50));
  expect(groupAlive(stepGroups[0]!)).toBe(false);
  const all = await again.call('runs.output', { runId, attemptId });
  expect(all.at(-1)).toMatchObject({ stream: 'system', data: expect.stringMatching(/still running and were sent SIGTERM/) });
  const stored = all.filter((c) => c.stream !== 'system');
  // Recorded in order, numbered from 0 with no gaps; possibly more than was sent (stored, then the host died).
  expect(stored.map((c) => c.seq)).toEqual(stored.map((_, i) => i));
  expect(stored.length).toBeGreaterThanOrEqual(acknowledged.length);
  expect(acknowledged.map((c) => c.seq)).toEqual(acknowledged.map((_, i) => i));
  expect(stored.slice(0, acknowledged.length).map(({ seq, stream, data }) => ({ seq, stream, data }))).toEqual(
    acknowledged.map(({ seq, stream, data }) => ({ seq, stream, data })),
  );
  // What a user reads back: the script's lines from the first, none lost or repeated (the last may be cut short).
  const lines = stored.map((c) => c.data).join('').split('\n').slice(0, -1);
  expect(lines.length).toBeGreaterThanOrEqual(CHUNKS_BEFORE_CRASH);
  expect(lines).toEqual(lines.map((_, i) => `${marker} line ${i + 1}`));

  const library = await again.call('runbooks.list', {});
  expect(library.map((r) => r.id)).toContain(imported.runbookId);
  expect(library.find((r) => r.id === imported.runbookId)?.lastRun).toMatchObject({ id: runId, status: 'interrupted' });
  const listed = await again.call('runs.list', { runbookId: imported.runbookId });
  expect(listed.map((r) => [r.id, r.status])).toEqual([[runId, 'interrupted']]);
});

it('a run interrupted by a crash resumes: one run, both attempts, the carried session restored', async () => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-resume-'));
  const dataDir = join(tmp, 'data');
  const marker = `resume-test-${randomUUID()}`;
  const flag = join(tmp, 'go-on');
  const runbookPath = join(tmp, 'resume.md');
  writeFileSync(runbookPath, [
    '# Resume test', '', '## Deploy', '',
    '```bash', 'export DEPLOY_TAG=v42', '```', '',
    '```bash', `if [ -e ${flag} ]; then echo "deploying $DEPLOY_TAG"; else echo "${marker} waiting"; sleep 30; fi`, '```', '',
  ].join('\n'));

  const first = await startApp(dataDir);
  apps.push(first);
  const client = await connect(first.origin, first.token);
  clients.push(client);
  const imported = await client.call('runbooks.import', { path: runbookPath });
  const runbook = await client.call('runbooks.get', { id: imported.runbookId });
  const section = allSections(runbook.document.sections).find((s) => s.title === 'Deploy');
  const [tag, deploy] = section?.steps ?? [];
  if (!section || !tag || !deploy) throw new Error('the fixture has no steps');
  const runId = (await client.call('runs.start', { runbookId: imported.runbookId, sectionId: section.id })).run.id;
  const ended = async (c: WsClient, stepId: string, count: number): Promise<RunDetail> => {
    for (let i = 0; i < 400; i++) {
      const d = await c.call('runs.get', { runId });
      const st = d.steps.find((x) => x.stepId === stepId);
      if (st && st.attempts.length >= count && st.status !== 'running') return d;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('the step did not end');
  };
  // A wrong value for DEPLOY_TAG, should the importer ask for it: only the carried one may reach the step.
  const params = { DEPLOY_TAG: 'wrong' };
  await client.call('steps.run', { runId, stepId: tag.id, params });
  expect((await ended(client, tag.id, 1)).steps[0]!.status).toBe('succeeded');
  await client.call('steps.run', { runId, stepId: deploy.id, params });
  const { app: second, client: again } = await crashAndRestart(first, marker, dataDir);
  expect((await again.call('runs.get', { runId })).run.status).toBe('interrupted');
  await expect(again.call('runs.finish', { runId })).rejects.toMatchObject({ code: 'conflict' });
  const resumed = await again.call('runs.resume', { runId });
  expect(resumed.run.status).toBe('running');
  expect(resumed.steps.map((s) => s.status)).toEqual(['succeeded', 'pending']);
  expect(resumed.notes.at(-1)).toMatchObject({ kind: 'system', text: expect.stringMatching(/^Resumed by \S+ in the cockpit\.$/) });
  writeFileSync(flag, '');
  await again.call('steps.run', { runId, stepId: deploy.id, params });
  const done = await ended(again, deploy.id, 2);
  const attempts = done.steps[1]!.attempts;
  expect(attempts.map((a) => a.status)).toEqual(['interrupted', 'succeeded']);
  const out = (await again.call('runs.output', { runId, attemptId: attempts[1]!.id })).filter((c) => c.stream === 'stdout').map((c) => c.data).join('');
  expect(out).toBe('deploying v42\n');
  // The resumed run is this host's now: killed again mid-step, it reads interrupted again and resumes again.
  rmSync(flag);
  await again.call('steps.run', { runId, stepId: deploy.id, params });
  const { client: last } = await crashAndRestart(second, marker, dataDir);
  const twice = await last.call('runs.get', { runId });
  expect(twice.run.status).toBe('interrupted');
  expect(twice.steps[1]!.attempts.map((a) => a.status)).toEqual(['interrupted', 'succeeded', 'interrupted']);
  expect((await last.call('runs.resume', { runId })).run.status).toBe('running');
  writeFileSync(flag, '');
  await last.call('steps.run', { runId, stepId: deploy.id, params });
  expect((await ended(last, deploy.id, 4)).steps[1]!.status).toBe('succeeded');
  expect((await last.call('runs.finish', { runId })).run).toMatchObject({ status: 'completed', left: [] });
  expect((await last.call('runs.list', {})).filter((r) => r.id === runId)).toHaveLength(1);
});

/**
 * Once the step whose command line holds `marker` runs under `app`, kills the host with SIGKILL (the step's group,
 * detached, outlives it and is ended after the test) and starts a new host on the same data directory.
 */
async function crashAndRestart(app: RunningApp, marker: string, dataDir: string): Promise<{ app: RunningApp; client: WsClient }> {
  const pid = app.process.pid ?? 0;
  const steps = (): number[] => childrenOf(pid).filter((child) => commandLine(child).includes(marker));
  for (let i = 0; i < 200 && steps().length === 0; i++) await new Promise((r) => setTimeout(r, 25));
  orphanGroups.push(...steps());
  const exited = new Promise((resolve) => app.process.once('exit', resolve));
  process.kill(pid, 'SIGKILL');
  await exited;
  const next = await startApp(dataDir);
  apps.push(next);
  const client = await connect(next.origin, next.token);
  clients.push(client);
  return { app: next, client };
}

function latestAttempt(detail: RunDetail, stepId: string) {
  const attempt = detail.steps.find((s) => s.stepId === stepId)?.attempts.at(-1);
  if (!attempt) throw new Error(`step ${stepId} has no attempt`);
  return attempt;
}

async function withTimeout(promise: Promise<void>, ms: number, why: () => string): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${why()}`)), ms);
  });
  try {
    await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Direct children of `pid`, from /proc (Linux). */
function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1];
      if (ppid === String(pid)) children.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return children;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Ends a process group by its id; one that is already gone is fine. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}
