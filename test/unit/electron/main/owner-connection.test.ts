/**
 * Whether the desktop app joins the owner already running on the data directory or starts its own, decided from
 * real owner.json files and real owner sockets (a fake host behind electron/host/owner-socket.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { connectToOwner, type OwnerClient } from '../../../../electron/host/owner-socket.js';
import type { ForkOutcome, OwnerChild } from '../../../../electron/main/owner-child.js';
import { openOwner, type OpenOwnerOptions, type OwnerConnection } from '../../../../electron/main/owner-connection.js';
import { OwnerStartError } from '../../../../electron/main/owner-protocol.js';
import { readOwner } from '../../../../electron/services/store/owner-lock.js';
import { startFakeOwner, writeOwnerJson, type FakeOwner } from './fake-owner.js';

let tmp: string;
let dataDir: string;
const owners: FakeOwner[] = [];
const connections: OwnerConnection[] = [];

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-conn-'));
  dataDir = join(tmp, 'data');
});

afterEach(async () => {
  await Promise.all(connections.splice(0).map((c) => c.client.close()));
  await Promise.all(owners.splice(0).map((o) => o.close()));
  rmSync(tmp, { recursive: true, force: true });
});

async function fakeOwner(name: string): Promise<FakeOwner> {
  const owner = await startFakeOwner(tmp, name);
  owners.push(owner);
  return owner;
}

/** A fork that "starts" the app's own owner: a fake owner socket, as owner-process.ts would serve. */
function forkingTo(own: () => Promise<FakeOwner>) {
  const stop = vi.fn(async () => undefined);
  const fork = vi.fn(async (): Promise<ForkOutcome> => {
    const owner = await own();
    const child: OwnerChild = { socket: owner.socket, pid: 4242, exited: new Promise(() => undefined), hasExited: false, stop };
    return { kind: 'ready', child };
  });
  return { fork, stop };
}

function open(overrides: Partial<OpenOwnerOptions> & Pick<OpenOwnerOptions, 'fork'>): Promise<OwnerConnection> {
  return openOwner({
    dataDir,
    readOwner,
    connect: (socket) => connectToOwner(socket, { client: 'desktop', acks: true }),
    signal: new AbortController().signal,
    ...overrides,
  }).then((connection) => {
    connections.push(connection);
    return connection;
  });
}

async function ask(client: OwnerClient): Promise<unknown> {
  const answer = await client.dispatch('app.info', {});
  return answer.ok ? answer.result : answer.error;
}

describe('opening the data for the desktop app', () => {
  it.each(['daemon', 'serve'] as const)('joins a running %s as a client instead of starting its own owner', async (kind) => {
    const remote = await fakeOwner(kind);
    writeOwnerJson(dataDir, kind, { socket: remote.socket });
    const { fork } = forkingTo(() => fakeOwner('own'));

    const connection = await open({ fork });

    expect(connection.via).toBe('client');
    expect(fork).not.toHaveBeenCalled();
    expect(await ask(connection.client)).toEqual({ answeredBy: kind, method: 'app.info' });
    // The owner sees the window's calls as the UI's, as it would from the app's own bridge.
    expect(remote.calls[0]?.ctx).toEqual({ origin: 'ui' });
  });

  it('starts its own owner when nobody owns the data, and talks to it', async () => {
    const { fork } = forkingTo(() => fakeOwner('own'));
    const connection = await open({ fork });
    expect(connection.via).toBe('forked');
    expect(fork).toHaveBeenCalledTimes(1);
    expect(await ask(connection.client)).toEqual({ answeredBy: 'own', method: 'app.info' });
  });

  it('starts its own owner when owner.json names a daemon that died (kill -9 leaves the file behind)', async () => {
    const dead = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await new Promise((resolve) => dead.once('spawn', resolve));
    writeOwnerJson(dataDir, 'daemon', { pid: dead.pid ?? 0, socket: join(tmp, 'gone.sock') });
    dead.kill('SIGKILL');
    await new Promise((resolve) => dead.once('exit', resolve));

    const { fork } = forkingTo(() => fakeOwner('own'));
    const connection = await open({ fork });
    expect(connection.via).toBe('forked');
  });

  it('waits for a CLI command that owns the data, without forking, and starts its own owner when it is done', async () => {
    writeOwnerJson(dataDir, 'cli');
    const { fork } = forkingTo(() => fakeOwner('own'));
    const onWait = vi.fn();
    let settled = false;
    const opening = open({ fork, onWait }).finally(() => (settled = true));

    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(settled).toBe(false);
    expect(fork).not.toHaveBeenCalled();
    expect(onWait).toHaveBeenCalledTimes(1);
    expect(onWait.mock.calls[0]?.[0]).toContain(`opsdeck run (pid ${process.pid})`);

    // The command finishes: its lock's release removes owner.json.
    rmSync(join(dataDir, 'owner.json'));
    const connection = await opening;
    expect(connection.via).toBe('forked');
    expect(fork).toHaveBeenCalledTimes(1);
    expect(onWait).toHaveBeenCalledTimes(1);
  });

  it('joins a daemon that took the data while its own owner was starting (the fork found it busy)', async () => {
    const remote = await fakeOwner('daemon');
    const fork = vi.fn(async (): Promise<ForkOutcome> => {
      writeOwnerJson(dataDir, 'daemon', { socket: remote.socket });
      return { kind: 'busy', owner: null };
    });
    const connection = await open({ fork });
    expect(connection.via).toBe('client');
    expect(fork).toHaveBeenCalledTimes(1);
    expect(await ask(connection.client)).toEqual({ answeredBy: 'daemon', method: 'app.info' });
  });

  it('reports, naming it, a live daemon whose socket does not answer', async () => {
    writeOwnerJson(dataDir, 'daemon', { socket: join(tmp, 'nobody-listens.sock') });
    const { fork } = forkingTo(() => fakeOwner('own'));
    const error = await open({ fork, unreachableAfterMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OwnerStartError);
    expect((error as Error).message).toContain(`opsdeck daemon (pid ${process.pid}) owns the data in ${dataDir}, but its socket does not answer`);
    expect(fork).not.toHaveBeenCalled();
  });

  it("passes on why its own owner could not start, and stops one whose socket does not answer", async () => {
    const failing = vi.fn(async (): Promise<ForkOutcome> => {
      throw new OwnerStartError('file is not a database');
    });
    await expect(open({ fork: failing })).rejects.toThrow('file is not a database');

    const stop = vi.fn(async () => undefined);
    const silent = vi.fn(
      async (): Promise<ForkOutcome> => ({ kind: 'ready', child: { socket: join(tmp, 'silent.sock'), pid: 1, exited: new Promise(() => undefined), hasExited: false, stop } }),
    );
    await expect(open({ fork: silent })).rejects.toThrow(/started, but its socket does not answer/);
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('stops waiting for a CLI command when the app quits', async () => {
    writeOwnerJson(dataDir, 'cli');
    const quit = new AbortController();
    const { fork } = forkingTo(() => fakeOwner('own'));
    const opening = open({ fork, signal: quit.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    quit.abort();
    await expect(opening).rejects.toThrow('the app is quitting');
    expect(fork).not.toHaveBeenCalled();
  });
});
