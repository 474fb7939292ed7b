/**
 * The owner session (electron/main/owner-session.ts) between the IPC bridge and the owner, over real owner sockets:
 * calls wait for the first owner, events keep flowing after the owner is replaced, a lost owner is replaced once,
 * and quitting stops only the app's own owner.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectToOwner, type OwnerClient } from '../../../../electron/host/owner-socket.js';
import type { OwnerChild } from '../../../../electron/main/owner-child.js';
import type { OwnerConnection } from '../../../../electron/main/owner-connection.js';
import { OwnerStartError } from '../../../../electron/main/owner-protocol.js';
import { createOwnerSession, REPLACE_AGAIN_AFTER_MS, type OwnerSessionOptions } from '../../../../electron/main/owner-session.js';
import type { OwnerInfo } from '../../../../electron/services/store/owner-lock.js';
import { startFakeOwner, type FakeOwner } from './fake-owner.js';

let tmp: string;
const owners: FakeOwner[] = [];
let clock = 1_000_000;

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-session-'));
  clock = 1_000_000;
});

afterEach(async () => {
  await Promise.all(owners.splice(0).map((o) => (o.closed ? undefined : o.close())));
  rmSync(tmp, { recursive: true, force: true });
});

async function fakeOwner(name: string): Promise<FakeOwner> {
  const owner = await startFakeOwner(tmp, name);
  owners.push(owner);
  return owner;
}

const connect = (socket: string): Promise<OwnerClient> => connectToOwner(socket, { client: 'desktop', acks: true });

const daemonInfo: OwnerInfo = { pid: 4242, pidStart: null, kind: 'daemon', version: '0.1.0', startedAt: '2025-01-01T00:00:00Z' };

async function asClient(owner: FakeOwner): Promise<OwnerConnection> {
  return { via: 'client', owner: { ...daemonInfo, socket: owner.socket }, client: await connect(owner.socket) };
}

/** The app's own owner process, played by a fake owner: stop() closes it, as the real process's exit would. */
async function asForked(owner: FakeOwner): Promise<OwnerConnection & { via: 'forked'; exit: (code: number) => void }> {
  let exit!: (code: number) => void;
  let hasExited = false;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const child: OwnerChild = {
    socket: owner.socket,
    pid: 5151,
    exited,
    get hasExited() {
      return hasExited;
    },
    stop: vi.fn(async () => {
      await owner.close();
      hasExited = true;
      exit(0);
    }),
  };
  return { via: 'forked', child, client: await connect(owner.socket), exit: (code) => ((hasExited = true), exit(code)) };
}

function session(open: OwnerSessionOptions['open'], extra: Partial<OwnerSessionOptions> = {}) {
  const onGone = vi.fn();
  const onReconnected = vi.fn();
  const openSpy = vi.fn(open);
  const s = createOwnerSession({ open: openSpy, connect: vi.fn(connect), onGone, onReconnected, now: () => clock, ...extra });
  return { session: s, open: openSpy, onGone, onReconnected };
}

function nextFrom(...connections: Array<() => Promise<OwnerConnection>>): OwnerSessionOptions['open'] {
  const queue = [...connections];
  return async () => {
    const next = queue.shift();
    if (!next) throw new OwnerStartError('no more owners in this test');
    return next();
  };
}

