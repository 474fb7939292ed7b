/**
 * How the desktop app reaches its data: as a client of the owner already running on the data directory (an
 * `opsdeck daemon` or `serve`), or by forking its own owner (owner-child.ts) and being a client of that. Either way
 * main holds an OwnerClient, the shape the IPC bridge needs; only the second is stopped when the app quits.
 */
import type { OwnerClient } from '../host/owner-socket.js';
import { describeOwner, type OwnerInfo } from '../services/store/owner-lock.js';
import type { ForkOutcome, OwnerChild } from './owner-child.js';
import { oneLine, OwnerStartError } from './owner-protocol.js';

export type OwnerConnection =
  /** Someone else's owner: left running when the app quits. */
  | { via: 'client'; owner: OwnerInfo; client: OwnerClient }
  /** The app's own utility process: stopped when the app quits. */
  | { via: 'forked'; child: OwnerChild; client: OwnerClient };

export interface OpenOwnerOptions {
  dataDir: string;
  /** owner-lock.ts readOwner: the live owner named in owner.json, or null. */
  readOwner(dataDir: string): OwnerInfo | null;
  /** connectToOwner(socket, { client: 'desktop', acks: true }). */
  connect(socket: string): Promise<OwnerClient>;
  /** forkOwnerProcess with the app's paths. */
  fork(signal: AbortSignal): Promise<ForkOutcome>;
  /** Stops the waiting (the app quits). */
  signal: AbortSignal;
  /** Told once, for the log, when the data is held by a CLI command (or an owner still starting) and the app waits. */
  onWait?(line: string): void;
  /** Default UNREACHABLE_AFTER_MS. */
  unreachableAfterMs?: number;
}

/**
 * How often to look again while a CLI command owns the directory (or an owner is still starting): sooner means less
 * idle wait after the command ends, more wake-ups meanwhile. A CLI command usually takes well under a second.
 */
export const RETRY_MS = 50;
/** A live owner whose socket refuses us this long is reported rather than retried for ever. */
export const UNREACHABLE_AFTER_MS = 5_000;

/** Another long-lived owner serves its socket: a daemon, `serve`, or another copy of the desktop app (a dev build). */
function isServingOwner(owner: OwnerInfo): owner is OwnerInfo & { socket: string } {
  return owner.kind !== 'cli' && typeof owner.socket === 'string' && owner.socket !== '';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new OwnerStartError('the app is quitting'));
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new OwnerStartError('the app is quitting'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Connects to the running owner if there is one that serves a socket; waits while a CLI command owns the directory
 * (with no dialog: it ends on its own); otherwise forks the app's own owner and connects to it. Rejects with
 * OwnerStartError (one line) when the fork fails or a live owner cannot be reached.
 */
export async function openOwner(options: OpenOwnerOptions): Promise<OwnerConnection> {
  const { signal } = options;
  let told = false;
  const wait = async (line: string): Promise<void> => {
    if (!told) options.onWait?.(line);
    told = true;
    await sleep(RETRY_MS, signal);
  };
  /** Since when the live owner `pid` has refused our connections. */
  let refusing = { pid: 0, since: 0 };
  for (;;) {
    if (signal.aborted) throw new OwnerStartError('the app is quitting');
    const owner = options.readOwner(options.dataDir);
    if (owner && isServingOwner(owner)) {
      try {
        return { via: 'client', owner, client: await options.connect(owner.socket) };
      } catch (error) {
        // Most often it stopped between writing owner.json and now; a live owner that keeps refusing is reported.
        if (refusing.pid !== owner.pid) refusing = { pid: owner.pid, since: Date.now() };
        if (Date.now() - refusing.since > (options.unreachableAfterMs ?? UNREACHABLE_AFTER_MS)) {
          throw new OwnerStartError(`${describeOwner(owner)} owns the data in ${options.dataDir}, but its socket does not answer: ${oneLine(error)}`);
        }
        await sleep(RETRY_MS, signal);
        continue;
      }
    }
    refusing = { pid: 0, since: 0 };
    if (owner) {
      // A CLI command for its duration, or a serve/daemon that has the lock and is about to open its socket.
      await wait(`waiting for ${describeOwner(owner)} to finish with ${options.dataDir}`);
      continue;
    }
    const forked = await options.fork(signal);
    if (forked.kind === 'busy') {
      // Taken meanwhile (or its owner is starting and has not written owner.json yet): look at who it is.
      await wait(`waiting for ${forked.owner ? describeOwner(forked.owner) : 'another Opsdeck process'} to finish with ${options.dataDir}`);
      continue;
    }
    try {
      return { via: 'forked', child: forked.child, client: await options.connect(forked.child.socket) };
    } catch (error) {
      await forked.child.stop();
      throw new OwnerStartError(`its owner process started, but its socket does not answer: ${oneLine(error)}`);
    }
  }
}
