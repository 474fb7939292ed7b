/**
 * The desktop app's owner of the data directory, run in an Electron utility process (bundled to
 * dist/electron/owner-process.cjs, forked by owner-child.ts): the host's services, SQLite and the SSH stack live
 * here rather than in Electron's main process, so main only draws windows and is a client of this process's socket,
 * exactly as it is of an `opsdeck daemon`'s. Only Node and `process.parentPort` exist here: never import 'electron'.
 *
 * The OS keychain (safeStorage) exists only in main: the host's `keychain` here is a proxy that asks main over
 * parentPort (owner-keychain.ts), so the desktop app offers to remember key passphrases, sealed by main's keychain.
 * Each question waits a bounded time; a main that does not answer means nothing is remembered, never a hung connection.
 * (When the app is only a client of an `opsdeck daemon` or `serve`, that owner has no keychain, as before.)
 */
import { createHost, type Host } from '../host/host.js';
import { identify, isSameProcessAlive } from '../services/runs/process-identity.js';
import type { OwnerInfo } from '../services/store/owner-lock.js';
import { createKeychainProxy, KEYCHAIN_TIMEOUT_MS } from './owner-keychain.js';
import { oneLine, parseOwnerProcessArgs, readMainMessage, type OwnerProcessMessage } from './owner-protocol.js';

/** The part of Electron's ParentPort used here (a test passes its own). */
export interface OwnerPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: OwnerProcessMessage): void;
}

export interface OwnerProcessDeps {
  exit(code: number): void;
  /** Whether main (pid, and its start time where the OS tells it) still runs. */
  mainAlive(pid: number, start: string | null): boolean;
  log(line: string, error?: unknown): void;
  /** How long each question to main's keychain waits (KEYCHAIN_TIMEOUT_MS); a test shortens it. */
  keychainTimeoutMs?: number;
}

/** How often main's presence is checked: sooner frees the data of a crashed app sooner, at one cheap syscall each. */
const MAIN_CHECK_MS = 2_000;
/** After saying why it could not start, wait this long for main to end the process, then end it here. */
const FAILED_EXIT_MS = 2_000;

const defaultDeps: OwnerProcessDeps = {
  exit: (code) => process.exit(code),
  mainAlive: (pid, start) => isSameProcessAlive({ pid, start }),
  log: (line, error) => (error === undefined ? console.error(`opsdeck owner: ${line}`) : console.error(`opsdeck owner: ${line}`, error)),
};

function isBusy(error: unknown): error is Error & { owner: OwnerInfo | null } {
  // By name: importing the class is fine here, but a name survives bundling twice and is what connect.ts checks.
  return error instanceof Error && error.name === 'OwnerBusyError';
}

/**
 * Owns the data directory named in `argv` and tells main over `port`: `ready` with the socket, `busy` naming the
 * owner, or `failed` in one line. Then serves until main sends `close` (or is gone): closes the host, says
 * `closed`, exits 0. Resolves once the first answer has been sent.
 */
export async function runOwnerProcess(port: OwnerPort, argv: readonly string[], deps: OwnerProcessDeps = defaultDeps): Promise<void> {
  let host: Host | null = null;
  let closeRequested = false;
  let closing: Promise<void> | null = null;
  /** Set once serving; cleared by close(). */
  let watchMain: NodeJS.Timeout | undefined = undefined;
  const close = (): Promise<void> => {
    closeRequested = true;
    clearInterval(watchMain);
    if (!host) return Promise.resolve();
    const open = host;
    closing ??= open
      .close()
      .catch((error: unknown) => deps.log('closing the host failed:', error))
      .then(() => {
        port.postMessage({ kind: 'closed' });
        deps.exit(0);
      });
    return closing;
  };
  // Listening before the host is up: a quit during start-up is heard, and honoured once there is a host to close.
  port.on('message', (event) => {
    if (readMainMessage(event.data)?.kind === 'close') void close();
  });
  const giveUp = (message: OwnerProcessMessage): void => {
    port.postMessage(message);
    // Not unref'd: the process stays long enough for the message to reach main, which normally ends it first.
    setTimeout(() => deps.exit(1), FAILED_EXIT_MS);
  };

  const config = parseOwnerProcessArgs(argv);
  if (!config) return giveUp({ kind: 'failed', message: 'the owner process was started without its data directory' });
  const mainStart = identify(config.mainPid).start;
  try {
    host = await createHost({
      dataDir: config.dataDir,
      mode: 'electron',
      version: config.version,
      owner: { kind: 'desktop' },
      keychain: createKeychainProxy(port, deps.keychainTimeoutMs ?? KEYCHAIN_TIMEOUT_MS),
      onInternalError: (method, error) => deps.log(`${method}:`, error),
    });
  } catch (error) {
    if (isBusy(error)) return giveUp({ kind: 'busy', owner: error.owner });
    deps.log('could not open the data directory:', error);
    return giveUp({ kind: 'failed', message: oneLine(error) });
  }
  if (!host.socketPath) {
    await host.close();
    return giveUp({ kind: 'failed', message: 'the host started without its local socket' });
  }
  if (closeRequested) {
    await close();
    return;
  }
  watchMain = setInterval(() => {
    if (!deps.mainAlive(config.mainPid, mainStart)) {
      deps.log('the app is gone: closing');
      void close();
    }
  }, MAIN_CHECK_MS).unref();
  port.postMessage({ kind: 'ready', socket: host.socketPath });
}

// In a utility process, parentPort is the channel to main; elsewhere (tests, a stray `node` run) it is absent.
const parentPort = (process as { parentPort?: OwnerPort | null }).parentPort;
if (parentPort) void runOwnerProcess(parentPort, process.argv);
