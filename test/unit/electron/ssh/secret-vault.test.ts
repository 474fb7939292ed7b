// The passphrase vault: values only ever on disk encrypted by the keychain; no keychain, no vault.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeychainVault, type Keychain } from '../../../../electron/services/ssh/secret-vault.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A stand-in for Electron's safeStorage (which needs a running Electron): XOR with a key, reversible, not plain. */
function fakeKeychain(available = true): Keychain {
  const mask = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0x5a));
  return {
    isEncryptionAvailable: () => available,
    encryptString: (plain) => mask(Buffer.from(plain, 'utf8')),
    decryptString: (sealed) => mask(sealed).toString('utf8'),
  };
}

describe('keychain vault', () => {
  it('keeps values encrypted on disk and reads them back', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-vault-'));
    dirs.push(dir);
    const file = join(dir, 'secrets.json');
    const vault = createKeychainVault(file, fakeKeychain());
    expect(vault.available).toBe(true);
    vault.set('passphrase:~/.ssh/id_ed25519', 'correct horse');
    expect(readFileSync(file, 'utf8')).not.toContain('correct horse');
    expect(createKeychainVault(file, fakeKeychain()).get('passphrase:~/.ssh/id_ed25519')).toBe('correct horse');
    vault.delete('passphrase:~/.ssh/id_ed25519');
    expect(vault.get('passphrase:~/.ssh/id_ed25519')).toBeNull();
  });

  it('is unavailable, and saves nothing, without an encrypting keychain', () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-vault-'));
    dirs.push(dir);
    const vault = createKeychainVault(join(dir, 'secrets.json'), fakeKeychain(false));
    expect(vault.available).toBe(false);
    vault.set('k', 'v');
    expect(vault.get('k')).toBeNull();
  });
});
