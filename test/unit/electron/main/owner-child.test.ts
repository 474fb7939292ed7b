/**
 * Main's side of the owner process (electron/main/owner-child.ts) over a fake utilityProcess: what main makes of
 * each first word, that it answers the owner's questions to the OS keychain, and that stopping asks the owner to
 * close before it kills it. One test runs the real utility entry (owner-process.ts, a real host) at the other end
 * of the fake channel, so both ends agree.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron);

import { connectToOwner } from '../../../../electron/host/owner-socket.js';
import { forkOwnerProcess } from '../../../../electron/main/owner-child.js';
import { runOwnerProcess } from '../../../../electron/main/owner-process.js';
import { OwnerStartError } from '../../../../electron/main/owner-protocol.js';
import { fake, type FakeUtilityProcess } from './fake-electron.js';

let tmp: string;

beforeEach(() => {
  fake.reset();
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-child-'));
  writeFileSync(join(tmp, 'owner-process.cjs'), '// the bundle; the fake utilityProcess does not run it\n');
});

afterEach(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const options = () => ({ modulePath: join(tmp, 'owner-process.cjs'), dataDir: join(tmp, 'data'), version: '1.2.3' });

describe('forking the owner process', () => {
  it('runs the bundle with the data directory, version and its own pid, and hands over the socket it names', async () => {
    fake.onFork = (child) => child.say({ kind: 'ready', socket: '/data/owner.sock' });
    const outcome = await forkOwnerProcess(options());
    expect(outcome.kind).toBe('ready');
    const [child] = fake.forks as [FakeUtilityProcess];
    expect(child.modulePath).toBe(join(tmp, 'owner-process.cjs'));
    expect(child.args).toEqual([`--opsdeck-data-dir=${join(tmp, 'data')}`, '--opsdeck-version=1.2.3', `--opsdeck-main-pid=${process.pid}`]);
    expect(outcome.kind === 'ready' && outcome.child.socket).toBe('/data/owner.sock');
  });

  it('says to build when the bundle is missing (a dist/ from before), without forking', async () => {
    rmSync(join(tmp, 'owner-process.cjs'));
    await expect(forkOwnerProcess(options())).rejects.toThrow(`${join(tmp, 'owner-process.cjs')} is missing: run \`npm run build\`, then start Opsdeck again`);
    expect(fake.forks).toHaveLength(0);
  });

  it('rejects with the one line the owner sent, and ends the process', async () => {
    fake.onFork = (child) => child.say({ kind: 'failed', message: 'file is not a database' });
    const error = await forkOwnerProcess(options()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnerStartError);
    expect((error as Error).message).toBe('file is not a database');
    expect(fake.forks[0]?.kill).toHaveBeenCalled();
  });

  it('rejects, naming the exit code, when the process dies before saying anything', async () => {
    fake.onFork = (child) => child.exit(134);
    await expect(forkOwnerProcess(options())).rejects.toThrow('its owner process stopped while starting (exit code 134)');
  });

  it('passes on that the data is busy, with the owner, and ends the process', async () => {
    const owner = { pid: 7, pidStart: null, kind: 'cli', command: 'import', version: '1', startedAt: '2025-01-01T00:00:00Z' };
    fake.onFork = (child) => child.say({ kind: 'busy', owner });
    expect(await forkOwnerProcess(options())).toEqual({ kind: 'busy', owner });
    expect(fake.forks[0]?.kill).toHaveBeenCalled();
  });

  it('gives up on a process that never answers, and on quit during start-up', async () => {
    await expect(forkOwnerProcess({ ...options(), startTimeoutMs: 50 })).rejects.toThrow('did not start within');
    expect(fake.forks[0]?.kill).toHaveBeenCalled();

    const quit = new AbortController();
    const starting = forkOwnerProcess({ ...options(), signal: quit.signal });
    quit.abort();
    await expect(starting).rejects.toThrow('the app is quitting');
    expect(fake.forks[1]?.kill).toHaveBeenCalled();
  });
});

describe("the owner's questions to main's keychain", () => {
  it("are answered with main's safeStorage, while the owner starts and once it serves", async () => {
    fake.onFork = (child) => child.say({ kind: 'keychain', id: 0, op: 'available', data: '' });
    const starting = forkOwnerProcess({ ...options(), keychain: fake.safeStorage });
    await vi.waitFor(() => expect(fake.forks[0]?.sent).toEqual([{ kind: 'keychain-result', id: 0, ok: true, value: true }]));
    const [child] = fake.forks as [FakeUtilityProcess];
    child.say({ kind: 'ready', socket: '/data/owner.sock' });
    expect((await starting).kind).toBe('ready');

    child.say({ kind: 'keychain', id: 1, op: 'encrypt', data: 'correct horse' });
    await vi.waitFor(() => expect(child.sent).toHaveLength(2));
    const sealed = child.sent[1] as { ok: boolean; value: string };
    expect(sealed).toMatchObject({ kind: 'keychain-result', id: 1, ok: true });
    expect(Buffer.from(sealed.value, 'base64').toString()).not.toContain('correct horse');
    child.say({ kind: 'keychain', id: 2, op: 'decrypt', data: sealed.value });
    await vi.waitFor(() => expect(child.sent[2]).toEqual({ kind: 'keychain-result', id: 2, ok: true, value: 'correct horse' }));
    expect(fake.safeStorage.encrypted).toEqual(['correct horse']);
  });

  it('are told the keychain is unavailable when main has none, or safeStorage cannot encrypt', async () => {
    // Answers may come in any order: the owner matches them by id.
    const answers = (child: FakeUtilityProcess | undefined) => [...(child?.sent ?? [])].sort((a, b) => (a as { id: number }).id - (b as { id: number }).id);
    fake.onFork = (child) => {
      child.say({ kind: 'keychain', id: 0, op: 'available', data: '' });
      child.say({ kind: 'keychain', id: 1, op: 'encrypt', data: 'correct horse' });
      child.say({ kind: 'ready', socket: '/data/owner.sock' });
    };
    await forkOwnerProcess(options());
    await vi.waitFor(() => expect(fake.forks[0]?.sent).toHaveLength(2));
    expect(answers(fake.forks[0])).toEqual([
      { kind: 'keychain-result', id: 0, ok: true, value: false },
      { kind: 'keychain-result', id: 1, ok: false, message: 'there is no OS keychain' },
    ]);

    fake.safeStorage.available = false;
    await forkOwnerProcess({ ...options(), keychain: fake.safeStorage });
    await vi.waitFor(() => expect(fake.forks[1]?.sent).toHaveLength(2));
    expect(answers(fake.forks[1])).toEqual([
      { kind: 'keychain-result', id: 0, ok: true, value: false },
      { kind: 'keychain-result', id: 1, ok: false, message: expect.stringContaining('Encryption is not available') },
    ]);
    expect(fake.safeStorage.encrypted).toEqual([]);
  });
});

describe('stopping the owner process', () => {
  it('asks it to close and waits for it to exit, without killing it', async () => {
    fake.onFork = (child) => {
      child.on('main-message', (m: { kind?: string }) => {
        if (m.kind === 'close') setTimeout(() => child.exit(0), 20);
      });
      child.say({ kind: 'ready', socket: '/data/owner.sock' });
    };
    const outcome = await forkOwnerProcess(options());
    if (outcome.kind !== 'ready') throw new Error('not ready');
    await outcome.child.stop();
    const [child] = fake.forks as [FakeUtilityProcess];
    expect(child.sent).toEqual([{ kind: 'close' }]);
    expect(child.kill).not.toHaveBeenCalled();
    expect(outcome.child.hasExited).toBe(true);
  });

  it('kills an owner that does not close within the grace period', async () => {
    fake.onFork = (child) => child.say({ kind: 'ready', socket: '/data/owner.sock' });
    const outcome = await forkOwnerProcess(options());
    if (outcome.kind !== 'ready') throw new Error('not ready');
    const started = Date.now();
    await outcome.child.stop(100);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(fake.forks[0]?.kill).toHaveBeenCalledTimes(1);
    expect(await outcome.child.exited).toBe(143);
  });

  it('with the real owner at the other end: ready with a socket that answers, then closed, data freed', { timeout: 30_000 }, async () => {
    fake.onFork = (child) => {
      const port = {
        on: (_event: 'message', listener: (event: { data: unknown }) => void) => child.on('main-message', (data: unknown) => listener({ data })),
        postMessage: (message: unknown) => child.say(message),
      };
      void runOwnerProcess(port, child.args, { exit: (code) => child.exit(code), mainAlive: () => true, log: () => undefined });
    };
    const outcome = await forkOwnerProcess({ ...options(), keychain: fake.safeStorage });
    if (outcome.kind !== 'ready') throw new Error('not ready');
    const client = await connectToOwner(outcome.child.socket, { client: 'desktop', acks: true });
    expect(await client.dispatch('app.info', {})).toMatchObject({ ok: true, result: { version: '1.2.3' } });
    // While starting, the owner asked main's keychain whether it can remember passphrases, and was told so.
    expect(fake.forks[0]?.sent).toContainEqual({ kind: 'keychain-result', id: expect.any(Number), ok: true, value: true });

    await outcome.child.stop();
    expect(await outcome.child.exited).toBe(0);
    expect(fake.forks[0]?.kill).not.toHaveBeenCalled();
    await client.closed;
    expect(existsSync(join(tmp, 'data', 'owner.json'))).toBe(false);
  });
});
