/**
 * Wires the services to one data directory and serves the contract: the web host, the Electron bridge, the owner's
 * local socket and a CLI command that owns the directory for its duration all call the same `dispatch` built here,
 * and hear the same events. Creating a host takes the data directory's owner lock first (owner-lock.ts).
 */
import { homedir, hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { createDispatch, type Dispatch } from '../../shared/contract/dispatch.js';
import type { EventName, EventPayload } from '../../shared/contract/methods.js';
import { createExecService } from '../services/exec/local-exec.js';
import { createImportParser } from '../services/runbooks/import-parser.js';
import { createRunbookService } from '../services/runbooks/runbook-service.js';
import { createRunService } from '../services/runs/run-service.js';
import { createSectionRunner } from '../services/runs/section-runner.js';
import { createTerminalService } from '../services/terminal/terminal-service.js';
import { createPromptBroker } from '../services/ssh/prompt-broker.js';
import { createKeychainVault, type Keychain } from '../services/ssh/secret-vault.js';
import { createHostStore } from '../services/store/host-store.js';
import { getDeviceId, openDatabase } from '../services/store/db.js';
import { createLibraryStore } from '../services/store/library-store.js';
import { createRunStore } from '../services/store/run-store.js';
import { describeOwner, readOwner, tryAcquireOwnership, type OwnerInfo, type OwnerKind, type OwnerLock } from '../services/store/owner-lock.js';
import { countOutput, createFlowWindows, type FlowWindow } from './flow-windows.js';
import { createHandlers } from './handlers.js';
import { createScheduleHandlers } from './schedule-handlers.js';
import { createEvidenceHandlers } from './evidence-handlers.js';
import { createSearchHandlers } from './search-handlers.js';
import { createIncidentDraftHandlers, importedText, latestDocument } from './incident-draft-handlers.js';
import { createIncidentHandlers } from './incident-handlers.js';
import { createHandoverHandlers } from './handover-handlers.js';
import { createHandoverService } from '../services/handover/handover-service.js';
import { createHandoverStore } from '../services/store/handover-store.js';
import { createSchedulerService } from '../services/scheduler/scheduler-service.js';
import type { SchedulerService } from '../services/scheduler/types.js';
import { createScheduleStore } from '../services/store/schedule-store.js';
import { createOutboxStore } from '../services/store/outbox-store.js';
import { createWebhookOutbox, runSummary } from '../services/scheduler/webhook-outbox.js';
import { createLazyRemote, createLazyShell } from './lazy-services.js';
import { ownerSocketPath, serveOwnerSocket, type OwnerSocketServer } from './owner-socket.js';

export interface HostOptions {
  dataDir: string;
  mode: 'electron' | 'web' | 'cli';
  version: string;
  /** The OS keychain (Electron's safeStorage): lets the user have key passphrases remembered, encrypted. */
  keychain?: Keychain;
  /** Told about unexpected errors, with their stacks, for the log; callers only ever see `internal`. */
  onInternalError?: (method: string, error: unknown) => void;
  /**
   * Who takes the data directory: a long-lived owner (desktop, serve, daemon) also serves the owner's socket for
   * CLI commands and other windows; a CLI owner serves nobody and lives for one command. Default from `mode`.
   */
  owner?: { kind: OwnerKind; command?: string };
}

/** Another process owns the data directory; `owner` says which (null while it is still starting). */
export class OwnerBusyError extends Error {
  override readonly name = 'OwnerBusyError';
  constructor(readonly owner: OwnerInfo | null) {
    super(owner ? `the data directory is in use by ${describeOwner(owner)}` : 'the data directory is in use by another Opsdeck process that is starting');
  }
}

export type HostListener = (event: string, payload: unknown) => void;

export interface Host {
  dispatch: Dispatch;
  subscribe(listener: HostListener): () => void;
  /** The renderer processed this much of a stream's output: bytes of a terminal's `term.data`, chars of an attempt's `step.output`. */
  onAck?(chars: number, stream?: string): void;
  /** A window (browser tab, app window, socket client) whose acks count for it alone. */
  openWindow(options: { acks: boolean }): FlowWindow;
  /** This process's ownership of the data directory: add the web address once known. */
  owner: OwnerLock;
  /** The owner's socket, for a long-lived owner. */
  socketPath: string | null;
  /** The tray's "Pause schedules" and the OS's wake notice reach the scheduler here. */
  schedules: Pick<SchedulerService, 'setSuspended' | 'woke'>;
  close(): Promise<void>;
}

export const DATABASE_FILE = 'opsdeck.db';

/** Methods whose handlers parse shell here (placing parameter values; imports parse in their worker): the grammar is loaded before them. */
const NEEDS_SHELL: ReadonlySet<string> = new Set(['steps.run', 'steps.render', 'runs.runSection', 'schedules.runNow', 'schedules.approve']);

export async function createHost(options: HostOptions): Promise<Host> {
  const ownerKind = options.owner?.kind ?? (options.mode === 'cli' ? 'cli' : options.mode === 'web' ? 'serve' : 'desktop');
  const lock = tryAcquireOwnership(options.dataDir, {
    kind: ownerKind,
    version: options.version,
    ...(options.owner?.command ? { command: options.owner.command } : {}),
  });
  if (!lock) throw new OwnerBusyError(readOwner(options.dataDir));
  try {
    return await createOwnedHost(options, lock, ownerKind);
  } catch (error) {
    lock.release();
    throw error;
  }
}

async function createOwnedHost(options: HostOptions, lock: OwnerLock, ownerKind: OwnerKind): Promise<Host> {
  const db = openDatabase(join(options.dataDir, DATABASE_FILE));
  const deviceId = getDeviceId(db);
  const clock = { now: () => new Date() };
  const library = createLibraryStore({ db, clock, deviceId });
  const runStore = createRunStore(db, deviceId);
  const shell = createLazyShell(async () => (await import('../services/runbooks/shell-grammar.js')).loadShellParser());
  // Runbooks are parsed in a worker thread: a large import never holds up terminals and steps.
  const importer = createImportParser();
  const runbooks = createRunbookService({
    store: library,
    shell,
    parse: importer.parse,
    onProgress: (p) => emit('import.progress', { source: p.path, done: p.done, total: p.total }),
    onChanged: (runbookId) => {
      emit('runbooks.changed', { runbookId });
      // A new version may hold a schedule (a changed step) or let it fire again.
      scheduler.runbookChanged(runbookId);
    },
  });
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
  const vault = options.keychain ? await createKeychainVault(join(options.dataDir, 'secrets.json'), options.keychain) : undefined;
  const remote = createLazyRemote(
    async () =>
      (await import('../services/ssh/remote-service.js')).createRemoteService({ hosts, prompts, home: homedir(), clock: { now: () => performance.now() }, ...(vault ? { vault } : {}) }),
    (tag) => hosts.list().filter((h) => h.tags.includes(tag)).map((h) => h.name),
  );
  // A long-lived owner loads everything now, so that nobody's first step waits; a CLI command only what it uses.
  if (ownerKind !== 'cli') await Promise.all([shell.ready(), remote.preload()]);
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
  const interrupted = runs.recoverInterrupted();
  const sectionRunner = createSectionRunner({ runs, hostname: hostname(), ask: (question) => prompts.ask(question) });
  // Webhooks of scheduled runs: stored first, delivered with retries; a long-lived owner retries what is left.
  const outbox = createWebhookOutbox({
    store: createOutboxStore(db),
    clock,
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    onGaveUp: (report) => options.onInternalError?.('webhook', new Error(`gave up delivering a webhook: ${JSON.stringify(report)}`)),
  });
  const scheduler = createSchedulerService({
    store: createScheduleStore(db, deviceId, clock),
    library,
    sectionRunner,
    hosts,
    ...(vault ? { vault } : {}),
    clock: { now: () => new Date(), monotonic: () => performance.now() },
    // Unref'd: the owner's socket and server keep it alive; a schedule's timer never does by itself.
    timers: {
      setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
      clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      setInterval: (fn, ms) => setInterval(fn, ms).unref(),
      clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
    },
    env: process.env,
    hostname: hostname(),
    operator: () => settings().operator,
    deviceId,
    runDetail: (runId) => {
      try {
        return runs.get(runId);
      } catch {
        return null;
      }
    },
    runStatus: (runId) => {
      try {
        return runs.get(runId).run.status;
      } catch {
        return null;
      }
    },
    emit,
    onError: (error) => options.onInternalError?.('scheduler', error),
    onRunEnded: (schedule, detail, occurrence) => {
      if (schedule.notify.webhook) outbox.enqueue({ scheduleId: schedule.id, runId: detail.run.id, url: schedule.notify.webhook, body: runSummary(detail, schedule, occurrence) });
    },
  });

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
  const scheduleHandlers = createScheduleHandlers({
    scheduler,
    operator: () => settings().operator,
    now: () => new Date(),
    opsdeckCommand: process.argv[1] ? [process.execPath, process.argv[1]] : [process.execPath],
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
    sectionRunner,
    hosts,
    prompts,
    previewSshConfig: (file) => remote.previewSshConfig(file),
    testHost: (name) => remote.test(name),
    disconnect: (name) => remote.disconnect(name),
    terminals,
    shell,
  });
  const search = createSearchHandlers({ db, run: (id) => runs.get(id), waitForIndex: ownerKind === 'cli', emit, listen: (l) => listeners.add(l), onError: (error) => options.onInternalError?.('search', error) });
  const incidents = createIncidentHandlers({ db, deviceId, library, run: (id) => runs.get(id), runEvents: runStore, webhooks: outbox, operator: () => settings().operator, emit, onError: (error) => options.onInternalError?.('incidents', error) });
  listeners.add((event, payload) => event === 'run.updated' && incidents.runChanged((payload as EventPayload<'run.updated'>).run.id));
  const handovers = createHandoverService({
    store: createHandoverStore(db, deviceId),
    runs,
    scheduler,
    // The open incidents in full (their follow-ups and roles), through the incidents' own handlers.
    incidents: { open: async () => Promise.all((await incidents.handlers['incidents.list']({ open: true }, { origin: 'ui' })).map((i) => incidents.handlers['incidents.get']({ id: i.id }, { origin: 'ui' }))) },
    library,
    clock,
    operator: () => settings().operator,
    deviceId,
    emit,
  });
  const incidentDrafts = createIncidentDraftHandlers({
    getIncident: (id) => incidents.handlers['incidents.get']({ id }, { origin: 'ui' }),
    runbook: (runbookId) => latestDocument(library, runbookId),
    runbookText: (runbookId) => importedText(library, runbookId),
    now: () => clock.now(),
  });
  const contractDispatch = createDispatch({ ...handlers, ...scheduleHandlers, ...search.handlers, ...incidents.handlers, ...incidentDrafts, ...createHandoverHandlers(handovers), ...createEvidenceHandlers({ db, runs: runStore, library, dataDir: options.dataDir, deviceId, version: options.version, emit }) }, options.onInternalError ? { onInternalError: options.onInternalError } : {});
  const dispatch: Dispatch = async (method, input, ctx) => {
    if (NEEDS_SHELL.has(method)) {
      try {
        await shell.ready();
      } catch (error) {
        options.onInternalError?.(method, error);
        return { ok: false, error: { code: 'internal', message: `${method} failed: the bash grammar could not be loaded` } };
      }
    }
    return contractDispatch(method, input, ctx);
  };

  // Terminal and step output (a stream: a terminal's id, an attempt's id) is held back by the window furthest behind;
  // the source's own counter (the terminal's, the attempt's) hears how far it moved.
  const flow = createFlowWindows((stream, units) => {
    if (runs.ackOutput(stream, units)) return;
    try {
      terminals.ack(stream, units);
    } catch {
      // Neither a running attempt nor a live terminal: the ack is simply late, and the stream's debts can go.
      flow.forget(stream);
    }
  });
  listeners.add((event, payload) => countOutput(flow, event, payload));
  /** Acks from a transport that has no windows of its own (the Electron bridge's single window). */
  let defaultWindow: FlowWindow | null = null;

  const host: Host = {
    dispatch,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onAck(chars, stream) {
      if (stream === undefined) return;
      defaultWindow ??= flow.open({ acks: true });
      defaultWindow.ack(chars, stream);
    },
    openWindow: (o) => flow.open(o),
    owner: lock,
    socketPath: null,
    schedules: scheduler,
    async close() {
      await scheduler.dispose();
      incidents.dispose();
      handovers.dispose();
      await socket?.close();
      prompts.cancelAll();
      await terminals.dispose();
      await runs.dispose();
      await sectionRunner.dispose();
      await remote.dispose();
      exec.dispose();
      await importer.dispose();
      await outbox.dispose();
      search.dispose();
      listeners.clear();
      db.close();
      lock.release();
    },
  };
  let socket: OwnerSocketServer | null = null;
  if (ownerKind !== 'cli') {
    socket = await serveOwnerSocket(host, ownerSocketPath(options.dataDir));
    host.socketPath = socket.path;
    lock.update({ socket: socket.path });
    // Only a long-lived owner fires schedules: a CLI command owning the directory for a moment never does.
    await scheduler.start();
    outbox.start();
    incidents.start();
    scheduler.runsInterrupted(interrupted);
  }
  return host;
}

function defaultOperator(): string {
  try {
    return userInfo().username || 'operator';
  } catch {
    return process.env.USER ?? 'operator';
  }
}
