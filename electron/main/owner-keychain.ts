/**
 * The OS keychain for the owner's utility process. Electron's safeStorage exists only in main, so the utility process
 * gets a Keychain that asks main over parentPort (createKeychainProxy), and main answers with safeStorage
 * (serveKeychain). No Electron import: both ends are tested against each other through in-memory ports.
 */
import type { Keychain } from '../services/ssh/secret-vault.js';
import { oneLine, readMainMessage, readOwnerProcessMessage, type KeychainOp, type KeychainRequest, type KeychainResult, type MainMessage, type OwnerProcessMessage } from './owner-protocol.js';

/**
 * How long the utility process waits for each answer from main. safeStorage answers in milliseconds; past this main
 * is taken for stuck and nothing is read or saved (the passphrase is asked for). Longer: a stuck main holds a
 * connection (or the host's start) longer; shorter: a keyring that first asks the user to unlock it is given up on.
 */
export const KEYCHAIN_TIMEOUT_MS = 5_000;

/** The utility process's end of parentPort (Electron's ParentPort; a test passes its own). */
export interface KeychainUtilityEnd {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: OwnerProcessMessage): void;
}

/** Main's end: the utility process as main sees it (Electron's UtilityProcess; a test passes its own). */
export interface KeychainMainEnd {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  postMessage(message: MainMessage): void;
}

/** A Keychain whose every call is a question to main; each rejects if main does not answer within `timeoutMs`. */
export function createKeychainProxy(port: KeychainUtilityEnd, timeoutMs = KEYCHAIN_TIMEOUT_MS): Keychain {
  let nextId = 0;
  const pending = new Map<number, (result: KeychainResult) => void>();
  port.on('message', (event) => {
    const message = readMainMessage(event.data);
    if (message?.kind !== 'keychain-result') return;
    // An answer after the wait was given up on finds nobody, and is dropped.
    pending.get(message.id)?.(message);
  });
  const ask = (op: KeychainOp, data: string): Promise<boolean | string> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the OS keychain did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      // A question in flight does not keep the process alive by itself.
      timer.unref();
      pending.set(id, (result) => {
        pending.delete(id);
        clearTimeout(timer);
        if (result.ok) resolve(result.value);
        else reject(new Error(result.message));
      });
      try {
        port.postMessage({ kind: 'keychain', id, op, data });
      } catch (error) {
        pending.delete(id);
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  const text = async (op: 'encrypt' | 'decrypt', data: string): Promise<string> => {
    const value = await ask(op, data);
    if (typeof value !== 'string') throw new Error(`the OS keychain gave no text to ${op}`);
    return value;
  };
  return {
    isEncryptionAvailable: async () => (await ask('available', '')) === true,
    encryptString: async (plain) => Buffer.from(await text('encrypt', plain), 'base64'),
    decryptString: (sealed) => text('decrypt', sealed.toString('base64')),
  };
}

/** Answers one question with `keychain` (safeStorage); without one, the keychain is unavailable. Never rejects. */
export async function answerKeychain(request: KeychainRequest, keychain: Keychain | undefined): Promise<KeychainResult> {
  const { id } = request;
  try {
    if (request.op === 'available') return { kind: 'keychain-result', id, ok: true, value: keychain ? (await keychain.isEncryptionAvailable()) === true : false };
    if (!keychain) throw new Error('there is no OS keychain');
    switch (request.op) {
      case 'encrypt':
        return { kind: 'keychain-result', id, ok: true, value: (await keychain.encryptString(request.data)).toString('base64') };
      case 'decrypt':
        return { kind: 'keychain-result', id, ok: true, value: await keychain.decryptString(Buffer.from(request.data, 'base64')) };
      default:
        return assertNever(request.op);
    }
  } catch (error) {
    return { kind: 'keychain-result', id, ok: false, message: oneLine(error) };
  }
}

/** Main's side: answers every keychain question the utility process sends, for as long as it runs. */
export function serveKeychain(child: KeychainMainEnd, keychain: Keychain | undefined): void {
  child.on('message', (raw) => {
    const request = readOwnerProcessMessage(raw);
    if (request?.kind !== 'keychain') return;
    void answerKeychain(request, keychain).then((result) => {
      try {
        child.postMessage(result);
      } catch {
        // Gone already: nobody is waiting.
      }
    });
  });
}

function assertNever(value: never): never {
  throw new Error(`unexpected keychain operation: ${String(value)}`);
}
