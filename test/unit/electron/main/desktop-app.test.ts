/**
 * The desktop app's life (electron/main/desktop-app.ts) with a mocked 'electron': which owner it uses, the tray that
 * keeps it running with no window, what Quit stops, and the one dialog when the data cannot be had. The owners are
 * real owner sockets with a fake host behind them; the app's own owner process is a fake utility process.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron);

import { connectToOwner } from '../../../../electron/host/owner-socket.js';
import { startDesktopApp, type DesktopApp } from '../../../../electron/main/desktop-app.js';
import type { RpcResult } from '../../../../shared/contract/wire.js';
import { fake, FakeTray, FakeWindow, type FakeUtilityProcess } from './fake-electron.js';
import { startFakeOwner, writeOwnerJson, type FakeOwner } from './fake-owner.js';

const APP_ROOT = '/opt/Opsdeck/resources/app';

let tmp: string;
/** Where the app finds owner-process.cjs (the fake utilityProcess does not run it). */
let bundleDir: string;
let dataDir: string;
const owners: FakeOwner[] = [];
/** Each fork's owner, by child. */
const ownOwners = new Map<FakeUtilityProcess, FakeOwner>();

beforeEach(() => {
  fake.reset();
  ownOwners.clear();
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-app-'));
  dataDir = join(tmp, 'data');
  bundleDir = join(tmp, 'dist', 'electron');
  mkdirSync(bundleDir, { recursive: true });
  writeFileSync(join(bundleDir, 'owner-process.cjs'), '');
  fake.onFork = (child) => void serveAsOwnProcess(child);
});

afterEach(async () => {
  if (fake.app.quitted === 0 && fake.app.exit.mock.calls.length === 0) {
    fake.app.quit();
    await vi.waitFor(() => expect(fake.app.quitted).toBe(1), { timeout: 10_000 });
  }
  await Promise.all(owners.splice(0).map((o) => (o.closed ? undefined : o.close())));
  vi.restoreAllMocks();
  rmSync(tmp, { recursive: true, force: true });
});

async function fakeOwner(name: string): Promise<FakeOwner> {
  const owner = await startFakeOwner(tmp, name);
  owners.push(owner);
  return owner;
}

/** What owner-process.ts does, played by a fake owner: ready with its socket; on close, closes and exits 0. */
async function serveAsOwnProcess(child: FakeUtilityProcess): Promise<void> {
  const owner = await fakeOwner(`own-${fake.forks.indexOf(child)}`);
  ownOwners.set(child, owner);
  child.on('main-message', (message: { kind?: string }) => {
    if (message.kind !== 'close') return;
    void owner.close().then(() => {
      child.say({ kind: 'closed' });
      child.exit(0);
    });
  });
  child.say({ kind: 'ready', socket: owner.socket });
}

function launch(withTray: boolean): DesktopApp {
  return startDesktopApp({ appRoot: APP_ROOT, bundleDir, dataDir, showsTray: async () => withTray });
}

const windows = (): FakeWindow[] => FakeWindow.getAllWindows();
const tray = (): FakeTray | undefined => FakeTray.all.find((t) => !t.destroyed);
const menuItem = (label: string) => tray()?.menu.find((i) => i.label === label);

/** A call from the app's window, as the preload makes it. */
async function callFromWindow(method: string): Promise<RpcResult> {
  const window = windows()[0];
  if (!window) throw new Error('no window');
  const handler = fake.ipcHandlers.get('rpc');
  if (!handler) throw new Error('no bridge');
  const event = { sender: window.webContents, senderFrame: { parent: null, url: window.webContents.url } };
  return (await handler(event, { method, input: {} })) as RpcResult;
}

