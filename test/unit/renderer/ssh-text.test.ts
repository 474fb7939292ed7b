// SSH facts as operators know them from OpenSSH: key type names, fingerprints, and where an attempt ran.
import { describe, expect, it } from 'vitest';
import { describeRemote, keyTypeLabel, shortFingerprint } from '../../../renderer/components/ssh-text.js';
import { hostKeyQuestion, promptTitle, secretHint } from '../../../renderer/features/prompts/prompt-text.js';

const FP = 'SHA256:uNiVztksCsDhcc0u9e8BujQXVUpKZIDTMczCvj3tD2s';

describe('keyTypeLabel', () => {
  it('names key types the way ssh prints them', () => {
    expect(['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ssh-rsa', 'rsa-sha2-512', 'ssh-dss', 'sk-ssh-ed25519@openssh.com'].map(keyTypeLabel)).toEqual([
      'ED25519', 'ECDSA', 'RSA', 'RSA', 'DSA', 'ED25519',
    ]);
  });
});

describe('shortFingerprint / describeRemote', () => {
  it('keeps the SHA256 prefix and 12 characters', () => {
    expect(shortFingerprint(FP)).toBe('SHA256:uNiVztksCsDh…');
    expect(shortFingerprint('SHA256:abc')).toBe('SHA256:abc');
  });

  it('says host, user@address (port when not 22) and the key', () => {
    const endpoint = { host: 'web-1', address: '10.0.0.5', port: 22, user: 'deploy', keyType: 'ssh-ed25519', fingerprint: FP };
    expect(describeRemote('web-1', endpoint)).toBe('on web-1 (deploy@10.0.0.5, ED25519 SHA256:uNiVztksCsDh…)');
    expect(describeRemote('web-1', { ...endpoint, port: 2222 })).toBe('on web-1 (deploy@10.0.0.5:2222, ED25519 SHA256:uNiVztksCsDh…)');
    expect(describeRemote('web-1', null)).toBe('on web-1');
  });
});

describe('prompt text', () => {
  it('asks about an unknown host key as OpenSSH does, with the full fingerprint', () => {
    const prompt = { id: 'p', kind: 'host-key' as const, host: 'web-1', address: '10.0.0.5', port: 22, keyType: 'ssh-ed25519', fingerprint: FP };
    expect(hostKeyQuestion(prompt)).toBe(
      `The authenticity of host web-1 (10.0.0.5:22) can't be established. ED25519 key fingerprint is ${FP}.`,
    );
    expect(hostKeyQuestion({ ...prompt, host: '10.0.0.5' })).toContain('host 10.0.0.5:22 can');
  });

  it('says when a secret was wrong', () => {
    const passphrase = { id: 'p', kind: 'passphrase' as const, host: 'web-1', keyFile: '~/.ssh/id_ed25519', retry: false, canRemember: false };
    expect(secretHint(passphrase)).toContain('~/.ssh/id_ed25519');
    expect(secretHint({ ...passphrase, retry: true })).toBe('Wrong passphrase, try again.');
    const password = { id: 'p', kind: 'password' as const, host: 'web-1', user: 'deploy', retry: true };
    expect(secretHint(password)).toBe('Wrong password, try again.');
    expect(promptTitle(password)).toBe('Password for deploy@web-1');
  });
});
