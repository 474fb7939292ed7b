import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fingerprintSha256,
  formatKnownHostsLine,
  keyTypeOf,
  matchHost,
  parseKnownHosts,
  type KnownHostsProblem,
} from '../../../../electron/services/ssh/known-hosts.js';

let dir: string;
let ed25519: { b64: string; pubPath: string };
let ecdsa: { b64: string; pubPath: string };

function generate(name: string, type: string): { b64: string; pubPath: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', 'test', '-f', path]);
  const b64 = readFileSync(`${path}.pub`, 'utf8').split(' ')[1] ?? '';
  return { b64, pubPath: `${path}.pub` };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-kh-'));
  ed25519 = generate('ed', 'ed25519');
  ecdsa = generate('ec', 'ecdsa');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('fingerprints and key types', () => {
  it('prints the same SHA256 fingerprint as ssh-keygen -lf', () => {
    for (const key of [ed25519, ecdsa]) {
      const printed = execFileSync('ssh-keygen', ['-lf', key.pubPath], { encoding: 'utf8' }).split(' ')[1];
      expect(fingerprintSha256(Buffer.from(key.b64, 'base64'))).toBe(printed);
    }
  });

  it('reads the key type from inside the blob, and rejects what is not a key', () => {
    expect(keyTypeOf(Buffer.from(ed25519.b64, 'base64'))).toBe('ssh-ed25519');
    expect(keyTypeOf(Buffer.from(ecdsa.b64, 'base64'))).toBe('ecdsa-sha2-nistp256');
    expect(keyTypeOf(Buffer.from('hello'))).toBeNull();
    expect(keyTypeOf(Buffer.alloc(2))).toBeNull();
  });
});

describe('parseKnownHosts', () => {
  it('reads plain lines with line numbers, skipping comments and blanks, keeping comments', () => {
    const text = `# my hosts\n\nweb1,10.0.0.5 ssh-ed25519 ${ed25519.b64} admin@laptop\r\n  db ${'ecdsa-sha2-nistp256'} ${ecdsa.b64}\n`;
    const entries = parseKnownHosts(text, '/home/a/.ssh/known_hosts');
    expect(entries.map((e) => [e.line, e.hostField, e.keyType, e.comment, e.marker])).toEqual([
      [3, 'web1,10.0.0.5', 'ssh-ed25519', 'admin@laptop', null],
      [4, 'db', 'ecdsa-sha2-nistp256', '', null],
    ]);
    expect(entries[0]?.source).toBe('/home/a/.ssh/known_hosts');
    expect(entries[0]?.keyBlob.equals(Buffer.from(ed25519.b64, 'base64'))).toBe(true);
  });

  it('skips malformed lines without throwing, and says why', () => {
    const problems: KnownHostsProblem[] = [];
    const text = [
      'onlyhost',
      `@weird host ssh-ed25519 ${ed25519.b64}`,
      'host ssh-ed25519 not*base64',
      `host ssh-rsa ${ed25519.b64}`,
      'host 2048 65537 12345',
      `|1|abc|def ssh-ed25519 ${ed25519.b64}`,
      'host ssh-ed25519 aGVsbG8=',
      `good ssh-ed25519 ${ed25519.b64}`,
    ].join('\n');
    const entries = parseKnownHosts(text, 'kh', problems);
    expect(entries.map((e) => e.hostField)).toEqual(['good']);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(problems[1]?.message).toContain('@weird');
    expect(problems[3]?.message).toContain('ssh-ed25519');
    expect(() => parseKnownHosts('\u0000\u0001 \t garbage', 'x')).not.toThrow();
  });

  it('reads @revoked and @cert-authority markers', () => {
    const text = `@revoked * ssh-ed25519 ${ed25519.b64}\n@cert-authority *.example.com ecdsa-sha2-nistp256 ${ecdsa.b64}`;
    expect(parseKnownHosts(text, 'kh').map((e) => e.marker)).toEqual(['revoked', 'cert-authority']);
  });
});

describe('matchHost', () => {
  const entry = (hostField: string) => {
    const [e] = parseKnownHosts(`${hostField} ssh-ed25519 ${ed25519.b64}`, 'kh');
    if (!e) throw new Error(`did not parse ${hostField}`);
    return e;
  };

  it('matches names in a list, case-insensitively, on port 22 only', () => {
    const e = entry('web1,10.0.0.5');
    expect(matchHost(e, 'web1', 22)).toBe(true);
    expect(matchHost(e, 'WEB1', 22)).toBe(true);
    expect(matchHost(e, '10.0.0.5', 22)).toBe(true);
    expect(matchHost(e, 'web2', 22)).toBe(false);
    expect(matchHost(e, 'web1', 2222)).toBe(false);
  });

  it('applies * and ? wildcards and ! negation (a negated match wins)', () => {
    const e = entry('*.example.com,!bastion.example.com,db?');
    expect(matchHost(e, 'web.example.com', 22)).toBe(true);
    expect(matchHost(e, 'bastion.example.com', 22)).toBe(false);
    expect(matchHost(e, 'example.com', 22)).toBe(false);
    expect(matchHost(e, 'db1', 22)).toBe(true);
    expect(matchHost(e, 'db12', 22)).toBe(false);
    expect(matchHost(e, 'db', 22)).toBe(false);
    expect(matchHost(entry('!web1'), 'web2', 22)).toBe(false);
  });

  it('matches [host]:port entries only on that port', () => {
    const e = entry('[git.example.com]:2222,[10.0.0.9]:2222');
    expect(matchHost(e, 'git.example.com', 2222)).toBe(true);
    expect(matchHost(e, '10.0.0.9', 2222)).toBe(true);
    expect(matchHost(e, 'git.example.com', 22)).toBe(false);
    expect(matchHost(e, 'git.example.com', 2223)).toBe(false);
    expect(matchHost(entry('[*.example.com]:*'), 'a.example.com', 8022)).toBe(true);
  });

  it('matches lines hashed by ssh-keygen -H, for port 22 and [host]:port', () => {
    const file = join(dir, 'known_hosts_hashed');
    writeFileSync(file, `example.com ssh-ed25519 ${ed25519.b64}\n[example.com]:2222 ssh-ed25519 ${ed25519.b64}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', file], { stdio: 'ignore' });
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('example.com');
    const [plain, ported] = parseKnownHosts(text, file);
    expect(plain?.hosts.kind).toBe('hashed');
    expect(plain && matchHost(plain, 'example.com', 22)).toBe(true);
    expect(plain && matchHost(plain, 'Example.COM', 22)).toBe(true);
    expect(plain && matchHost(plain, 'example.org', 22)).toBe(false);
    expect(plain && matchHost(plain, 'example.com', 2222)).toBe(false);
    expect(ported && matchHost(ported, 'example.com', 2222)).toBe(true);
    expect(ported && matchHost(ported, 'example.com', 22)).toBe(false);
  });
});

describe('formatKnownHostsLine', () => {
  it('writes lines ssh-keygen can find, with [host]:port off port 22', () => {
    const file = join(dir, 'known_hosts_formatted');
    writeFileSync(file, `${formatKnownHostsLine('Web1.example.com', 22, 'ssh-ed25519', ed25519.b64)}\n${formatKnownHostsLine('10.0.0.9', 2222, 'ssh-ed25519', ed25519.b64)}\n`);
    expect(readFileSync(file, 'utf8').split('\n')[1]).toBe(`[10.0.0.9]:2222 ssh-ed25519 ${ed25519.b64}`);
    expect(execFileSync('ssh-keygen', ['-F', 'web1.example.com', '-f', file], { encoding: 'utf8' })).toContain('ssh-ed25519');
    expect(execFileSync('ssh-keygen', ['-F', '[10.0.0.9]:2222', '-f', file], { encoding: 'utf8' })).toContain('ssh-ed25519');
  });

  it('refuses to write a broken line', () => {
    expect(() => formatKnownHostsLine('a b', 22, 'ssh-ed25519', ed25519.b64)).toThrow();
    expect(() => formatKnownHostsLine('a,b', 22, 'ssh-ed25519', ed25519.b64)).toThrow();
    expect(() => formatKnownHostsLine('a', 0, 'ssh-ed25519', ed25519.b64)).toThrow();
    expect(() => formatKnownHostsLine('a', 22, 'ssh-ed25519', 'not base64!')).toThrow();
  });
});
