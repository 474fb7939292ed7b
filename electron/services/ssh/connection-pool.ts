/**
 * One SSH connection per host, shared by every step that runs there: connecting costs ~45 ms and a prompt or two,
 * a command on an open connection ~2-4 ms. Host keys are checked during key exchange, before any credential is sent;
 * secrets are asked for only when needed and kept in memory only (ssh-auth.ts); a connection that drops is forgotten
 * so the next step reconnects. Commands run in remote-exec.ts, which ends them for real on cancel or timeout.
 */
import ssh2 from 'ssh2';
import { openShell } from './shell-channel.js';
import type { Client as SshClient, ClientChannel } from 'ssh2';
import type { AuthPrompts, HostKeyVerdict, HostKeyVerifier, ResolvedHost, SshConnection, SshErrorKind, SshPool } from './types.js';
import { agentSocketFor, createHopAuth, createKeyCache, hostLabel } from './ssh-auth.js';
import { execOn, MAX_SESSIONS, type ExecSlots } from './remote-exec.js';
import { createSessionsAhead } from './session-ahead.js';

export { killScript, shellQuote, wrapCommand } from './remote-exec.js';

const { Client } = ssh2;

export interface SshPoolDeps {
  verifier: HostKeyVerifier;
  prompts: AuthPrompts;
  /** undefined: SSH_AUTH_SOCK; null: no agent. A host's identityAgent wins. */
  agentSocket?: string | null;
  readFile(path: string): Promise<Buffer>;
  home: string;
  clock: { now(): number };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
  idleMs?: number;
  keepaliveMs?: number;
  connectTimeoutMs?: number;
  /** Cancel/timeout: SIGINT, then SIGTERM after `interrupt` ms, then SIGKILL after `terminate` more. */
  graceMs?: { interrupt: number; terminate: number };
}

/** An idle connection stays open this long: reconnecting costs ~45 ms and maybe a prompt; an open one a socket. */
const IDLE_MS = 5 * 60_000;
/** Keepalive every 15 s, 3 unanswered = dead: a dropped link is noticed in ~45 s for one tiny packet per 15 s. */
const KEEPALIVE_MS = 15_000;
const KEEPALIVE_COUNT_MAX = 3;
/** Connecting may take this long without progress; the clock stops while a person is asked something. */
const CONNECT_TIMEOUT_MS = 20_000;
/** A terminal that finds no free session retries this often, 20 ms doubling (~0.3 s in all). */
const SHELL_RETRIES = 4;
const OPEN_RETRY_MS = 20;
/** Same escalation as local-exec: the script's traps get a chance before SIGTERM, then SIGKILL. */
const GRACE_MS = { interrupt: 2000, terminate: 3000 };

/**
 * Connections being set up at once (each hop counts). A handshake's key exchange and signatures run synchronously
 * in ssh2, ~5 ms of this machine's CPU each, and sockets that answer together are served in one turn of the event
 * loop: a 50-host fan-out on fresh connections, all 50 at once, held it for 90-190 ms at a stretch (terminals and
 * clicks froze). 16 at a time: 30-50 ms, for ~5% more total time; 8: 20-45 ms, ~15%. A default fan-out runs 10.
 */
const MAX_HANDSHAKES = 16;

/** Runs at most `max` tasks at once; the rest wait their turn, in order. */
function createLimiter(max: number): { run<T>(task: () => Promise<T>): Promise<T> } {
  let active = 0;
  const waiting: Array<() => void> = [];
  return {
    async run(task) {
      if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next(); // the slot passes on
        else active--;
      }
    },
  };
}

export class SshError extends Error {
  readonly kind: SshErrorKind;
  constructor(kind: SshErrorKind, message: string) {
    super(message);
    this.name = 'SshError';
    this.kind = kind;
  }
}

/** The hops to go through and then the host itself, in connection order. */
function chainOf(host: ResolvedHost, depth = 0): ResolvedHost[] {
  if (depth > 8) throw new SshError('network', `too many jump hosts on the way to ${host.name} (a loop?)`);
  return [...host.jump.flatMap((hop) => chainOf(hop, depth + 1)), host];
}

/** A pooled connection: the hops' clients (the last is the host), its commands' slots, and what callers hold. */
interface Live extends ExecSlots {
  key: string;
  clients: SshClient[];
  idleTimer: unknown;
  /** When a command, a terminal or a caller last used it (clock.now()). */
  lastUsed: number;
  facade: SshConnection;
}

