/**
 * Keeps the app attached to an owner for its whole life. The IPC bridge gets one stable host that forwards to the
 * current owner: calls made before the first connection wait for it, and events keep flowing to the same listeners
 * after a reconnect. When the owner goes away while the app runs, it is replaced once (the app's own process is
 * reconnected to or forked again; a daemon that stopped is succeeded by a fork) before the app says so. Quitting
 * closes the client and stops the owner only when it is the app's own: a daemon or serve keeps running.
 */
import type { OwnerClient } from '../host/owner-socket.js';
import type { RpcResult } from '../../shared/contract/wire.js';
import { describeOwner } from '../services/store/owner-lock.js';
import type { BridgeHost } from './ipc-bridge.js';
import type { OwnerConnection } from './owner-connection.js';
import { oneLine } from './owner-protocol.js';

export interface OwnerSessionOptions {
  /** owner-connection.ts openOwner, with the app's data directory; aborted on quit. */
  open(signal: AbortSignal): Promise<OwnerConnection>;
  /** To reconnect to the app's own owner process when only the connection dropped (a client too far behind). */
  connect(socket: string): Promise<OwnerClient>;
  /** A new owner replaced a lost one: what the window shows may be stale. */
  onReconnected?(connection: OwnerConnection): void;
  /** The owner went away and could not be replaced; `message` says so in a sentence, for a dialog. */
  onGone(message: string): void;
  now?: () => number;
}

export interface OwnerSession {
  /** For installIpcBridge: forwards to the current owner. */
  readonly host: BridgeHost;
  readonly connection: OwnerConnection | null;
  /** The first connection; rejects (OwnerStartError) when there is none to be had. */
  start(): Promise<OwnerConnection>;
  /** Closes the client; stops the owner if it is the app's own (bounded: owner-child.ts STOP_GRACE_MS). */
  stop(): Promise<void>;
}

/** A loss this soon after the last replacement is not replaced again: an owner that keeps dying is reported instead. */
export const REPLACE_AGAIN_AFTER_MS = 30_000;
/** After the app's own owner's socket closes, how long to wait for its exit to be seen before taking it for alive. */
const EXIT_SEEN_MS = 1_000;
/** How long a quit waits for the socket to a daemon to close; past it the app's exit closes it. */
const CLIENT_CLOSE_MS = 1_000;

const CLOSING: RpcResult = { ok: false, error: { code: 'unavailable', message: 'Opsdeck is closing' } };
const GONE: RpcResult = { ok: false, error: { code: 'unavailable', message: 'Opsdeck lost the process that holds your data' } };

function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    void promise.then(done, done);
  });
}

async function release(connection: OwnerConnection): Promise<void> {
  await settlesWithin(connection.client.close(), CLIENT_CLOSE_MS);
  if (connection.via === 'forked') await connection.child.stop();
}

function whatWasLost(connection: OwnerConnection): string {
  return connection.via === 'client' ? `${describeOwner(connection.owner)} stopped` : "Opsdeck's process that holds your data stopped unexpectedly";
}

export function createOwnerSession(options: OwnerSessionOptions): OwnerSession {
  const now = options.now ?? Date.now;
  const abort = new AbortController();
  const listeners = new Set<(event: string, payload: unknown) => void>();
  let current: OwnerConnection | null = null;
  let unsubscribe: (() => void) | null = null;
  let waiting: Array<(client: OwnerClient | null) => void> = [];
  let stopping = false;
  /** Set once the owner is lost for good: calls are answered at once instead of waiting. */
  let gone = false;
  let opening: Promise<unknown> | null = null;
  let replacedAt: number | null = null;

  const nextClient = (): Promise<OwnerClient | null> => {
    if (current) return Promise.resolve(current.client);
    if (stopping || gone) return Promise.resolve(null);
    return new Promise((resolve) => waiting.push(resolve));
  };
  const wake = (client: OwnerClient | null): void => {
    const waiters = waiting;
    waiting = [];
    for (const resolve of waiters) resolve(client);
  };

  const attach = (connection: OwnerConnection): void => {
    current = connection;
    unsubscribe = connection.client.subscribe((event, payload) => {
      for (const listener of listeners) listener(event, payload);
    });
    let lost = false;
    const onLost = (): void => {
      if (lost) return;
      lost = true;
      void replace(connection);
    };
    void connection.client.closed.then(onLost);
    if (connection.via === 'forked') void connection.child.exited.then(onLost);
    wake(connection.client);
  };

  const detach = (): void => {
    unsubscribe?.();
    unsubscribe = null;
    current = null;
  };

  /** Runs an open or reconnect; a quit meanwhile waits for it, and what it yields after a quit is released. */
  const track = (work: Promise<OwnerConnection>): Promise<OwnerConnection | null> => {
    const done = work.then(async (connection) => {
      if (!stopping) return connection;
      await release(connection);
      return null;
    });
    opening = done.then(
      () => undefined,
      () => undefined,
    );
    return done;
  };

  async function replace(lost: OwnerConnection): Promise<void> {
    if (stopping || current !== lost) return;
    detach();
    const what = whatWasLost(lost);
    if (replacedAt !== null && now() - replacedAt < REPLACE_AGAIN_AFTER_MS) {
      gone = true;
      wake(null);
      if (lost.via === 'forked') await lost.child.stop();
      options.onGone(`${what} again within ${REPLACE_AGAIN_AFTER_MS / 1000} s of being restarted.`);
      return;
    }
    replacedAt = now();
    let next: OwnerConnection | null;
    try {
      next = await track(
        (async (): Promise<OwnerConnection> => {
          // A process that died closes its socket a moment before its exit is seen: wait for that moment, so that
          // a dying process is not taken for a live one. One that stays up only dropped the connection (the owner
          // drops a client that falls far behind): reconnect to it.
          if (lost.via === 'forked' && !(await settlesWithin(lost.child.exited, EXIT_SEEN_MS))) {
            try {
              return { via: 'forked', child: lost.child, client: await options.connect(lost.child.socket) };
            } catch {
              await lost.child.stop();
            }
          }
          return options.open(abort.signal);
        })(),
      );
    } catch (error) {
      if (stopping) return;
      gone = true;
      wake(null);
      options.onGone(`${what}, and Opsdeck could not reach its data again: ${oneLine(error)}.`);
      return;
    }
    if (!next) return;
    attach(next);
    options.onReconnected?.(next);
  }

  const host: BridgeHost = {
    async dispatch(method, input, ctx) {
      const client = await nextClient();
      if (client) return client.dispatch(method, input, ctx);
      return stopping ? CLOSING : GONE;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onAck(chars, stream) {
      current?.client.onAck(chars, stream);
    },
  };

  return {
    host,
    get connection() {
      return current;
    },
    async start() {
      if (stopping) throw new Error('the owner session is stopped');
      const connection = await track(options.open(abort.signal));
      if (!connection) throw new Error('the app is quitting');
      attach(connection);
      return connection;
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      abort.abort();
      wake(null);
      await opening;
      const connection = current;
      detach();
      if (connection) await release(connection);
    },
  };
}
