// A step fanned out over the hosts of a tag, through the whole host (contract, run service, pool, trust) against
// real sshd instances: two agree, one fails with other output, one is unreachable. Every host's result is right,
// recorded with where it ran, and the summary groups them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompt } from '../../../shared/contract/hosts.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import { summarizeFanout } from '../../../shared/ssh/fanout-summary.js';
import { createHost, type Host } from '../../../electron/host/host.js';
import { callerFor } from '../../../electron/host/cli-run.js';
import { fingerprintOf, makeClientKey, startSshd, type Sshd } from '../../helpers/sshd.js';

let dir: string;
let servers: Sshd[] = [];
let host: Host;
const accepted: Prompt[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-fanout-'));
  const key = join(dir, 'client', 'id_ed25519');
  const pub = await makeClientKey(key);
  servers = await Promise.all([0, 1, 2].map(() => startSshd({ authorizedKeys: [pub] })));
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  const call = callerFor(host);
  // The person at the keyboard: trusts the keys of our three servers, and nothing else.
  const ours = new Set(servers.map((s) => fingerprintOf(s.hostPublicKey)));
  host.subscribe((event, payload) => {
    if (event !== 'prompt.request') return;
    const p = payload as Prompt;
    const accept = p.kind === 'host-key' && ours.has(p.fingerprint);
    if (accept) accepted.push(p);
    void call('prompts.answer', { id: p.id, answer: p.kind === 'host-key' ? { kind: 'host-key', accept } : { kind: 'cancel' } });
  });
  const entry = (name: string, port: number) => ({ name, address: '127.0.0.1', port, user: servers[0]!.user, identityFile: key, identityAgent: null, jump: [], tags: ['web'], notes: '', forwardAgent: false });
  for (const [i, s] of servers.entries()) await call('hosts.save', entry(`web-${i + 1}`, s.port));
  await call('hosts.save', entry('web-dead', 1));
}, 60_000);

afterAll(async () => {
  await host?.close();
  await Promise.all(servers.map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe('fan-out over a tag', () => {
  it('gives every host its own right result and groups them', async () => {
    const call = callerFor(host);
    const failing = servers[2]!.port;
    const runbook = join(dir, 'fleet.md');
    writeFileSync(
      runbook,
      [
        '# Fleet',
        '',
        '## Compare the fleet',
        '',
        '```bash',
        '# Report the state',
        'port=$(echo "$SSH_CONNECTION" | cut -d" " -f4)',
        'echo "version 1.2"',
        `if [ "$port" = "${failing}" ]; then echo "disk 95%"; exit 3; fi`,
        'echo "disk 40%"',
        '```',
        '',
      ].join('\n'),
    );
    const imported = await call('runbooks.import', { path: runbook });
    const rb = await call('runbooks.get', { id: imported.runbookId });
    const section = rb.document.sections[0]!.sections[0]!;
    const step = section.steps[0]!;
    const run = await call('runs.start', { runbookId: imported.runbookId, sectionId: section.id });
    const runId = run.run.id;

    await call('steps.run', { runId, stepId: step.id, params: {}, target: { kind: 'tag', tag: 'web', concurrency: 2 } });
    let detail: RunDetail = await call('runs.get', { runId });
    for (let i = 0; i < 400 && (detail.steps[0]!.status === 'running' || detail.steps[0]!.attempts.length < 4); i++) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await call('runs.get', { runId });
    }
    const attempts = detail.steps[0]!.attempts;
    expect(detail.steps[0]!.status).toBe('failed');
    expect(new Set(attempts.map((a) => a.fanoutId)).size).toBe(1);
    const byHost = Object.fromEntries(attempts.map((a) => [a.host, a]));
    expect(Object.keys(byHost).sort()).toEqual(['web-1', 'web-2', 'web-3', 'web-dead']);
    expect(byHost['web-1']).toMatchObject({ status: 'succeeded', exitCode: 0, error: null });
    expect(byHost['web-2']).toMatchObject({ status: 'succeeded', exitCode: 0 });
    expect(byHost['web-3']).toMatchObject({ status: 'failed', exitCode: 3 });
    expect(byHost['web-dead']).toMatchObject({ status: 'failed', exitCode: null, error: expect.stringMatching(/ECONNREFUSED|refused/) });
    expect(byHost['web-1']!.endpoint).toEqual({
      host: 'web-1',
      address: '127.0.0.1',
      port: servers[0]!.port,
      user: servers[0]!.user,
      keyType: 'ssh-ed25519',
      fingerprint: fingerprintOf(servers[0]!.hostPublicKey),
    });
    expect(accepted).toHaveLength(3);

    const results = await Promise.all(
      attempts.map(async (a) => ({
        host: a.host ?? '',
        exitCode: a.exitCode,
        status: a.status,
        output: (await call('runs.output', { runId, attemptId: a.id })).filter((c) => c.stream !== 'system').map((c) => c.data).join(''),
      })),
    );
    const groups = summarizeFanout(results);
    expect(groups.map((g) => [g.hosts.sort(), g.exitCode, g.status])).toEqual([
      [['web-1', 'web-2'], 0, 'succeeded'],
      [['web-3'], 3, 'failed'],
      [['web-dead'], null, 'failed'],
    ]);
    expect(groups[0]!.output).toBe('version 1.2\ndisk 40%');
    expect(groups[1]!.diff).toContain('-disk 40%\n+disk 95%');

    // Accepted once, trusted from then on: a fresh start of Opsdeck (new connections) asks nothing.
    await host.close();
    host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
    const asked: unknown[] = [];
    host.subscribe((event, payload) => {
      if (event === 'prompt.request') asked.push(payload);
    });
    const again = callerFor(host);
    expect(await again('hosts.test', { name: 'web-2' })).toMatchObject({ ok: true, fingerprint: fingerprintOf(servers[1]!.hostPublicKey) });
    expect(asked).toEqual([]);
  }, 60_000);

  it('runs a section unattended on one host and records that host as the run\'s target', async () => {
    const call = callerFor(host);
    const runbook = join(dir, 'one.md');
    writeFileSync(runbook, '# One\n\n```bash\n# 1. Where am I\necho "on $(hostname)"\n\n# 2. And again\necho again\n```\n');
    const imported = await call('runbooks.import', { path: runbook });
    const rb = await call('runbooks.get', { id: imported.runbookId });
    const section = rb.document.sections[0]!;
    const started = await call('runs.runSection', { runbookId: imported.runbookId, sectionId: section.id, params: {}, target: { kind: 'host', host: 'web-2' } });
    expect(started.run).toMatchObject({ target: 'host:web-2', origin: 'cli' });
    let detail: RunDetail = started;
    for (let i = 0; i < 400 && detail.run.status === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      detail = await call('runs.get', { runId: started.run.id });
    }
    expect(detail.run.status).toBe('completed');
    expect(detail.steps.map((s) => [s.status, s.attempts[0]?.host])).toEqual([['succeeded', 'web-2'], ['succeeded', 'web-2']]);
    expect((await call('runs.list', {})).find((r) => r.id === started.run.id)?.target).toBe('host:web-2');
  }, 60_000);
});