export function createSshPool(deps: SshPoolDeps): SshPool {
  const { timers, clock } = deps;
  const idleMs = deps.idleMs ?? IDLE_MS;
  const grace = deps.graceMs ?? GRACE_MS;
  const connectTimeoutMs = deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS;
  const defaultAgent = deps.agentSocket === undefined ? (process.env.SSH_AUTH_SOCK ?? null) : deps.agentSocket;
  const entries = new Map<string, { promise: Promise<Live>; live: Live | null }>();
  const connecting = new Set<SshClient>();
  const keys = createKeyCache();
  let disposed = false;
  const handshakes = createLimiter(MAX_HANDSHAKES);

  // ---- connecting one hop ------------------------------------------------------------------------------------

  function openClient(host: ResolvedHost, sock: NodeJS.ReadableStream | undefined): Promise<{ client: SshClient; verdict: HostKeyVerdict & { ok: true }; forwardAgent: boolean }> {
    const client = new Client();
    connecting.add(client);
    const agentPath = agentSocketFor(host, defaultAgent, deps.home);
    let verdict: HostKeyVerdict | null = null;
    let verifyError: string | null = null;
    let timer: unknown = null;
    let timedOut = false;
    let settled = false;

    const armTimer = (): void => {
      disarmTimer();
      if (settled) return; // ssh2 verifies the host key again on every re-key: that must not restart this clock
      timer = timers.setTimeout(() => {
        timedOut = true;
        client.destroy();
      }, connectTimeoutMs);
    };
    const disarmTimer = (): void => {
      if (timer !== null) timers.clearTimeout(timer);
      timer = null;
    };
    /** Waits for a person (or the trust store) with the connect clock stopped. */
    const asking = async <T>(question: () => Promise<T>): Promise<T> => {
      disarmTimer();
      try {
        return await question();
      } finally {
        armTimer();
      }
    };
    const auth = createHopAuth(host, agentPath, deps, keys, asking);

    return new Promise((resolve, reject) => {
      let ready = false;
      const fail = (kind: SshErrorKind, message: string): void => {
        disarmTimer();
        connecting.delete(client);
        if (!settled) reject(new SshError(kind, message));
        settled = true;
        client.destroy();
      };
      client.on('connect', () => client.setNoDelay(true)); // Nagle costs ~44 ms per command on an interactive link
      client.on('ready', () => {
        ready = true;
        disarmTimer();
        connecting.delete(client);
        if (settled) return void client.end();
        settled = true;
        if (verdict?.ok) resolve({ client, verdict, forwardAgent: host.forwardAgent && agentPath !== null });
        else fail('host-key', `no host key verdict for ${hostLabel(host)}`);
      });
      client.on('error', (error: Error & { level?: string }) => {
        if (ready) return; // after ready, the connection's own handlers deal with it
        if (error.level === 'agent') return auth.note(`the agent failed (${error.message})`);
        if (verdict && !verdict.ok) return fail('host-key', `not connecting to ${host.name} (${host.address}:${host.port}): ${verdict.message}`);
        if (verifyError !== null) return fail('host-key', `could not check the host key of ${host.name}: ${verifyError}`);
        if (error.level === 'client-authentication') {
          if (/All configured authentication methods failed/.test(error.message)) return fail('auth', auth.failure());
          return auth.note(error.message);
        }
        if (timedOut) return fail('timeout', `timed out connecting to ${hostLabel(host)} after ${connectTimeoutMs} ms`);
        fail('network', `could not connect to ${hostLabel(host)}: ${error.message}`);
      });
      client.on('close', () => {
        if (ready || settled) return;
        if (timedOut) return fail('timeout', `timed out connecting to ${hostLabel(host)} after ${connectTimeoutMs} ms`);
        if (verdict && !verdict.ok) return fail('host-key', `not connecting to ${host.name} (${host.address}:${host.port}): ${verdict.message}`);
        fail(disposed ? 'disposed' : 'network', disposed ? 'the SSH pool was disposed' : `${hostLabel(host)} closed the connection before login`);
      });
      armTimer();
      try {
        client.connect({
          ...(sock ? { sock: sock as never } : { host: host.address, port: host.port }),
          username: host.user,
          readyTimeout: 0, // our own timer, which stops while a person is asked something
          keepaliveInterval: deps.keepaliveMs ?? KEEPALIVE_MS,
          keepaliveCountMax: KEEPALIVE_COUNT_MAX,
          tryKeyboard: true,
          ...(host.forwardAgent && agentPath ? { agent: agentPath } : {}), // forwarded per command: see execOn (remote-exec.ts)
          // ssh2 asks during key exchange, before the first authentication request: a refused key sends no credential.
          hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
            void asking(() => deps.verifier.verify({ host: host.name, address: host.address, port: host.port, key })).then(
              (v) => {
                verdict = v;
                verify(v.ok);
              },
              (error: unknown) => {
                verifyError = error instanceof Error ? error.message : String(error);
                verify(false);
              },
            );
          },
          authHandler: auth.handler, // agent, key files, password, keyboard-interactive: see ssh-auth.ts
        });
      } catch (error) {
        fail('network', `could not connect to ${hostLabel(host)}: ${(error as Error).message}`);
      }
    });
  }

  function forwardTo(via: SshClient, viaHost: ResolvedHost, hop: ResolvedHost): Promise<ClientChannel> {
    return new Promise((resolve, reject) => {
      via.forwardOut('127.0.0.1', 0, hop.address, hop.port, (error, stream) => {
        if (error) reject(new SshError('network', `the jump host ${viaHost.name} could not reach ${hop.address}:${hop.port}: ${error.message}`));
        else resolve(stream);
      });
    });
  }

  async function establish(key: string, host: ResolvedHost): Promise<Live> {
    const chain = chainOf(host);
    const clients: SshClient[] = [];
    let verdict: (HostKeyVerdict & { ok: true }) | null = null;
    let forwardAgent = false;
    try {
      for (const [i, hop] of chain.entries()) {
        const prev = clients[i - 1];
        const prevHost = chain[i - 1];
        const sock = prev && prevHost ? await forwardTo(prev, prevHost, hop) : undefined;
        const opened = await handshakes.run(() => {
          if (disposed) throw new SshError('disposed', 'the SSH pool was disposed');
          return openClient(hop, sock);
        });
        clients.push(opened.client);
        verdict = opened.verdict;
        forwardAgent = opened.forwardAgent;
      }
    } catch (error) {
      for (const c of clients.reverse()) goodbye(c);
      throw error;
    }
    if (!verdict) throw new SshError('network', `nothing to connect to for ${host.name}`);
    const live = makeLive(key, host, clients, verdict, forwardAgent);
    if (disposed) {
      closeLive(live);
      throw new SshError('disposed', 'the SSH pool was disposed');
    }
    return live;
  }

  // ---- a pooled connection -----------------------------------------------------------------------------------

  /** Says goodbye (SSH disconnect), and drops the socket if the server does not close it within a second. */
  function goodbye(c: SshClient): void {
    c.end();
    timers.setTimeout(() => c.destroy(), 1000);
  }

  function closeLive(live: Live): void {
    if (live.lost) return;
    live.lost = true;
    if (live.idleTimer !== null) timers.clearTimeout(live.idleTimer);
    live.idleTimer = null;
    const entry = entries.get(live.key);
    if (entry?.live === live) entries.delete(live.key);
    live.ahead.release();
    for (const c of [...live.clients].reverse()) goodbye(c);
    for (const onLost of [...live.running]) onLost();
    for (const start of live.queue.splice(0)) start();
  }

  /**
   * Notes a use of the connection. One timer checks for idleness, re-armed when it finds the connection used since
   * (or busy) rather than on every use: each step touches the connection several times.
   */
  function touch(live: Live): void {
    live.lastUsed = clock.now();
    if (live.idleTimer === null && !live.lost) live.idleTimer = timers.setTimeout(() => idleCheck(live), idleMs);
  }

  function idleCheck(live: Live): void {
    live.idleTimer = null;
    if (live.lost) return;
    const idleFor = clock.now() - live.lastUsed;
    if (live.busy === 0 && idleFor >= idleMs) return closeLive(live);
    live.idleTimer = timers.setTimeout(() => idleCheck(live), live.busy === 0 ? idleMs - idleFor : idleMs);
  }

  function makeLive(key: string, host: ResolvedHost, clients: SshClient[], verdict: HostKeyVerdict & { ok: true }, forwardAgent: boolean): Live {
    const final = clients[clients.length - 1] as SshClient;
    const live: Live = {
      key,
      clients,
      endpoint: { host: host.name, address: host.address, port: host.port, user: host.user, keyType: verdict.keyType, fingerprint: verdict.fingerprint },
      lost: false,
      busy: 0,
      forwardAgent,
      queue: [],
      running: new Set(),
      // One session held for the next command, while there is room for it besides two for ending commands.
      ahead: createSessionsAhead(final, () => !live.lost && !live.forwardAgent && live.busy < MAX_SESSIONS - 1),
      idleTimer: null,
      lastUsed: clock.now(),
      facade: null as unknown as SshConnection,
    };
    live.facade = {
      endpoint: live.endpoint,
      exec: (command, opts) => execOn(live, final, command, opts, { timers, clock, grace, touch: () => touch(live), closeLive: () => closeLive(live) }),
      shell: async (opts) => {
        // An open shell keeps the connection from idling out, like a running command.
        const closed = (): void => {
          live.busy--;
          touch(live);
        };
        for (let attempt = 0; ; attempt++) {
          live.busy++;
          touch(live);
          try {
            return await openShell(final, opts, closed);
          } catch (error) {
            // All sessions taken: give back one held for the next command, and retry while the server frees it (it
            // frees a session a moment after its channel closed, so a command that just ended may still hold one).
            if (!/open failed/i.test((error as Error).message) || attempt >= SHELL_RETRIES) throw error;
            live.ahead.release();
            await new Promise<void>((r) => timers.setTimeout(() => r(), OPEN_RETRY_MS * 2 ** attempt));
          }
        }
      },
      close: () => closeLive(live),
      get startedAhead() {
        return live.ahead.used;
      },
    };
    for (const c of clients) {
      // A drop anywhere on the chain (a hop, or the host after the laptop slept) ends the connection: forget it.
      c.on('error', () => closeLive(live));
      c.on('end', () => closeLive(live));
      c.on('close', () => closeLive(live));
    }
    touch(live);
    return live;
  }

  // ---- the pool ----------------------------------------------------------------------------------------------

  const poolKeys = new WeakMap<ResolvedHost, string>();
  const keyOf = (host: ResolvedHost): string => {
    let key = poolKeys.get(host);
    if (key === undefined) {
      key = chainOf(host).map((h) => `${h.name}=${hostLabel(h)}`).join(' > ');
      poolKeys.set(host, key);
    }
    return key;
  };

  return {
    connected(host) {
      if (disposed) return null;
      const live = entries.get(keyOf(host))?.live;
      if (!live || live.lost) return null;
      touch(live);
      return live.facade;
    },
    connect(host) {
      if (disposed) return Promise.reject(new SshError('disposed', 'the SSH pool was disposed'));
      const key = keyOf(host);
      const existing = entries.get(key);
      if (existing) {
        if (existing.live) touch(existing.live);
        return existing.promise.then((l) => l.facade);
      }
      const entry: { promise: Promise<Live>; live: Live | null } = { promise: establish(key, host), live: null };
      entries.set(key, entry);
      entry.promise.then(
        (live) => {
          if (entries.get(key) !== entry) return;
          if (live.lost) entries.delete(key); // dropped before we got here
          else entry.live = live;
        },
        () => {
          if (entries.get(key) === entry) entries.delete(key);
        },
      );
      return entry.promise.then((l) => l.facade);
    },
    async dispose() {
      disposed = true;
      const all = [...entries.values()];
      entries.clear();
      for (const c of connecting) c.destroy();
      const lives = await Promise.all(all.map((e) => e.promise.catch(() => null)));
      const closes: Array<Promise<void>> = [];
      for (const live of lives) {
        if (!live || live.lost) continue;
        for (const c of live.clients) closes.push(new Promise((r) => c.once('close', () => r())));
        closeLive(live);
      }
      if (closes.length > 0) {
        // Bounded: a server that never answers the close must not hold up quitting (nor keep the process alive after).
        let timer: unknown;
        await Promise.race([Promise.all(closes), new Promise((r) => (timer = timers.setTimeout(() => r(null), 2000)))]);
        timers.clearTimeout(timer);
      }
      keys.unlocked.clear();
    },
  };
}
