/**
 * Logging in through the pool against a real OpenSSH sshd: key files (plain and passphrase-protected), a real
 * ssh-agent, what a refused login says, and a refused host key stopping the connection before any credential is sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshPool, SshError, type SshPoolDeps } from '../../../electron/services/ssh/connection-pool.js';
import type { SshConnection, SshPool } from '../../../electron/services/ssh/types.js';
import {
  fakePrompts, fakeVerifier, fingerprintOf, hostOn, makeClientKey, realTimers, startAgent, startSshd, until, type Sshd,
} from '../../helpers/sshd.js';

const PASSPHRASE = `correct horse 'battery' staple`;

let sshd: Sshd;
let home: string;
let agentKeyPub: string;
const agents: Array<{ socket: string; stop(): void }> = [];
const pools: SshPool[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'opsdeck-ssh-auth-'));
  const [plain, locked, agentKey] = await Promise.all([
    makeClientKey(join(home, '.ssh/id_plain')),
    makeClientKey(join(home, '.ssh/id_locked'), PASSPHRASE),
    makeClientKey(join(home, 'agent/id_agent')),
    makeClientKey(join(home, '.ssh/id_stranger')),
    makeClientKey(join(home, 'agent/id_stranger1')),
    makeClientKey(join(home, 'agent/id_stranger2')),
  ]);
  agentKeyPub = agentKey;
  sshd = await startSshd({ authorizedKeys: [plain, locked, agentKey] });
  agents.push(
    await startAgent(join(home, 'agent-good.sock'), [join(home, 'agent/id_agent')]),
    await startAgent(join(home, 'agent-strangers.sock'), [join(home, 'agent/id_stranger1'), join(home, 'agent/id_stranger2')]),
  );
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.dispose()));
  for (const a of agents) a.stop();
  await sshd?.stop();
  rmSync(home, { recursive: true, force: true });
});

function makePool(over: Partial<SshPoolDeps> = {}): { pool: SshPool; reads: string[] } & Pick<SshPoolDeps, 'prompts'> {
  const reads: string[] = [];
  const prompts = over.prompts ?? fakePrompts();
  const pool = createSshPool({
    verifier: fakeVerifier([sshd.hostPublicKey]).verifier,
    prompts,
    agentSocket: null,
    readFile: (path) => {
      reads.push(path);
      return readFile(path);
    },
    home,
    clock: { now: () => Date.now() },
    timers: realTimers,
    ...over,
  });
  pools.push(pool);
  return { pool, reads, prompts };
}

async function run(conn: SshConnection, command: string): Promise<{ stdout: string; stderr: string; exitCode: number | null }> {
  let stdout = '';
  let stderr = '';
  const { exitCode } = await conn.exec(command, {
    timeoutMs: 10_000,
    onOutput: (stream, data) => (stream === 'stdout' ? (stdout += data) : (stderr += data)),
  }).exited;
  return { stdout, stderr, exitCode };
}

const accepted = (): number => sshd.log().split('\n').filter((l) => l.startsWith('Accepted publickey')).length;

describe('ssh login', () => {
  it('logs in with a key file and runs a command: output, exit code and where it ran', async () => {
    const { pool } = makePool();
    const conn = await pool.connect(hostOn(sshd, { identityFile: '~/.ssh/id_plain' }));
    expect(conn.endpoint).toEqual({
      host: `test-${sshd.port}`,
      address: '127.0.0.1',
      port: sshd.port,
      user: sshd.user,
      keyType: 'ssh-ed25519',
      fingerprint: fingerprintOf(sshd.hostPublicKey),
    });
    expect(await run(conn, 'echo hi; echo err >&2; exit 3')).toEqual({ stdout: 'hi\n', stderr: 'err\n', exitCode: 3 });
  });

  it('asks for a passphrase again after a wrong one, and not at all when reconnecting', async () => {
    const prompts = fakePrompts({ passphrase: ['wrong', PASSPHRASE] });
    const { pool } = makePool({ prompts });
    const host = hostOn(sshd, { identityFile: '~/.ssh/id_locked' });
    const before = accepted();
    const first = await pool.connect(host);
    expect((await run(first, 'echo one')).stdout).toBe('one\n');
    first.close();
    const second = await pool.connect(host);
    expect(second).not.toBe(first);
    expect((await run(second, 'echo two')).stdout).toBe('two\n');
    expect(prompts.asked).toEqual([
      `passphrase ${host.name} ~/.ssh/id_locked`,
      `passphrase ${host.name} ~/.ssh/id_locked retry`,
    ]);
    await until('both logins are in the log', () => accepted() === before + 2);
  });

  it('says the key stayed locked when no passphrase is given', async () => {
    const { pool } = makePool();
    const error = await pool.connect(hostOn(sshd, { identityFile: '~/.ssh/id_locked' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).kind).toBe('auth');
    expect((error as SshError).message).toContain('the key ~/.ssh/id_locked stayed locked');
  });

  it('logs in with a key held by a real ssh-agent, before reading any key file', async () => {
    const { pool, reads } = makePool({ agentSocket: agents[0]?.socket ?? null });
    const conn = await pool.connect(hostOn(sshd, { identityAgent: null, identityFile: '~/.ssh/id_locked' }));
    expect((await run(conn, 'echo via-agent')).stdout).toBe('via-agent\n');
    expect(reads).toEqual([]); // the agent's key was enough: no passphrase prompt for the locked file
    await until('the agent key login is in the log', () => sshd.log().includes(`Accepted publickey for ${sshd.user} from 127.0.0.1`) && sshd.log().includes(fingerprintOf(agentKeyPub)));
  });

  it('forwards the agent only to a host that asks for it, and goes on without it where the server refuses', async () => {
    const { pool } = makePool({ agentSocket: agents[0]?.socket ?? null });
    const forwarded = await pool.connect(hostOn(sshd, { name: 'fwd', identityAgent: null, forwardAgent: true }));
    const listed = await run(forwarded, 'ssh-add -l');
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toContain(fingerprintOf(agentKeyPub));
    const plain = await pool.connect(hostOn(sshd, { name: 'plain', identityAgent: null }));
    expect((await run(plain, 'echo "[$SSH_AUTH_SOCK]"')).stdout).toBe('[]\n');

    const strict = await startSshd({ authorizedKeys: [agentKeyPub], extraConfig: 'AllowAgentForwarding no' });
    try {
      const own = makePool({ agentSocket: agents[0]?.socket ?? null, verifier: fakeVerifier([strict.hostPublicKey]).verifier }).pool;
      const conn = await own.connect(hostOn(strict, { identityAgent: null, forwardAgent: true }));
      const first = await run(conn, 'echo "[$SSH_AUTH_SOCK]"');
      expect(first).toMatchObject({ stdout: '[]\n', exitCode: 0 });
      expect(first.stderr).toMatch(/refused agent forwarding .*running without it/);
      expect(await run(conn, 'echo again')).toEqual({ stdout: 'again\n', stderr: '', exitCode: 0 }); // said once
    } finally {
      await strict.stop();
    }
  });

  it('names everything the server refused when no key fits, and asks for no password it does not accept', async () => {
    const prompts = fakePrompts({ password: ['never'] });
    const { pool } = makePool({ prompts, agentSocket: agents[1]?.socket ?? null });
    const error = await pool.connect(hostOn(sshd, { identityAgent: null, identityFile: '~/.ssh/id_stranger' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).kind).toBe('auth');
    expect((error as SshError).message).toBe(`the server refused the agent's 2 keys and the key ~/.ssh/id_stranger for ${sshd.user}@127.0.0.1:${sshd.port}`);
    expect(prompts.asked).toEqual([]);
  });

  it('shares one pending connect between callers who ask at once', async () => {
    const { pool } = makePool();
    const host = hostOn(sshd, { identityFile: '~/.ssh/id_plain' });
    const before = accepted();
    const [a, b, c] = await Promise.all([pool.connect(host), pool.connect(host), pool.connect({ ...host })]);
    expect(a).toBe(b);
    expect(a).toBe(c);
    await new Promise((r) => setTimeout(r, 100));
    expect(accepted()).toBe(before + 1);
  });

  it('refuses a host key the verifier rejects before any authentication request reaches the server', async () => {
    const { pool, reads } = makePool({ verifier: fakeVerifier([]).verifier, agentSocket: agents[0]?.socket ?? null });
    const mark = sshd.log().length;
    const error = await pool.connect(hostOn(sshd, { identityAgent: null, identityFile: '~/.ssh/id_plain' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).kind).toBe('host-key');
    expect((error as SshError).message).toBe(
      `not connecting to test-${sshd.port} (127.0.0.1:${sshd.port}): the host key of test-${sshd.port} changed (now ${fingerprintOf(sshd.hostPublicKey)})`,
    );
    expect(reads).toEqual([]);
    await until('sshd logged the end of that connection', () => /Connection (closed|reset) by 127\.0\.0\.1|Disconnected from 127\.0\.0\.1|Received disconnect from 127\.0\.0\.1/.test(sshd.log().slice(mark)));
    const log = sshd.log().slice(mark);
    expect(log).toMatch(/Connection from 127\.0\.0\.1 port \d+/);
    expect(log).not.toMatch(/userauth|Accepted|Failed|Postponed/);
  });
});
