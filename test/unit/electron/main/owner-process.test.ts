/**
 * The owner's utility process (electron/main/owner-process.ts) with a real host on a temp data directory, its
 * parentPort replaced by a recording fake: what it tells main when it owns the data, when the data is busy or
 * unusable, and that it closes the host and frees the data when asked or when main is gone.
 */
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectToOwner } from '../../../../electron/host/owner-socket.js';
import { runOwnerProcess, type OwnerPort, type OwnerProcessDeps } from '../../../../electron/main/owner-process.js';
import { answerKeychain } from '../../../../electron/main/owner-keychain.js';
import { ownerProcessArgs, type KeychainRequest, type OwnerProcessMessage } from '../../../../electron/main/owner-protocol.js';
import type { Keychain } from '../../../../electron/services/ssh/secret-vault.js';
import { tryAcquireOwnership, type OwnerInfo, type OwnerLock } from '../../../../electron/services/store/owner-lock.js';
import { FakeSafeStorage } from './fake-electron.js';

let tmp: string;
let dataDir: string;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-owner-proc-'));
  dataDir = join(tmp, 'data');
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * parentPort as the utility process sees it: messages from main arrive as { data }. Questions to the keychain are
 * kept apart in `asked` and answered as main's owner-child.ts does, with `keychain` (none: unavailable), unless
 * `answersKeychain` is false (a main that never answers).
 */
class FakePort extends EventEmitter implements OwnerPort {
  readonly posted: OwnerProcessMessage[] = [];
  readonly asked: KeychainRequest[] = [];
  constructor(
    private readonly keychain: Keychain | undefined,
    private readonly answersKeychain: boolean,
  ) {
    super();
  }
  postMessage(message: OwnerProcessMessage): void {
    if (message.kind !== 'keychain') return void this.posted.push(message);
    this.asked.push(message);
    if (this.answersKeychain) void answerKeychain(message, this.keychain).then((result) => this.fromMain(result));
  }
  fromMain(data: unknown): void {
    this.emit('message', { data });
  }
}

function start(options: { argv?: string[]; mainAlive?: () => boolean; keychain?: Keychain; answersKeychain?: boolean; keychainTimeoutMs?: number } = {}) {
  const port = new FakePort(options.keychain, options.answersKeychain ?? true);
  const exit = vi.fn();
  const deps: OwnerProcessDeps = {
    exit,
    mainAlive: options.mainAlive ?? (() => true),
    log: () => undefined,
    ...(options.keychainTimeoutMs === undefined ? {} : { keychainTimeoutMs: options.keychainTimeoutMs }),
  };
  const argv = options.argv ?? ['/opt/Opsdeck/opsdeck', '--type=utility', ...ownerProcessArgs({ dataDir, version: '1.2.3', mainPid: process.pid })];
  const running = runOwnerProcess(port, argv, deps);
  // Whatever a test leaves open is closed, so the next test's temp directory can go.
  cleanups.push(async () => {
    await running;
    if (port.posted.some((m) => m.kind === 'ready') && !exit.mock.calls.length) {
      port.fromMain({ kind: 'close' });
      await vi.waitFor(() => expect(exit).toHaveBeenCalled(), { timeout: 10_000 });
    }
  });
  return { port, exit, running };
}

const ownerJson = (): OwnerInfo => JSON.parse(readFileSync(join(dataDir, 'owner.json'), 'utf8')) as OwnerInfo;

