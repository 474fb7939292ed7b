/**
 * The built bundles, run: scripts/build-electron.mjs builds main and the owner process into a scratch folder; main
 * is loaded here with a fake 'electron' whose utilityProcess.fork starts owner-process.cjs as a real Node process
 * (its parentPort carried over Node's IPC channel). What the unit tests cannot show: that the bundles load (banner,
 * import.meta.url, native modules, the bash grammar), that the window's call reaches the real host in the other
 * process, that a killed owner is replaced, and that Quit closes it with exit code 0.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { OwnerInfo } from '../../../../electron/services/store/owner-lock.js';
import type { RpcResult } from '../../../../shared/contract/wire.js';
import { fake, fakeElectron, FakeWindow } from './fake-electron.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
let outDir: string;
let tmp: string;
let dataDir: string;
const processes: ChildProcess[] = [];
/** What Node's module loader does, kept to be put back. */
type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const originalLoad = loader._load;

/** Runs in the owner process before its bundle: Electron's process.parentPort, over Node's IPC channel. */
const PARENT_PORT_SHIM = `
const { EventEmitter } = require('node:events');
const port = new EventEmitter();
port.postMessage = (message) => process.send(message);
process.on('message', (message) => port.emit('message', { data: message }));
process.parentPort = port;
`;

/** utilityProcess.fork as a real process: the events and methods main uses. */
function forkForReal(shim: string) {
  return (modulePath: string, args: string[] = []) => {
    const cp = fork(modulePath, args, { execArgv: ['-r', shim], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    processes.push(cp);
    const child = Object.assign(new EventEmitter(), {
      pid: cp.pid as number | undefined,
      postMessage: (message: unknown) => void (cp.connected && cp.send(message as object)),
      kill: () => cp.kill('SIGTERM'),
    });
    cp.on('message', (message) => child.emit('message', message));
    cp.on('exit', (code, signal) => {
      child.pid = undefined;
      child.emit('exit', code ?? (signal === 'SIGKILL' ? 137 : 143));
    });
    return child;
  };
}

beforeAll(async () => {
  mkdirSync(join(root, '.tmp'), { recursive: true });
  outDir = mkdtempSync(join(root, '.tmp', 'electron-bundles-'));
  tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bundles-'));
  dataDir = join(tmp, 'data');
  const esbuild = await import('esbuild');
  const script = pathToFileURL(join(root, 'scripts', 'build-electron.mjs')).href;
  const { buildElectron } = (await import(script)) as { buildElectron: (e: unknown, o: { outDir: string }) => Promise<string[]> };
  await buildElectron(esbuild, { outDir: outDir.slice(root.length) });
  const shim = join(tmp, 'parent-port.cjs');
  writeFileSync(shim, PARENT_PORT_SHIM);

  fake.reset();
  vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const electron = { ...fakeElectron, utilityProcess: { fork: forkForReal(shim) } };
  loader._load = function load(request, parent, isMain) {
    return request === 'electron' ? electron : originalLoad.call(this, request, parent, isMain);
  };
  // The data directory main passes to its owner: OPSDECK_HOME, read once as main.cjs loads.
  const home = process.env.OPSDECK_HOME;
  process.env.OPSDECK_HOME = dataDir;
  try {
    createRequire(import.meta.url)(join(outDir, 'main.cjs'));
  } finally {
    if (home === undefined) delete process.env.OPSDECK_HOME;
    else process.env.OPSDECK_HOME = home;
  }
}, 60_000);

afterAll(() => {
  loader._load = originalLoad;
  for (const cp of processes) if (cp.exitCode === null && cp.signalCode === null) cp.kill('SIGKILL');
  vi.restoreAllMocks();
  rmSync(outDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

async function callFromWindow(method: string): Promise<RpcResult> {
  const window = FakeWindow.getAllWindows()[0];
  const handler = fake.ipcHandlers.get('rpc');
  if (!window || !handler) throw new Error('the app has no window or bridge yet');
  return (await handler({ sender: window.webContents, senderFrame: { parent: null, url: window.webContents.url } }, { method, input: {} })) as RpcResult;
}

const ownerJson = (): OwnerInfo => JSON.parse(readFileSync(join(dataDir, 'owner.json'), 'utf8')) as OwnerInfo;

describe('the built desktop bundles', { timeout: 60_000 }, () => {
  it("start the owner in its own process, where the window's calls are answered by the real host", async () => {
    await vi.waitFor(() => expect(existsSync(join(dataDir, 'owner.json')) && ownerJson().socket).toBeTruthy(), { timeout: 20_000 });
    const owner = ownerJson();
    expect(owner.kind).toBe('desktop');
    expect(owner.pid).not.toBe(process.pid);
    expect(owner.pid).toBe(processes[0]?.pid);
    await vi.waitFor(async () => expect(await callFromWindow('app.info')).toMatchObject({ ok: true, result: { mode: 'electron', dataDir, version: '9.9.9-test' } }), {
      timeout: 10_000,
    });
    // A long-lived owner is up only once its bash grammar (wasm found from import.meta.url) and SSH stack loaded;
    // the library answers from SQLite, through better-sqlite3 loaded by the bundle.
    expect(await callFromWindow('runbooks.list')).toEqual({ ok: true, result: [] });
  });

  it('replace an owner process that was killed, and the window is reloaded', async () => {
    const first = processes[0] as ChildProcess;
    first.kill('SIGKILL');
    await vi.waitFor(() => expect(processes.length).toBe(2), { timeout: 10_000 });
    await vi.waitFor(() => expect(ownerJson().pid).toBe(processes[1]?.pid), { timeout: 20_000 });
    await vi.waitFor(async () => expect(await callFromWindow('app.info')).toMatchObject({ ok: true }), { timeout: 10_000 });
    expect(FakeWindow.getAllWindows()[0]?.webContents.reload).toHaveBeenCalledTimes(1);
    expect(fake.dialogs).toEqual([]);
  });

  it('on Quit, close the owner process (exit code 0) and free the data', async () => {
    const owner = processes[1] as ChildProcess;
    const exited = new Promise<number | null>((resolve) => owner.once('exit', (code) => resolve(code)));
    fake.app.quit();
    expect(await exited).toBe(0);
    await vi.waitFor(() => expect(fake.app.quitted).toBe(1));
    expect(existsSync(join(dataDir, 'owner.json'))).toBe(false);
  });
});
