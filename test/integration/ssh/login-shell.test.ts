// Remote steps through the whole host on servers whose users log in with bash (the step runs in that shell, as
// `ssh host 'cmd'` would) or with dash (Opsdeck starts bash for it): the same bash step gives the same output and
// exit code on both, and Cancel ends it on both, checked on the server. Also: a pooled connection whose server
// stopped answering (the laptop slept, the link died) still shows the step as running at once, and Cancel ends it
// within seconds.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompt } from '../../../shared/contract/hosts.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import type { Section } from '../../../shared/model/runbook.js';
import { createHost, type Host } from '../../../electron/host/host.js';
import { callerFor, type Call } from '../../../electron/host/cli-run.js';
import { fingerprintOf, makeClientKey, remotePids, startSshd, until, type Sshd } from '../../helpers/sshd.js';

let dir: string;
let servers: Record<'bash' | 'sh', Sshd>;
let host: Host;
let call: Call;
let runbookId = '';
let sections: Section[] = [];
const SLEEP = `sleep 617.${process.pid}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-login-shell-'));
  const key = join(dir, 'client', 'id_ed25519');
  const pub = await makeClientKey(key);
  const [bash, sh] = await Promise.all([startSshd({ authorizedKeys: [pub], loginShell: 'bash' }), startSshd({ authorizedKeys: [pub], loginShell: 'sh' })]);
  servers = { bash, sh };
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  call = callerFor(host);
  const ours = new Set([bash, sh].map((s) => fingerprintOf(s.hostPublicKey)));
  host.subscribe((event, payload) => {
    if (event !== 'prompt.request') return;
    const p = payload as Prompt;
    void call('prompts.answer', { id: p.id, answer: p.kind === 'host-key' ? { kind: 'host-key', accept: ours.has(p.fingerprint) } : { kind: 'cancel' } });
  });
  for (const [name, s] of Object.entries(servers)) {
    await call('hosts.save', { name, address: '127.0.0.1', port: s.port, user: s.user, identityFile: key, identityAgent: 'none', jump: [], tags: [], notes: '', forwardAgent: false });
  }
  const file = join(dir, 'steps.md');
  writeFileSync(file, [
    '# Login shells', '',
    '## Bash things', '',
    '```bash',
    'arr=(one "two three")',
    'echo "${#arr[@]} ${arr[1]}"',
    '[[ "a b" == "a b" ]] && echo "it\'s [[ok]]"',
    'echo "$(set | grep -c ^OPSDECK_STEP=) wrapper variables visible"',
    'exit 3',
    '```', '',
    '## Wait', '',
    '```bash',
    SLEEP,
    '```', '',
  ].join('\n'));
  runbookId = (await call('runbooks.import', { path: file })).runbookId;
  sections = (await call('runbooks.get', { id: runbookId })).document.sections[0]!.sections;
}, 60_000);

