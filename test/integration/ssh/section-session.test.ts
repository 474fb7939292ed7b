// Section sessions on a host, over a real sshd through the whole host: variables, exports and cd carry from one
// step to the next on that host, for a user whose login shell is sh and for one whose login shell is bash; a
// failure inside a pipeline fails the step there too; each host of a fan-out keeps its own session.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompt } from '../../../shared/contract/hosts.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import { createHost, type Host } from '../../../electron/host/host.js';
import { callerFor } from '../../../electron/host/cli-run.js';
import { fingerprintOf, makeClientKey, startSshd, type Sshd } from '../../helpers/sshd.js';

let dir: string;
let servers: Sshd[] = [];
let host: Host;
let call: ReturnType<typeof callerFor>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-remote-session-'));
  const key = join(dir, 'client', 'id_ed25519');
  const pub = await makeClientKey(key);
  servers = await Promise.all([startSshd({ authorizedKeys: [pub] }), startSshd({ authorizedKeys: [pub], loginShell: 'bash' })]);
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  call = callerFor(host);
  const ours = new Set(servers.map((s) => fingerprintOf(s.hostPublicKey)));
  host.subscribe((event, payload) => {
    if (event !== 'prompt.request') return;
    const p = payload as Prompt;
    void call('prompts.answer', { id: p.id, answer: p.kind === 'host-key' ? { kind: 'host-key', accept: ours.has(p.fingerprint) } : { kind: 'cancel' } });
  });
  const names = ['sh-host', 'bash-host'];
  for (const [i, s] of servers.entries()) {
    await call('hosts.save', { name: names[i]!, address: '127.0.0.1', port: s.port, user: s.user, identityFile: key, identityAgent: null, jump: [], tags: ['pair'], notes: '', forwardAgent: false });
  }
}, 60_000);

afterAll(async () => {
  await host?.close();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function waitEnded(runId: string, stepId: string, attempts: number): Promise<RunDetail> {
  for (let i = 0; i < 400; i++) {
    const detail = await call('runs.get', { runId });
    const st = detail.steps.find((s) => s.stepId === stepId);
    if (st && st.status !== 'running' && st.attempts.length >= attempts && st.attempts.every((a) => a.status !== 'running')) return detail;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the step did not end');
}

const stdout = async (runId: string, attemptId: string): Promise<string> =>
  (await call('runs.output', { runId, attemptId })).filter((c) => c.stream === 'stdout').map((c) => c.data).join('');

describe('a section session on a host', () => {
  it('carries variables, exports and cd on each host, and fails a step on a failure inside a pipeline', async () => {
    const file = join(dir, 'remote.md');
    writeFileSync(file, [
      '# Remote', '', '## Steps', '',
      '```bash', 'mkdir -p /tmp/opsdeck-session-test && cd /tmp/opsdeck-session-test', 'RECOVERY_DATE=20260102', 'export STAGE=blue', '```', '',
      '```bash', 'echo "$(pwd) $RECOVERY_DATE $(sh -c \'echo $STAGE\')"', '```', '',
      '```bash', 'missing-tool --list | tail -1', 'echo never', '```', '',
    ].join('\n'));
    const report = await call('runbooks.import', { path: file });
    const rb = await call('runbooks.get', { id: report.runbookId });
    const section = rb.document.sections[0]!.sections[0]!;
    const [set, use, fail] = section.steps;
    const run = await call('runs.start', { runbookId: rb.id, sectionId: section.id });
    const runId = run.run.id;
    const target = { kind: 'tag' as const, tag: 'pair' };
    await call('steps.run', { runId, stepId: set!.id, params: {}, target });
    let detail = await waitEnded(runId, set!.id, 2);
    expect(detail.steps[0]!.attempts.map((a) => a.status)).toEqual(['succeeded', 'succeeded']);
    await call('steps.run', { runId, stepId: use!.id, params: {}, target });
    detail = await waitEnded(runId, use!.id, 2);
    for (const attempt of detail.steps[1]!.attempts) {
      expect(attempt.status).toBe('succeeded');
      expect(await stdout(runId, attempt.id)).toBe('/tmp/opsdeck-session-test 20260102 blue\n');
    }
    expect(detail.sessions.map((s) => s.where).sort()).toEqual(['host:bash-host', 'host:sh-host']);
    await call('steps.run', { runId, stepId: fail!.id, params: {}, target });
    detail = await waitEnded(runId, fail!.id, 2);
    for (const attempt of detail.steps[2]!.attempts) {
      expect(attempt).toMatchObject({ status: 'failed', exitCode: 127, failedCommand: { command: 'missing-tool --list', line: 1 } });
      expect(await stdout(runId, attempt.id)).toBe('');
    }
  });
});
