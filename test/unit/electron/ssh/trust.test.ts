import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintSha256 } from '../../../../electron/services/ssh/known-hosts.js';
import { createHostKeyVerifier, type HostKeyPromptRequest, type TrustStore } from '../../../../electron/services/ssh/trust.js';

const USER_KH = '/home/a/.ssh/known_hosts';
const GLOBAL_KH = '/etc/ssh/ssh_known_hosts';

let dir: string;
let keyA: Buffer;
let keyB: Buffer;
let keyEcdsa: Buffer;

function generate(name: string, type: string): Buffer {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-f', path]);
  return Buffer.from(readFileSync(`${path}.pub`, 'utf8').split(' ')[1] ?? '', 'base64');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-trust-'));
  keyA = generate('a', 'ed25519');
  keyB = generate('b', 'ed25519');
  keyEcdsa = generate('c', 'ecdsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function memoryStore(): TrustStore & { rows: Array<{ host: string; port: number; keyType: string; key: string; fingerprint: string }> } {
  const rows: Array<{ host: string; port: number; keyType: string; key: string; fingerprint: string }> = [];
  return {
    rows,
    find: (host, port) => rows.filter((r) => r.host === host && r.port === port).map(({ keyType, key, fingerprint }) => ({ keyType, key, fingerprint })),
    add: (host, port, keyType, key, fingerprint) => void rows.push({ host, port, keyType, key, fingerprint }),
    remove: (host, port) => {
      const before = rows.length;
      rows.splice(0, rows.length, ...rows.filter((r) => !(r.host === host && r.port === port)));
      return before - rows.length;
    },
  };
}

function setup(files: Record<string, string> = {}, answer = true) {
  const store = memoryStore();
  const prompts: HostKeyPromptRequest[] = [];
  const reads: string[] = [];
  const verifier = createHostKeyVerifier({
    knownHostsFiles: [USER_KH, GLOBAL_KH],
    readFile: async (path) => {
      reads.push(path);
      return files[path] ?? null;
    },
    store,
    prompt: async (p) => {
      prompts.push(p);
      return answer;
    },
  });
  return { store, prompts, reads, verifier, files };
}

const line = (hosts: string, key: Buffer, type = 'ssh-ed25519') => `${hosts} ${type} ${key.toString('base64')}`;
const target = (key: Buffer, over: Partial<{ host: string; address: string; port: number }> = {}) => ({
  host: 'web1',
  address: '10.0.0.5',
  port: 22,
  key,
  ...over,
});

describe('createHostKeyVerifier', () => {
  it('asks about an unknown key once: accepted keys are stored and trusted next time without asking', async () => {
    const { verifier, prompts, store } = setup();
    const first = await verifier.verify(target(keyA));
    expect(first).toEqual({ ok: true, keyType: 'ssh-ed25519', fingerprint: fingerprintSha256(keyA), source: 'accepted' });
    expect(prompts).toEqual([{ host: 'web1', address: '10.0.0.5', port: 22, keyType: 'ssh-ed25519', fingerprint: fingerprintSha256(keyA) }]);
    // Stored under the name and the address (as OpenSSH's CheckHostIP), so aliases of one server share it.
    expect(store.rows).toEqual([
      { host: 'web1', port: 22, keyType: 'ssh-ed25519', key: keyA.toString('base64'), fingerprint: fingerprintSha256(keyA) },
      { host: '10.0.0.5', port: 22, keyType: 'ssh-ed25519', key: keyA.toString('base64'), fingerprint: fingerprintSha256(keyA) },
    ]);

    const second = await verifier.verify(target(keyA));
    expect(second).toMatchObject({ ok: true, source: 'opsdeck' });
    const alias = await verifier.verify(target(keyA, { host: 'web1-alias' }));
    expect(alias).toMatchObject({ ok: true, source: 'opsdeck' });
    expect(prompts).toHaveLength(1);
  });

  it('refuses a declined key and stores nothing', async () => {
    const { verifier, prompts, store } = setup({}, false);
    const r = await verifier.verify(target(keyA));
    expect(r).toMatchObject({ ok: false, reason: 'refused' });
    expect(store.rows).toEqual([]);
    await verifier.verify(target(keyA));
    expect(prompts).toHaveLength(2);
  });

  it('trusts a key in known_hosts under the name or the address, including [host]:port, without asking', async () => {
    const { verifier, prompts, store } = setup({ [USER_KH]: `${line('10.0.0.5', keyA)}\n${line('[web2]:2222', keyB)}\n` });
    expect(await verifier.verify(target(keyA))).toMatchObject({ ok: true, source: 'known_hosts' });
    expect(await verifier.verify(target(keyB, { host: 'web2', address: 'web2.internal', port: 2222 }))).toMatchObject({ ok: true, source: 'known_hosts' });
    expect(prompts).toEqual([]);
    expect(store.rows).toEqual([]);
  });

  it('reads known_hosts fresh on every verify', async () => {
    const { verifier, prompts, reads, files } = setup({}, false);
    expect(await verifier.verify(target(keyA))).toMatchObject({ ok: false, reason: 'refused' });
    files[GLOBAL_KH] = line('web1', keyA);
    expect(await verifier.verify(target(keyA))).toMatchObject({ ok: true, source: 'known_hosts' });
    expect(prompts).toHaveLength(1);
    expect(reads).toEqual([USER_KH, GLOBAL_KH, USER_KH, GLOBAL_KH]);
  });

  it('reports a changed key without asking, naming both fingerprints and how to fix it', async () => {
    const { verifier, prompts } = setup({ [USER_KH]: `# first line\n${line('web1', keyA)}\n` });
    const r = await verifier.verify(target(keyB));
    expect(r).toMatchObject({ ok: false, reason: 'changed', fingerprint: fingerprintSha256(keyB) });
    if (r.ok) throw new Error('expected a refusal');
    expect(r.message).toContain(fingerprintSha256(keyA));
    expect(r.message).toContain(fingerprintSha256(keyB));
    expect(r.message).toContain(`remove line 2 from ${USER_KH}`);
    expect(prompts).toEqual([]);
  });

  it('reports a changed key against one accepted in Opsdeck, pointing at forget-key', async () => {
    const { verifier, prompts, store } = setup();
    store.add('web1', 22, 'ssh-ed25519', keyA.toString('base64'), fingerprintSha256(keyA));
    const r = await verifier.verify(target(keyB));
    if (r.ok) throw new Error('expected a refusal');
    expect(r.reason).toBe('changed');
    expect(r.message).toContain('opsdeck hosts forget-key web1');
    expect(r.message).toContain(fingerprintSha256(keyA));
    expect(prompts).toEqual([]);
    expect(store.rows).toHaveLength(1);
  });

  it('treats a host known only with keys of other types as changed', async () => {
    const { verifier, prompts } = setup({ [USER_KH]: line('web1', keyEcdsa, 'ecdsa-sha2-nistp256') });
    const r = await verifier.verify(target(keyA));
    expect(r).toMatchObject({ ok: false, reason: 'changed' });
    if (!r.ok) expect(r.message).toContain(fingerprintSha256(keyEcdsa));
    expect(prompts).toEqual([]);
  });

  it('accepts an exact match even when the host also lists another key', async () => {
    const { verifier } = setup({ [USER_KH]: `${line('web1', keyB)}\n${line('web1', keyA)}` });
    expect(await verifier.verify(target(keyA))).toMatchObject({ ok: true, source: 'known_hosts' });
  });

  it('refuses a @revoked key always, even one accepted in Opsdeck or listed as trusted', async () => {
    const files = { [GLOBAL_KH]: `@revoked * ${'ssh-ed25519'} ${keyA.toString('base64')}`, [USER_KH]: line('web1', keyA) };
    const { verifier, prompts, store } = setup(files);
    store.add('web1', 22, 'ssh-ed25519', keyA.toString('base64'), fingerprintSha256(keyA));
    const r = await verifier.verify(target(keyA));
    expect(r).toMatchObject({ ok: false, reason: 'revoked' });
    if (!r.ok) expect(r.message).toContain(`${GLOBAL_KH} line 1`);
    expect(prompts).toEqual([]);
  });

  it('does not let a @cert-authority line trust a plain host key: the host is unknown and the user is asked', async () => {
    const { verifier, prompts } = setup({ [USER_KH]: `@cert-authority *.example.com ${'ssh-ed25519'} ${keyA.toString('base64')}` });
    const r = await verifier.verify(target(keyA, { host: 'web1.example.com', address: 'web1.example.com' }));
    expect(r).toMatchObject({ ok: true, source: 'accepted' });
    expect(prompts).toHaveLength(1);
  });

  it('ignores entries for other ports and malformed known_hosts lines', async () => {
    const { verifier, prompts } = setup({ [USER_KH]: `garbage line\n${line('web1', keyB)}\n` });
    expect(await verifier.verify(target(keyA, { port: 2222 }))).toMatchObject({ ok: true, source: 'accepted' });
    expect(prompts).toHaveLength(1);
  });

  it('refuses when the prompt fails instead of throwing', async () => {
    const store = memoryStore();
    const verifier = createHostKeyVerifier({
      knownHostsFiles: [],
      readFile: async () => null,
      store,
      prompt: async () => {
        throw new Error('window closed');
      },
    });
    const r = await verifier.verify(target(keyA));
    expect(r).toMatchObject({ ok: false, reason: 'refused' });
    if (!r.ok) expect(r.message).toContain('window closed');
    expect(store.rows).toEqual([]);
  });
});