describe('the owner session', () => {
  it('holds calls made before the owner answers, then sends them to it', async () => {
    const own = await fakeOwner('own');
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { session: s } = session(async () => {
      await gate;
      return asForked(own);
    });
    const starting = s.start();
    const early = s.host.dispatch('app.info', {}, { origin: 'ui' });
    release();
    await starting;
    expect(await early).toEqual({ ok: true, result: { answeredBy: 'own', method: 'app.info' } });
    await s.stop();
  });

  it("keeps the bridge's listener hearing events after a lost owner is replaced, and tells the app to reload", async () => {
    const first = await fakeOwner('first');
    const second = await fakeOwner('second');
    const { session: s, open, onReconnected, onGone } = session(nextFrom(() => asClient(first), () => asClient(second)));
    const heard: unknown[] = [];
    s.host.subscribe((event, payload) => heard.push([event, payload]));
    await s.start();

    first.emit('run.updated', { id: 'r1' });
    await vi.waitFor(() => expect(heard).toEqual([['run.updated', { id: 'r1' }]]));

    await first.close(); // the daemon stops
    await vi.waitFor(() => expect(onReconnected).toHaveBeenCalledTimes(1));
    expect(open).toHaveBeenCalledTimes(2);
    await vi.waitFor(() => expect(second.clients).toBe(1));
    second.emit('run.updated', { id: 'r2' });
    await vi.waitFor(() => expect(heard).toEqual([['run.updated', { id: 'r1' }], ['run.updated', { id: 'r2' }]]));
    expect(await s.host.dispatch('runs.list', {}, { origin: 'ui' })).toEqual({ ok: true, result: { answeredBy: 'second', method: 'runs.list' } });
    expect(onGone).not.toHaveBeenCalled();
    await s.stop();
  });

  it('reconnects to its own owner process when only the connection dropped, without forking again', async () => {
    const own = await fakeOwner('own');
    const connection = await asForked(own);
    const { session: s, open, onReconnected } = session(async () => connection);
    await s.start();
    await connection.client.close(); // as when the owner drops a client that fell too far behind
    // (After making sure, for a moment, that the process is not dying.)
    await vi.waitFor(() => expect(onReconnected).toHaveBeenCalledTimes(1), { timeout: 3_000 });
    expect(open).toHaveBeenCalledTimes(1);
    expect(connection.child.stop).not.toHaveBeenCalled();
    expect(await s.host.dispatch('app.info', {}, { origin: 'ui' })).toMatchObject({ ok: true, result: { answeredBy: 'own' } });
    await s.stop();
    expect(connection.child.stop).toHaveBeenCalledTimes(1);
  });

  it('starts a new owner process when the connection closed because the process died (its exit seen just after)', async () => {
    const dying = await fakeOwner('dying');
    const next = await fakeOwner('next');
    const first = await asForked(dying);
    const { session: s, open, onGone, onReconnected } = session(nextFrom(async () => first, () => asForked(next)));
    await s.start();
    // The socket goes first while the listener still accepts for a moment; the exit follows.
    await first.client.close();
    setTimeout(() => first.exit(137), 100);
    await vi.waitFor(() => expect(onReconnected).toHaveBeenCalledTimes(1), { timeout: 5_000 });
    expect(open).toHaveBeenCalledTimes(2);
    expect(await s.host.dispatch('app.info', {}, { origin: 'ui' })).toMatchObject({ ok: true, result: { answeredBy: 'next' } });
    expect(onGone).not.toHaveBeenCalled();
    await s.stop();
  });

  it('replaces a lost owner only once in a short while, then says so', async () => {
    const first = await fakeOwner('first');
    const second = await fakeOwner('second');
    const third = await fakeOwner('third');
    const processes: Array<Awaited<ReturnType<typeof asForked>>> = [];
    const forking = (owner: FakeOwner) => async () => {
      const connection = await asForked(owner);
      processes.push(connection);
      return connection;
    };
    const crash = async (owner: FakeOwner, index: number) => {
      await owner.close();
      processes[index]?.exit(139);
    };
    const { session: s, open, onGone } = session(nextFrom(forking(first), forking(second), forking(third)));
    await s.start();
    await crash(first, 0);
    await vi.waitFor(() => expect(open).toHaveBeenCalledTimes(2));
    await vi.waitFor(() => expect(second.clients).toBe(1));

    clock += REPLACE_AGAIN_AFTER_MS - 1;
    await crash(second, 1);
    await vi.waitFor(() => expect(onGone).toHaveBeenCalledTimes(1));
    expect(onGone.mock.calls[0]?.[0]).toBe("Opsdeck's process that holds your data stopped unexpectedly again within 30 s of being restarted.");
    expect(open).toHaveBeenCalledTimes(2);
    // Calls no longer wait for an owner that will not come.
    expect(await s.host.dispatch('app.info', {}, { origin: 'ui' })).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    await s.stop();
  });

  it('says which owner went away and why it could not be replaced', async () => {
    const daemon = await fakeOwner('daemon');
    const { session: s, onGone } = session(
      nextFrom(
        () => asClient(daemon),
        async () => {
          throw new OwnerStartError('file is not a database');
        },
      ),
    );
    await s.start();
    await daemon.close();
    await vi.waitFor(() => expect(onGone).toHaveBeenCalledTimes(1));
    expect(onGone.mock.calls[0]?.[0]).toBe('opsdeck daemon (pid 4242) stopped, and Opsdeck could not reach its data again: file is not a database.');
    await s.stop();
  });

  it('on quit, leaves a daemon running and only closes its own connection', async () => {
    const daemon = await fakeOwner('daemon');
    const { session: s, onGone, open } = session(() => asClient(daemon));
    await s.start();
    await vi.waitFor(() => expect(daemon.clients).toBe(1));
    await s.stop();
    await vi.waitFor(() => expect(daemon.clients).toBe(0));
    expect(daemon.closed).toBe(false);
    const other = await connect(daemon.socket);
    expect(await other.dispatch('app.info', {})).toMatchObject({ ok: true });
    await other.close();
    expect(onGone).not.toHaveBeenCalled();
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('on quit, stops its own owner process, and does not take that for a loss', async () => {
    const own = await fakeOwner('own');
    const connection = await asForked(own);
    const { session: s, onGone, open } = session(async () => connection);
    await s.start();
    await s.stop();
    expect(connection.child.stop).toHaveBeenCalledTimes(1);
    expect(own.closed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(onGone).not.toHaveBeenCalled();
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('on quit while still waiting for the data, answers waiting calls and stops an owner that arrives late', async () => {
    const own = await fakeOwner('own');
    const late = await asForked(own);
    let arrive!: () => void;
    const { session: s } = session(
      () =>
        new Promise<OwnerConnection>((resolve) => {
          arrive = () => resolve(late);
        }),
    );
    const starting = s.start();
    const waitingCall = s.host.dispatch('app.info', {}, { origin: 'ui' });
    const stopping = s.stop();
    expect(await waitingCall).toEqual({ ok: false, error: { code: 'unavailable', message: 'Opsdeck is closing' } });
    arrive();
    await stopping;
    await expect(starting).rejects.toThrow('the app is quitting');
    expect(late.child.stop).toHaveBeenCalledTimes(1);
  });
});
