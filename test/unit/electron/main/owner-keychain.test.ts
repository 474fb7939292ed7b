/**
 * Main's OS keychain as the owner's utility process uses it (electron/main/owner-keychain.ts): the utility
 * process's proxy and main's answers, connected by an in-memory port pair that carries plain data as parentPort
 * does (structured clone, asynchronous). No Electron: main's safeStorage is fake-electron.ts's, which really encrypts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createKeychainProxy, KEYCHAIN_TIMEOUT_MS, serveKeychain, type KeychainMainEnd, type KeychainUtilityEnd } from '../../../../electron/main/owner-keychain.js';
import type { MainMessage, OwnerProcessMessage } from '../../../../electron/main/owner-protocol.js';
import { createKeychainVault, NO_VAULT, type Keychain } from '../../../../electron/services/ssh/secret-vault.js';
import { FakeSafeStorage } from './fake-electron.js';

const dirs: string[] = [];
afterEach(() => {
  vi.useRealTimers();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/**
 * The two ends of parentPort: what one posts, the other hears on the next turn, as a copy. While `holding`, main's
 * answers wait in `held` until `release()` delivers them (in the order given).
 */
interface PortPair {
  utility: KeychainUtilityEnd;
  main: KeychainMainEnd;
  toMain: OwnerProcessMessage[];
  held: MainMessage[];
  holding: boolean;
  release(order?: MainMessage[]): void;
}

function portPair(): PortPair {
  const utilitySide = new EventEmitter();
  const mainSide = new EventEmitter();
  const toMain: OwnerProcessMessage[] = [];
  const held: MainMessage[] = [];
  const deliver = (message: MainMessage): void => {
    const copy = structuredClone(message);
    queueMicrotask(() => utilitySide.emit('message', { data: copy }));
  };
  const pair: PortPair = {
    toMain,
    held,
    holding: false,
    release: (order: MainMessage[] = held.splice(0)) => order.forEach(deliver),
    utility: {
      on: (_event, listener) => utilitySide.on('message', listener),
      postMessage: (message: OwnerProcessMessage) => {
        toMain.push(message);
        const copy = structuredClone(message);
        queueMicrotask(() => mainSide.emit('message', copy));
      },
    },
    main: {
      on: (_event, listener) => mainSide.on('message', listener),
      postMessage: (message: MainMessage) => (pair.holding ? void held.push(message) : deliver(message)),
    },
  };
  return pair;
}

function fakeSafeStorage(available = true): FakeSafeStorage {
  const safeStorage = new FakeSafeStorage();
  safeStorage.available = available;
  return safeStorage;
}

const PASSPHRASE = 'correct horse battery staple';

function connected(keychain: Keychain | undefined) {
  const pair = portPair();
  serveKeychain(pair.main, keychain);
  return { proxy: createKeychainProxy(pair.utility), toMain: pair.toMain };
}

