// The passphrase vault: values only ever on disk encrypted by the keychain; no keychain, no vault; a keychain that
// fails or never answers means nothing read or saved, never an error for the connection that asked.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeychainVault, NO_VAULT, type Keychain } from '../../../../electron/services/ssh/secret-vault.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function secretsFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'opsdeck-vault-'));
  dirs.push(dir);
  return join(dir, 'secrets.json');
}

/**
 * A stand-in for Electron's safeStorage (which needs a running Electron) that really encrypts: AES-256-GCM with one
 * key per "machine". `async`: answers with promises, as the utility process's proxy to main's keychain does.
 */
function fakeKeychain(options: { available?: boolean; async?: boolean; key?: Buffer } = {}): Keychain {
  const key = options.key ?? MACHINE_KEY;
  const answer = <T>(value: () => T): T | Promise<T> => (options.async ? Promise.resolve().then(value) : value());
  return {
    isEncryptionAvailable: () => answer(() => options.available ?? true),
    encryptString: (plain) =>
      answer(() => {
        const iv = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key, iv);
        const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
        return Buffer.concat([iv, cipher.getAuthTag(), body]);
      }),
    decryptString: (sealed) =>
      answer(() => {
        const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
        decipher.setAuthTag(sealed.subarray(12, 28));
        return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
      }),
  };
}
const MACHINE_KEY = randomBytes(32);

const KEY = 'passphrase:~/.ssh/id_ed25519';
const PASSPHRASE = 'correct horse battery staple';

describe.each([
  { keychain: 'synchronous (safeStorage in main)', async: false },
  { keychain: 'asynchronous (the utility process asking main)', async: true },
])('keychain vault, $keychain', ({ async }) => {
  it('keeps values encrypted on disk and reads them back, also after a restart', async () => {
    const file = secretsFile();
    const vault = await createKeychainVault(file, fakeKeychain({ async }));
    expect(vault.available).toBe(true);
    await vault.set(KEY, PASSPHRASE);
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk).not.toContain(PASSPHRASE);
    expect(onDisk).not.toContain(Buffer.from(PASSPHRASE).toString('base64'));
    expect(Object.keys(JSON.parse(onDisk) as object)).toEqual([KEY]);
    expect(await vault.get(KEY)).toBe(PASSPHRASE);

    const afterRestart = await createKeychainVault(file, fakeKeychain({ async }));
    expect(await afterRestart.get(KEY)).toBe(PASSPHRASE);
    await afterRestart.delete(KEY);
    expect(await vault.get(KEY)).toBeNull();
    expect(readFileSync(file, 'utf8')).toBe('{}');
  });

  it('keeps both of two values saved at the same time', async () => {
    const file = secretsFile();
    const vault = await createKeychainVault(file, fakeKeychain({ async }));
    await Promise.all([vault.set('passphrase:a', 'one'), vault.set('passphrase:b', 'two')]);
    expect([await vault.get('passphrase:a'), await vault.get('passphrase:b')]).toEqual(['one', 'two']);
  });

  it('is unavailable, and saves nothing, without an encrypting keychain', async () => {
    const file = secretsFile();
    const vault = await createKeychainVault(file, fakeKeychain({ async, available: false }));
    expect(vault).toBe(NO_VAULT);
    expect(vault.available).toBe(false);
    await vault.set('k', 'v');
    expect(await vault.get('k')).toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it('reads nothing it cannot decrypt (sealed on another machine), without an error', async () => {
    const file = secretsFile();
    await (await createKeychainVault(file, fakeKeychain({ async }))).set(KEY, PASSPHRASE);
    const elsewhere = await createKeychainVault(file, fakeKeychain({ async, key: randomBytes(32) }));
    expect(await elsewhere.get(KEY)).toBeNull();
  });
});

describe('keychain vault with a keychain that fails', () => {
  const failing = (overrides: Partial<Keychain>): Keychain => ({ ...fakeKeychain({ async: true }), ...overrides });
  const noAnswer = (): Promise<never> => Promise.reject(new Error('the OS keychain did not answer within 5 s'));

  it('is unavailable when the keychain does not say whether it can encrypt', async () => {
    expect(await createKeychainVault(secretsFile(), failing({ isEncryptionAvailable: noAnswer }))).toBe(NO_VAULT);
  });

  it('saves nothing, and does not fail the caller, when encrypting fails', async () => {
    const file = secretsFile();
    const vault = await createKeychainVault(file, failing({ encryptString: noAnswer }));
    expect(vault.available).toBe(true);
    await expect(vault.set(KEY, PASSPHRASE)).resolves.toBeUndefined();
    expect(existsSync(file)).toBe(false);
    expect(await vault.get(KEY)).toBeNull();
  });

  it('reads null, not an error, when decrypting fails', async () => {
    const file = secretsFile();
    await (await createKeychainVault(file, fakeKeychain())).set(KEY, PASSPHRASE);
    const vault = await createKeychainVault(file, failing({ decryptString: noAnswer }));
    await expect(vault.get(KEY)).resolves.toBeNull();
  });
});