afterAll(async () => {
  for (const s of Object.values(servers ?? {})) for (const pid of await remotePids(s.user, SLEEP)) process.kill(pid, 'SIGKILL');
  await host?.close();
  await Promise.all(Object.values(servers ?? {}).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

async function ended(runId: string): Promise<RunDetail> {
  let detail = await call('runs.get', { runId });
  for (let i = 0; i < 200 && detail.steps[0]!.attempts.some((a) => a.status === 'running'); i++) {
    await new Promise((r) => setTimeout(r, 25));
    detail = await call('runs.get', { runId });
  }
  return detail;
}

describe.each(['bash', 'sh'] as const)('a remote step for a user whose login shell is %s', (name) => {
  it('runs bash syntax with the right output and exit code', async () => {
    const section = sections[0]!;
    const runId = (await call('runs.start', { runbookId, sectionId: section.id })).run.id;
    await call('steps.run', { runId, stepId: section.steps[0]!.id, params: {}, target: { kind: 'host', host: name } });
    const attempt = (await ended(runId)).steps[0]!.attempts[0]!;
    expect(attempt).toMatchObject({ status: 'failed', exitCode: 3, host: name });
    const chunks = await call('runs.output', { runId, attemptId: attempt.id });
    const out = (stream: string): string => chunks.filter((c) => c.stream === stream).map((c) => c.data).join('');
    expect(out('stdout')).toBe("2 two three\nit's [[ok]]\n0 wrapper variables visible\n");
    expect(out('stderr')).toBe('');
  });

  it('Cancel ends it on the server', async () => {
    const section = sections[1]!;
    const runId = (await call('runs.start', { runbookId, sectionId: section.id })).run.id;
    const started = await call('steps.run', { runId, stepId: section.steps[0]!.id, params: {}, target: { kind: 'host', host: name } });
    const attemptId = started.steps[0]!.attempts[0]!.id;
    await until('the sleep runs on the server', async () => (await remotePids(servers[name].user, SLEEP)).length > 0);
    const detail = await call('steps.cancel', { runId, attemptId });
    expect(detail.steps[0]!.attempts[0]!.status).toBe('cancelled');
    expect(await remotePids(servers[name].user, SLEEP)).toEqual([]);
  });
});

describe('a warm connection whose server stopped answering', () => {
  /** Every sshd process serving `server`'s connections (the listener itself keeps running). */
  const serving = (server: Sshd): number[] => {
    const children = (pid: number): number[] => {
      try {
        return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    };
    return children(server.pid).flatMap((p) => [p, ...children(p)]);
  };

  /** Runs the exit-3 step on `host` and waits for its end: the pooled connection is warm after it. */
  const warmUp = async (host: string): Promise<void> => {
    const runId = (await call('runs.start', { runbookId, sectionId: sections[0]!.id })).run.id;
    await call('steps.run', { runId, stepId: sections[0]!.steps[0]!.id, params: {}, target: { kind: 'host', host } });
    expect((await ended(runId)).steps[0]!.attempts[0]).toMatchObject({ status: 'failed', exitCode: 3 });
  };

  it('Cancel ends the step within seconds by closing the connection, and the next step reconnects', async () => {
    await warmUp('sh');
    const section = sections[1]!;
    const runId = (await call('runs.start', { runbookId, sectionId: section.id })).run.id;
    const frozen = serving(servers.sh);
    expect(frozen.length).toBeGreaterThan(0);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      const started = await call('steps.run', { runId, stepId: section.steps[0]!.id, params: {}, target: { kind: 'host', host: 'sh' } });
      const attempt = started.steps[0]!.attempts[0]!;
      expect(attempt.status).toBe('running');
      const t = Date.now();
      const detail = await call('steps.cancel', { runId, attemptId: attempt.id });
      expect(Date.now() - t).toBeLessThan(10_000); // not the ~45 s keepalive would take
      expect(detail.steps[0]!.attempts[0]!.status).toBe('cancelled');
      const chunks = await call('runs.output', { runId, attemptId: attempt.id });
      expect(chunks.map((c) => c.data).join('')).toMatch(/sh did not answer for 3 s after the step was stopped; the connection was closed\. If the command had started there, check that it ended/);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    await warmUp('sh'); // a new connection
  }, 30_000);

  it('shows the step as running at once, and the step ends once the server answers again', async () => {
    const section = sections[0]!;
    const server = servers.bash;
    const runId = (await call('runs.start', { runbookId, sectionId: section.id })).run.id;
    await call('steps.run', { runId, stepId: section.steps[0]!.id, params: {}, target: { kind: 'host', host: 'bash' } });
    expect((await ended(runId)).steps[0]!.attempts[0]!.status).toBe('failed'); // exit 3: the connection is warm now
    const frozen = serving(server);
    expect(frozen.length).toBeGreaterThan(0);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      const t = Date.now();
      const started = await call('steps.run', { runId, stepId: section.steps[0]!.id, params: {}, target: { kind: 'host', host: 'bash' } });
      expect(Date.now() - t).toBeLessThan(2_000);
      expect(started.steps[0]!.attempts.map((a) => a.status)).toEqual(['failed', 'running']);
    } finally {
      for (const pid of frozen) process.kill(pid, 'SIGCONT');
    }
    const attempt = (await ended(runId)).steps[0]!.attempts[1]!;
    expect(attempt).toMatchObject({ status: 'failed', exitCode: 3 });
  });
});