describe("the utility process's keychain, served by main", () => {
  it('encrypts in main and decrypts back to the text; the sealed bytes are not the text', async () => {
    const safeStorage = fakeSafeStorage();
    const { proxy, toMain } = connected(safeStorage);
    expect(await proxy.isEncryptionAvailable()).toBe(true);
    const sealed = await proxy.encryptString(PASSPHRASE);
    expect(Buffer.isBuffer(sealed)).toBe(true);
    expect(sealed.toString('utf8')).not.toContain(PASSPHRASE);
    expect(await proxy.decryptString(sealed)).toBe(PASSPHRASE);
    // It was main's keychain that sealed it, and the questions went over the port as the protocol says.
    expect(safeStorage.encrypted).toEqual([PASSPHRASE]);
    expect(toMain).toEqual([
      { kind: 'keychain', id: expect.any(Number), op: 'available', data: '' },
      { kind: 'keychain', id: expect.any(Number), op: 'encrypt', data: PASSPHRASE },
      { kind: 'keychain', id: expect.any(Number), op: 'decrypt', data: sealed.toString('base64') },
    ]);
  });

  it('gives each of several questions in flight its own answer, whatever order main answers in', async () => {
    const pair = portPair();
    serveKeychain(pair.main, fakeSafeStorage());
    const proxy = createKeychainProxy(pair.utility);
    const texts = ['one', 'two', 'three'];
    const sealed = await Promise.all(texts.map((t) => proxy.encryptString(t)));
    pair.holding = true;
    const opened = Promise.all(sealed.map((s) => proxy.decryptString(s)));
    await vi.waitFor(() => expect(pair.held).toHaveLength(3));
    pair.release(pair.held.splice(0).reverse());
    expect(await opened).toEqual(texts);
  });

  it('says unavailable when main cannot encrypt, or has no keychain, and refuses to encrypt without one', async () => {
    expect(await connected(fakeSafeStorage(false)).proxy.isEncryptionAvailable()).toBe(false);
    const none = connected(undefined).proxy;
    expect(await none.isEncryptionAvailable()).toBe(false);
    await expect(none.encryptString(PASSPHRASE)).rejects.toThrow('there is no OS keychain');
  });

  it("passes main's keychain errors on as one line", async () => {
    const { proxy } = connected(fakeSafeStorage());
    await expect(proxy.decryptString(Buffer.from('not sealed by this keychain'))).rejects.toThrow(/^Error while decrypting the ciphertext/);
  });

  it('backs a vault whose file holds only what main sealed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-owner-keychain-'));
    dirs.push(dir);
    const file = join(dir, 'secrets.json');
    const vault = await createKeychainVault(file, connected(fakeSafeStorage()).proxy);
    expect(vault.available).toBe(true);
    await vault.set('passphrase:~/.ssh/id_ed25519', PASSPHRASE);
    expect(readFileSync(file, 'utf8')).not.toContain(PASSPHRASE);
    const afterRestart = await createKeychainVault(file, connected(fakeSafeStorage()).proxy);
    expect(await afterRestart.get('passphrase:~/.ssh/id_ed25519')).toBe(PASSPHRASE);
  });
});

describe('a main that never answers', () => {
  /** The utility end of a port whose other end hears nothing. */
  const silentMain = (): KeychainUtilityEnd & { asked: OwnerProcessMessage[] } => {
    const asked: OwnerProcessMessage[] = [];
    return { asked, on: () => undefined, postMessage: (message) => void asked.push(message) };
  };

  it('makes each question fail once the bound has passed, not before', async () => {
    vi.useFakeTimers();
    const proxy = createKeychainProxy(silentMain());
    let outcome: unknown = 'pending';
    void Promise.resolve(proxy.isEncryptionAvailable()).then(
      (value) => (outcome = value),
      (error: unknown) => (outcome = error),
    );
    await vi.advanceTimersByTimeAsync(KEYCHAIN_TIMEOUT_MS - 1);
    expect(outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).message).toBe('the OS keychain did not answer within 5 s');
  });

  it('gives no vault when it does not say whether it can encrypt', async () => {
    vi.useFakeTimers();
    const vault = createKeychainVault('/nonexistent/secrets.json', createKeychainProxy(silentMain()));
    await vi.advanceTimersByTimeAsync(KEYCHAIN_TIMEOUT_MS);
    expect(await vault).toBe(NO_VAULT);
  });

  it('once it stops answering, the vault reads null and saves nothing, instead of holding up the connection', async () => {
    vi.useFakeTimers();
    const dir = mkdtempSync(join(tmpdir(), 'opsdeck-owner-keychain-'));
    dirs.push(dir);
    const file = join(dir, 'secrets.json');
    const pair = portPair();
    serveKeychain(pair.main, fakeSafeStorage());
    const vault = await createKeychainVault(file, createKeychainProxy(pair.utility));
    await vault.set('passphrase:a', 'saved before');
    pair.holding = true;

    const saving = vault.set('passphrase:b', PASSPHRASE);
    const reading = vault.get('passphrase:a');
    await vi.advanceTimersByTimeAsync(KEYCHAIN_TIMEOUT_MS);
    await expect(saving).resolves.toBeUndefined();
    await expect(reading).resolves.toBeNull();
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toEqual(['passphrase:a']);

    // Main wakes up: its late answers are dropped (nothing saved after all), and the next question is answered.
    pair.holding = false;
    pair.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toEqual(['passphrase:a']);
    expect(await vault.get('passphrase:a')).toBe('saved before');
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });
});