describe('the desktop app', { timeout: 20_000 }, () => {
  it("starts its own owner process when nobody owns the data, and the window's calls reach it", async () => {
    await launch(true).started;
    expect(fake.forks).toHaveLength(1);
    const [child] = fake.forks as [FakeUtilityProcess];
    expect(child.modulePath).toBe(join(bundleDir, 'owner-process.cjs'));
    expect(child.args).toContain(`--opsdeck-data-dir=${dataDir}`);
    expect(child.args).toContain('--opsdeck-version=9.9.9-test');
    expect(windows()).toHaveLength(1);
    expect(await callFromWindow('app.info')).toEqual({ ok: true, result: { answeredBy: 'own-0', method: 'app.info' } });
    expect(fake.dialogs).toEqual([]);
  });

  it("lets its own owner process remember passphrases with main's OS keychain (safeStorage)", async () => {
    await launch(true).started;
    const [child] = fake.forks as [FakeUtilityProcess];
    child.say({ kind: 'keychain', id: 7, op: 'encrypt', data: 'correct horse' });
    await vi.waitFor(() => expect(child.sent).toHaveLength(1));
    const sealed = child.sent[0] as { value: string };
    expect(sealed).toMatchObject({ kind: 'keychain-result', id: 7, ok: true });
    child.say({ kind: 'keychain', id: 8, op: 'decrypt', data: sealed.value });
    await vi.waitFor(() => expect(child.sent[1]).toEqual({ kind: 'keychain-result', id: 8, ok: true, value: 'correct horse' }));
    expect(fake.safeStorage.encrypted).toEqual(['correct horse']);
  });

  it('uses a running daemon instead of starting its own, and Quit leaves the daemon running', async () => {
    const daemon = await fakeOwner('daemon');
    writeOwnerJson(dataDir, 'daemon', { socket: daemon.socket });
    await launch(true).started;
    expect(fake.forks).toHaveLength(0);
    expect(await callFromWindow('runs.list')).toEqual({ ok: true, result: { answeredBy: 'daemon', method: 'runs.list' } });

    menuItem('Quit')?.click?.({});
    await vi.waitFor(() => expect(fake.app.quitted).toBe(1));
    expect(daemon.closed).toBe(false);
    const cli = await connectToOwner(daemon.socket, { client: 'cli', acks: false });
    expect(await cli.dispatch('runs.list', {})).toMatchObject({ ok: true });
    await cli.close();
  });

  it('keeps running in the tray when the last window closes, and Open Opsdeck brings a window back', async () => {
    await launch(true).started;
    expect(tray()?.menu.map((i) => i.label ?? i.type)).toEqual(['Open Opsdeck', expect.stringMatching(/^Pause schedules/), 'separator', 'Quit']);
    windows()[0]?.close();
    fake.app.emit('window-all-closed');
    expect(fake.app.quit).not.toHaveBeenCalled();
    expect(ownOwners.get(fake.forks[0] as FakeUtilityProcess)?.closed).toBe(false);

    menuItem('Open Opsdeck')?.click?.({});
    expect(windows()).toHaveLength(1);
    expect(await callFromWindow('app.info')).toMatchObject({ ok: true });
  });

  it("Pause schedules in the tray and the OS's wake notice reach the owner", async () => {
    await launch(true).started;
    const owner = ownOwners.get(fake.forks[0] as FakeUtilityProcess);
    const asked = () => owner?.calls.filter((c) => c.method.startsWith('schedules.')).map((c) => [c.method, c.input]);
    menuItem('Pause schedules')?.click?.({ checked: true });
    menuItem('Pause schedules')?.click?.({ checked: false });
    fake.powerMonitor.emit('resume');
    await vi.waitFor(() => expect(asked()).toEqual([['schedules.suspend', { suspended: true }], ['schedules.suspend', { suspended: false }], ['schedules.wake', {}]]));
  });

  it('quits when the last window closes where there is no tray (Linux without a StatusNotifier host)', async () => {
    await launch(false).started;
    expect(tray()).toBeUndefined();
    windows()[0]?.close();
    fake.app.emit('window-all-closed');
    expect(fake.app.quit).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(fake.app.quitted).toBe(1));
  });

  it('Quit asks its own owner process to close and waits for it before the app exits', async () => {
    await launch(true).started;
    const [child] = fake.forks as [FakeUtilityProcess];
    const quittedWhenAsked: number[] = [];
    child.on('main-message', () => quittedWhenAsked.push(fake.app.quitted));
    menuItem('Quit')?.click?.({});
    await vi.waitFor(() => expect(fake.app.quitted).toBe(1));
    // The first will-quit was held back until the owner had closed.
    expect(child.sent).toEqual([{ kind: 'close' }]);
    expect(quittedWhenAsked).toEqual([0]);
    expect(child.exitCode).toBe(0);
    expect(child.kill).not.toHaveBeenCalled();
    expect(ownOwners.get(child)?.closed).toBe(true);
    expect(tray()).toBeUndefined();
  });

  it('waits for a CLI command that owns the data, with no dialog, then starts its own owner', async () => {
    writeOwnerJson(dataDir, 'cli');
    let started = false;
    const app = launch(true);
    void app.started.then(() => (started = true));
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(started).toBe(false);
    expect(fake.forks).toHaveLength(0);
    expect(fake.dialogs).toEqual([]);
    // The window is there meanwhile; its calls wait for the owner.
    expect(windows()).toHaveLength(1);
    const early = callFromWindow('app.info');

    rmSync(join(dataDir, 'owner.json'));
    await app.started;
    expect(fake.forks).toHaveLength(1);
    expect(await early).toMatchObject({ ok: true, result: { answeredBy: 'own-0' } });
  });

  it('shows one dialog naming why the owner could not start, with no stack trace, and exits', async () => {
    fake.onFork = (child) => child.say({ kind: 'failed', message: 'file is not a database' });
    await launch(true).started;
    expect(fake.dialogs).toHaveLength(1);
    const [dialog] = fake.dialogs as [{ title: string; content: string }];
    expect(dialog.title).toBe('Opsdeck could not start');
    expect(dialog.content).toContain('file is not a database');
    expect(dialog.content).toContain(dataDir);
    expect(dialog.content).not.toMatch(/\n\s+at /);
    expect(fake.app.exit).toHaveBeenCalledWith(1);
  });

  it('starts its owner process again once if it dies, reloading the window; a second death soon after is reported', async () => {
    await launch(true).started;
    const crash = async (child: FakeUtilityProcess) => {
      await ownOwners.get(child)?.close();
      child.exit(139);
    };
    await crash(fake.forks[0] as FakeUtilityProcess);
    await vi.waitFor(() => expect(fake.forks).toHaveLength(2));
    await vi.waitFor(() => expect(windows()[0]?.webContents.reload).toHaveBeenCalledTimes(1));
    expect(await callFromWindow('app.info')).toMatchObject({ ok: true, result: { answeredBy: 'own-1' } });
    expect(fake.dialogs).toEqual([]);

    await crash(fake.forks[1] as FakeUtilityProcess);
    await vi.waitFor(() => expect(fake.app.exit).toHaveBeenCalledWith(1));
    expect(fake.forks).toHaveLength(2);
    expect(fake.dialogs).toHaveLength(1);
    expect(fake.dialogs[0]?.title).toBe('Opsdeck stopped');
    expect(fake.dialogs[0]?.content).toContain('stopped unexpectedly again within 30 s');
  });

  it('brings its window to the front when launched a second time', async () => {
    await launch(true).started;
    const window = windows()[0] as FakeWindow;
    window.minimized = true;
    fake.app.emit('second-instance');
    expect(window.isMinimized()).toBe(false);
    expect(window.focus).toHaveBeenCalledTimes(1);
    expect(windows()).toHaveLength(1);
  });

  it('as the second instance, quits at once without touching the data', async () => {
    fake.app.requestSingleInstanceLock.mockImplementation(() => false);
    await launch(true).started;
    expect(fake.app.quit).toHaveBeenCalledTimes(1);
    expect(fake.forks).toHaveLength(0);
    expect(windows()).toHaveLength(0);
  });
});
