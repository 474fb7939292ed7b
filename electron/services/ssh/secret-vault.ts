/**
 * Where a key passphrase goes when the user asks Opsdeck to remember it: only into an encrypted store backed by the
 * OS keychain (Electron's safeStorage, provided by electron/main). Without one (web mode, the CLI) nothing is ever
 * saved, and prompts do not offer to.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * Encrypts and decrypts with the OS keychain's key. Main passes safeStorage (synchronous); the desktop app's utility
 * process passes a proxy that asks main over parentPort (electron/main/owner-keychain.ts), hence the promises.
 */
export interface Keychain {
  isEncryptionAvailable(): boolean | Promise<boolean>;
  encryptString(plain: string): Buffer | Promise<Buffer>;
  decryptString(encrypted: Buffer): string | Promise<string>;
}

/**
 * None of these rejects: a keychain that fails or does not answer means nothing is read (null) or saved, and the
 * connection goes on with the passphrase typed now.
 */
export interface SecretVault {
  readonly available: boolean;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

export const NO_VAULT: SecretVault = {
  available: false,
  get: () => Promise.resolve(null),
  set: () => Promise.resolve(),
  delete: () => Promise.resolve(),
};

/**
 * A JSON file of keychain-encrypted values (base64): never a secret in plain text, on disk or in SQLite. NO_VAULT
 * when the keychain cannot encrypt, or does not say whether it can.
 */
export async function createKeychainVault(file: string, keychain: Keychain): Promise<SecretVault> {
  try {
    if (!(await keychain.isEncryptionAvailable())) return NO_VAULT;
  } catch {
    return NO_VAULT;
  }
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const write = (entries: Record<string, string>): void => {
    // Written whole to a temp file and renamed: a crash never leaves half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify(entries), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  return {
    available: true,
    async get(key) {
      const sealed = read()[key];
      if (sealed === undefined) return null;
      try {
        return await keychain.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        return null;
      }
    },
    async set(key, value) {
      try {
        const sealed = (await keychain.encryptString(value)).toString('base64');
        // Read after the wait, then written at once: two saves at the same time both land.
        write({ ...read(), [key]: sealed });
      } catch {
        // Not saved: asked for again next time.
      }
    },
    delete(key) {
      try {
        const entries = read();
        if (key in entries) {
          delete entries[key];
          write(entries);
        }
      } catch {
        // Left in place: refused again next time, and deleted then.
      }
      return Promise.resolve();
    },
  };
}