describe('the owner process', { timeout: 30_000 }, () => {
  it('owns the data as the desktop app and tells main its socket, where the contract answers', async () => {
    const { port, running } = start();
    await running;
    expect(port.posted).toEqual([{ kind: 'ready', socket: join(dataDir, 'owner.sock') }]);
    expect(ownerJson()).toMatchObject({ kind: 'desktop', pid: process.pid, version: '1.2.3', socket: join(dataDir, 'owner.sock') });

    const client = await connectToOwner(join(dataDir, 'owner.sock'), { client: 'desktop', acks: true });
    cleanups.push(() => client.close());
    const info = await client.dispatch('app.info', {});
    expect(info).toMatchObject({ ok: true, result: { version: '1.2.3', dataDir } });
  });

  it("asks main's keychain, while starting, whether it can remember passphrases", async () => {
    const { port, running } = start({ keychain: new FakeSafeStorage() });
    await running;
    expect(port.asked).toEqual([{ kind: 'keychain', id: expect.any(Number), op: 'available', data: '' }]);
    expect(port.posted).toEqual([{ kind: 'ready', socket: join(dataDir, 'owner.sock') }]);
  });

  it('starts all the same when main never answers its keychain question, once the wait is over', async () => {
    const { port, running } = start({ answersKeychain: false, keychainTimeoutMs: 50 });
    await running;
    expect(port.asked.map((m) => m.op)).toEqual(['available']);
    expect(port.posted).toEqual([{ kind: 'ready', socket: join(dataDir, 'owner.sock') }]);
  });

  it('closes the host when main asks, says so, exits 0 and frees the data for the next owner', async () => {
    const { port, exit, running } = start();
    await running;
    port.fromMain({ kind: 'close' });
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0), { timeout: 10_000 });
    expect(port.posted.map((m) => m.kind)).toEqual(['ready', 'closed']);
    expect(existsSync(join(dataDir, 'owner.json'))).toBe(false);
    const next = tryAcquireOwnership(dataDir, { kind: 'daemon', version: '1' });
    expect(next).not.toBeNull();
    next?.release();
  });

  it('says the data is busy, naming the owner, when a daemon holds it', async () => {
    const daemon: OwnerLock | null = tryAcquireOwnership(dataDir, { kind: 'daemon', version: '0.1.0' });
    cleanups.push(() => daemon?.release());
    const { port, running } = start();
    await running;
    expect(port.posted).toEqual([{ kind: 'busy', owner: expect.objectContaining({ kind: 'daemon', pid: process.pid }) }]);
    // The daemon is untouched.
    expect(ownerJson().kind).toBe('daemon');
  });

  it('says in one line, with no stack, why the data cannot be opened', async () => {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(dataDir, 'opsdeck.db'), 'this is not a SQLite file, and it is long enough to have a header. '.repeat(20));
    const { port, exit, running } = start();
    await running;
    expect(port.posted).toHaveLength(1);
    const [message] = port.posted;
    expect(message?.kind).toBe('failed');
    const text = message?.kind === 'failed' ? message.message : '';
    expect(text).toMatch(/not a database/);
    expect(text).not.toContain('\n');
    expect(text).not.toMatch(/\bat .*\.ts:\d+/);
    // It gives up: the lock is released and the process ends by itself should main not end it.
    expect(existsSync(join(dataDir, 'owner.json'))).toBe(false);
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(1), { timeout: 5_000 });
  });

  it('fails in one line when started without its data directory', async () => {
    const { port, running } = start({ argv: ['/opt/Opsdeck/opsdeck', '--type=utility'] });
    await running;
    expect(port.posted).toEqual([{ kind: 'failed', message: 'the owner process was started without its data directory' }]);
  });

  it('closes without serving when main asked it to close while it was starting', async () => {
    const { port, exit, running } = start();
    port.fromMain({ kind: 'close' });
    await running;
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0), { timeout: 10_000 });
    expect(port.posted).toEqual([{ kind: 'closed' }]);
    expect(existsSync(join(dataDir, 'owner.json'))).toBe(false);
  });

  it('closes the host and frees the data when main is gone (a crashed app leaves no owner behind)', async () => {
    let mainRuns = true;
    const { port, exit, running } = start({ mainAlive: () => mainRuns });
    await running;
    expect(port.posted.map((m) => m.kind)).toEqual(['ready']);
    mainRuns = false;
    await vi.waitFor(() => expect(exit).toHaveBeenCalledWith(0), { timeout: 6_000 });
    expect(existsSync(join(dataDir, 'owner.json'))).toBe(false);
  });
});
