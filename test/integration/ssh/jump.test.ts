/**
 * Jump hosts through two real sshd instances (bastion -> inner): every hop's host key is verified as that hop, the
 * inner connection rides a forwarded channel of the bastion's, and the hops live and die with the final connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshPool, SshError } from '../../../electron/services/ssh/connection-pool.js';
import type { HostKeyVerifier, ResolvedHost, SshPool } from '../../../electron/services/ssh/types.js';
import { fakePrompts, fakeVerifier, fingerprintOf, hostOn, makeClientKey, realTimers, startSshd, until, type Sshd } from '../../helpers/sshd.js';

let bastion: Sshd;
let inner: Sshd;
let home: string;
const pools: SshPool[] = [];

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'opsdeck-ssh-jump-'));
  const key = await makeClientKey(join(home, '.ssh/id_ed25519'));
  [bastion, inner] = await Promise.all([startSshd({ authorizedKeys: [key] }), startSshd({ authorizedKeys: [key], hostKeyType: 'ecdsa' })]);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.dispose()));
  await Promise.all([bastion?.stop(), inner?.stop()]);
  rmSync(home, { recursive: true, force: true });
});

function makePool(verifier: HostKeyVerifier): SshPool {
  const pool = createSshPool({
    verifier,
    prompts: fakePrompts(),
    agentSocket: null,
    readFile: (path) => readFile(path),
    home,
    clock: { now: () => Date.now() },
    timers: realTimers,
  });
  pools.push(pool);
  return pool;
}

const innerVia = (): ResolvedHost => hostOn(inner, { name: 'inner', jump: [hostOn(bastion, { name: 'bastion' })] });
const count = (sshd: Sshd, re: RegExp): number => sshd.log().split('\n').filter((l) => re.test(l)).length;

describe('jump hosts', () => {
  it('connects hop by hop, verifying each hop as itself, and runs on the last one', async () => {
    const trust = fakeVerifier([bastion.hostPublicKey, inner.hostPublicKey]);
    const pool = makePool(trust.verifier);
    const conn = await pool.connect(innerVia());

    expect(trust.seen).toEqual([
      { host: 'bastion', address: '127.0.0.1', port: bastion.port, fingerprint: fingerprintOf(bastion.hostPublicKey) },
      { host: 'inner', address: '127.0.0.1', port: inner.port, fingerprint: fingerprintOf(inner.hostPublicKey) },
    ]);
    expect(conn.endpoint).toMatchObject({ host: 'inner', port: inner.port, keyType: 'ecdsa-sha2-nistp256', fingerprint: fingerprintOf(inner.hostPublicKey) });

    let out = '';
    const exit = await conn.exec('echo "$SSH_CONNECTION"', { timeoutMs: 5000, onOutput: (_s, d) => (out += d) }).exited;
    expect(exit.exitCode).toBe(0);
    expect(out.trim().split(' ')[3]).toBe(String(inner.port)); // it ran on inner...
    expect(bastion.log()).toContain(`target 127.0.0.1 port ${inner.port}`); // ...through a channel forwarded by the bastion

    const bastionGone = count(bastion, /Received disconnect from 127\.0\.0\.1/);
    conn.close();
    await until('the bastion connection closed with the final one', () => count(bastion, /Received disconnect from 127\.0\.0\.1/) > bastionGone);
  });

  it('stops at the hop whose key is refused and closes the hops before it', async () => {
    const trust = fakeVerifier([bastion.hostPublicKey]);
    const pool = makePool(trust.verifier);
    const innerAuth = count(inner, /userauth-request/);
    const bastionGone = count(bastion, /Received disconnect from 127\.0\.0\.1|Disconnected from user|Connection (closed|reset) by/);

    const error = await pool.connect(innerVia()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshError);
    expect((error as SshError).kind).toBe('host-key');
    expect((error as SshError).message).toContain(`not connecting to inner (127.0.0.1:${inner.port}): the host key of inner changed`);
    expect(trust.seen.map((s) => s.host)).toEqual(['bastion', 'inner']);
    expect(count(inner, /userauth-request/)).toBe(innerAuth);
    await until('the bastion hop was closed', () => count(bastion, /Received disconnect from 127\.0\.0\.1|Disconnected from user|Connection (closed|reset) by/) > bastionGone);
  });
});
