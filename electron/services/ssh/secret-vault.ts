/**
 * Where a key passphrase goes when the user asks Opsdeck to remember it: only into an encrypted store backed by the
 * OS keychain (Electron's safeStorage, provided by electron/main). Without one (web mode, the CLI) nothing is ever
 * saved, and prompts do not offer to.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Encrypts and decrypts with the OS keychain's key; electron/main passes safeStorage. */
export interface Keychain {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
}

export interface SecretVault {
  readonly available: boolean;
  get(key: string): string | null;
  set(key: string, value: string): void;
  delete(key: string): void;
}

export const NO_VAULT: SecretVault = { available: false, get: () => null, set: () => undefined, delete: () => undefined };

/** A JSON file of keychain-encrypted values (base64): never a secret in plain text, on disk or in SQLite. */
export function createKeychainVault(file: string, keychain: Keychain): SecretVault {
  if (!keychain.isEncryptionAvailable()) return NO_VAULT;
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
    get(key) {
      const sealed = read()[key];
      if (sealed === undefined) return null;
      try {
        return keychain.decryptString(Buffer.from(sealed, 'base64'));
      } catch {
        return null;
      }
    },
    set(key, value) {
      write({ ...read(), [key]: keychain.encryptString(value).toString('base64') });
    },
    delete(key) {
      const entries = read();
      if (!(key in entries)) return;
      delete entries[key];
      write(entries);
    },
  };
}
