/**
 * Wires the services to one data directory and serves the contract: the web host, the Electron bridge and the
 * CLI's `run` all call the same `dispatch` built here, and hear the same events.
 */
import { mkdirSync } from 'node:fs';
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { createDispatch, type Dispatch } from '../../shared/contract/dispatch.js';
import type { EventName, EventPayload } from '../../shared/contract/methods.js';
import { createExecService } from '../services/exec/local-exec.js';
import { createRunbookService } from '../services/runbooks/runbook-service.js';
import { loadShellParser } from '../services/runbooks/shell-grammar.js';
import { createRunService } from '../services/runs/run-service.js';
import { createTerminalService } from '../services/terminal/terminal-service.js';
import { createPromptBroker } from '../services/ssh/prompt-broker.js';
import { createRemoteService } from '../services/ssh/remote-service.js';
import { createKeychainVault, type Keychain } from '../services/ssh/secret-vault.js';
import { createHostStore } from '../services/store/host-store.js';
import { getDeviceId, openDatabase } from '../services/store/db.js';
import { createLibraryStore } from '../services/store/library-store.js';
import { createRunStore } from '../services/store/run-store.js';
import { createHandlers } from './handlers.js';

export interface HostOptions {
  dataDir: string;
  mode: 'electron' | 'web' | 'cli';
  version: string;
  /** The OS keychain (Electron's safeStorage): lets the user have key passphrases remembered, encrypted. */
  keychain?: Keychain;
  /** Told about unexpected errors, with their stacks, for the log; callers only ever see `internal`. */
  onInternalError?: (method: string, error: unknown) => void;
}

export type HostListener = (event: string, payload: unknown) => void;

export interface Host {
  dispatch: Dispatch;
  subscribe(listener: HostListener): () => void;
  /** The renderer processed this much of a stream's output: bytes of a terminal's `term.data`. */
  onAck?(chars: number, stream?: string): void;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'opsdeck.db';

export async function createHost(options: HostOptions): Promise<Host> {
  mkdirSync(options.dataDir, { recursive: true });
  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  const deviceId = getDeviceId(db);
  const clock = { now: () => new Date() };
  const library = createLibraryStore({ db, clock, deviceId });
  const runStore = createRunStore(db, deviceId);
  const shell = await loadShellParser();
  const runbooks = createRunbookService({ store: library, shell });
  const exec = createExecService({ clock: { now: () => performance.now() }, timers: { setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) } });
  const listeners = new Set<HostListener>();
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    for (const l of listeners) l(event, payload);
  };
  const settings = () => ({
    operator: runStore.getSetting('operator') ?? defaultOperator(),
    theme: runStore.getSetting('theme') === 'light' ? ('light' as const) : ('dark' as const),
  });
  const hosts = createHostStore(db, deviceId, clock);
  const prompts = createPromptBroker({ emit });
  const vault = options.keychain ? createKeychainVault(join(options.dataDir, 'secrets.json'), options.keychain) : undefined;
  const remote = createRemoteService({ hosts, prompts, home: homedir(), clock: { now: () => performance.now() }, ...(vault ? { vault } : {}) });
  const runs = createRunService({
    runs: runStore,
    library,
    exec,
    shell,
    clock,
    operator: () => settings().operator,
    hostname: hostname(),
    emit,
    hosts,
    remote: remote.runner,
  });
  runs.recoverInterrupted();

  const terminals = createTerminalService({
    emit,
    clock,
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      setImmediate: (fn) => setImmediate(fn),
      clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
    },
    openSshShell: (host, opts) => remote.openShell(host, opts),
    record: (runId, chunk, terminal) => runs.recordTerminal(runId, terminal, chunk),
  });
  const handlers = createHandlers({
    version: options.version,
    mode: options.mode === 'electron' ? 'electron' : 'web',
    dataDir: options.dataDir,
    deviceId,
    hostname: hostname(),
    settings,
    saveSetting: (key, value) => runStore.setSetting(key, value),
    lastParams: (runbookId) => runStore.lastParams(runbookId),
    library,
    runbooks,
    runs,
    hosts,
    prompts,
    previewSshConfig: (file) => remote.previewSshConfig(file),
    testHost: (name) => remote.test(name),
    disconnect: (name) => remote.disconnect(name),
    terminals,
    shell,
  });
  const dispatch = createDispatch(handlers, options.onInternalError ? { onInternalError: options.onInternalError } : {});

  return {
    dispatch,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onAck(chars, stream) {
      // A terminal's drawn output (flow control); an ack for a terminal that is gone is simply late.
      if (stream === undefined) return;
      try {
        terminals.ack(stream, chars);
      } catch {
        /* closed meanwhile */
      }
    },
    async close() {
      prompts.cancelAll();
      await terminals.dispose();
      await runs.dispose();
      await remote.dispose();
      exec.dispose();
      listeners.clear();
      db.close();
    },
  };
}

function defaultOperator(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return process.env.USER ?? 'operator';
  }
}
