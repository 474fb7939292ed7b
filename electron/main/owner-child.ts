/**
 * Main's side of the owner's utility process (owner-process.ts): forks it, waits for its first word (its socket,
 * or that the data is busy, or why it failed), answers its questions to the OS keychain for as long as it runs,
 * and stops it on quit: ask it to close the host, wait a bounded time, then kill it, so that quitting never hangs
 * on a stuck owner.
 */
import { existsSync } from 'node:fs';
import { utilityProcess, type UtilityProcess } from 'electron';
import type { Keychain } from '../services/ssh/secret-vault.js';
import type { OwnerInfo } from '../services/store/owner-lock.js';
import { serveKeychain } from './owner-keychain.js';
import { oneLine, OwnerStartError, ownerProcessArgs, readOwnerProcessMessage, type MainMessage } from './owner-protocol.js';

/** How long a quit waits for the owner to close (record running steps as interrupted, flush SQLite) before killing it. */
export const STOP_GRACE_MS = 5_000;
/** After kill(), how long to wait for the exit to be seen; past it, quitting goes on (the OS reaps the process). */
const KILL_WAIT_MS = 2_000;
/**
 * Longest start-up: opening the database (and migrating it), loading the bash grammar and the SSH stack take about
 * a second; a migration of a big history can take longer. Past this, the process is taken for stuck.
 */
export const START_TIMEOUT_MS = 60_000;

/** A running owner process that said it is ready. */
export interface OwnerChild {
  /** The owner's socket, for connectToOwner. */
  readonly socket: string;
  readonly pid: number | undefined;
  /** Settles with the exit code when the process ends, asked to or not. */
  readonly exited: Promise<number>;
  readonly hasExited: boolean;
  /** Asks the owner to close the host, waits up to `graceMs`, then kills it. Idempotent. */
  stop(graceMs?: number): Promise<void>;
}

export type ForkOutcome = { kind: 'ready'; child: OwnerChild } | { kind: 'busy'; owner: OwnerInfo | null };

export interface ForkOwnerOptions {
  /** dist/electron/owner-process.cjs */
  modulePath: string;
  dataDir: string;
  version: string;
  /** Aborted when the app quits during start-up: the process is killed. */
  signal?: AbortSignal;
  startTimeoutMs?: number;
  /** Main's OS keychain (safeStorage), which the owner uses to remember key passphrases; absent: it has none. */
  keychain?: Keychain;
}

/** Resolves true if `promise` settles within `ms`. */
function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(true);
      },
    );
  });
}

/** Forks the owner process and resolves once it is ready (or says the data is busy); rejects with OwnerStartError. */
export function forkOwnerProcess(options: ForkOwnerOptions): Promise<ForkOutcome> {
  if (options.signal?.aborted) return Promise.reject(new OwnerStartError('the app is quitting'));
  // A build from before the owner process existed has no bundle for it: say what to do, not an exit code.
  if (!existsSync(options.modulePath)) return Promise.reject(new OwnerStartError(`${options.modulePath} is missing: run \`npm run build\`, then start Opsdeck again`));
  let proc: UtilityProcess;
  try {
    proc = utilityProcess.fork(options.modulePath, ownerProcessArgs({ dataDir: options.dataDir, version: options.version, mainPid: process.pid }), {
      serviceName: 'Opsdeck owner',
      stdio: 'inherit',
    });
  } catch (error) {
    return Promise.reject(new OwnerStartError(`its owner process could not be started: ${oneLine(error)}`));
  }
  // A fatal V8 error is followed by 'exit', which is what counts; heard here so the emitter has a listener for it.
  proc.on('error', (type, location) => console.error(`opsdeck: the owner process failed (${type} at ${location})`));
  let exitCode: number | null = null;
  const exited = new Promise<number>((resolve) => {
    proc.once('exit', (code: number) => {
      exitCode = code;
      resolve(code);
    });
  });
  const send = (message: MainMessage): void => {
    try {
      proc.postMessage(message);
    } catch {
      // Gone already: the exit is on its way.
    }
  };
  const kill = (): void => {
    if (exitCode === null) proc.kill();
  };
  // From the start: the owner asks whether the keychain can encrypt while it opens the data, before it is ready.
  serveKeychain({ on: (_event, listener) => proc.on('message', listener), postMessage: send }, options.keychain);

  let stopping: Promise<void> | null = null;
  const child = (socket: string): OwnerChild => ({
    socket,
    get pid() {
      return proc.pid;
    },
    exited,
    get hasExited() {
      return exitCode !== null;
    },
    stop(graceMs = STOP_GRACE_MS) {
      stopping ??= (async () => {
        if (exitCode !== null) return;
        send({ kind: 'close' });
        if (await within(exited, graceMs)) return;
        kill();
        await within(exited, KILL_WAIT_MS);
      })();
      return stopping;
    },
  });

  return new Promise<ForkOutcome>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: ForkOutcome | OwnerStartError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.off('message', onMessage);
      options.signal?.removeEventListener('abort', onAbort);
      if (outcome instanceof OwnerStartError) {
        kill();
        reject(outcome);
      } else {
        if (outcome.kind === 'busy') kill();
        resolve(outcome);
      }
    };
    const onMessage = (raw: unknown): void => {
      const message = readOwnerProcessMessage(raw);
      if (message?.kind === 'ready') settle({ kind: 'ready', child: child(message.socket) });
      else if (message?.kind === 'busy') settle({ kind: 'busy', owner: message.owner });
      else if (message?.kind === 'failed') settle(new OwnerStartError(message.message));
    };
    const onAbort = (): void => settle(new OwnerStartError('the app is quitting'));
    const timeoutMs = options.startTimeoutMs ?? START_TIMEOUT_MS;
    const timer = setTimeout(() => settle(new OwnerStartError(`its owner process did not start within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    proc.on('message', onMessage);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    void exited.then((code) => settle(new OwnerStartError(`its owner process stopped while starting (exit code ${code})`)));
  });
}
