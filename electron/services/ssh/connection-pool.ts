/**
 * One SSH connection per host, shared by every step that runs there: connecting costs ~45 ms and a prompt or two,
 * a command on an open connection ~2-4 ms. Host keys are checked during key exchange, before any credential is sent;
 * secrets are asked for only when needed and kept in memory only; a connection that drops is forgotten so the next
 * step reconnects. Remote commands are ended for real on cancel or timeout (see `killScript`).
 */
import ssh2 from 'ssh2';
import { openShell } from './shell-channel.js';
import type { AnyAuthMethod, Client as SshClient, ClientChannel, ExecOptions, ParsedKey } from 'ssh2';
import { StringDecoder } from 'node:string_decoder';
import type { RemoteEndpoint } from '../../../shared/contract/hosts.js';
import type {
  AuthPrompts, HostKeyVerdict, HostKeyVerifier, RemoteExecHandle, RemoteExecOptions, RemoteExit, RemoteStream,
  ResolvedHost, SshConnection, SshErrorKind, SshPool,
} from './types.js';

const { Client, OpenSSHAgent, utils } = ssh2;

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
/** Same escalation as local-exec: the script's traps get a chance before SIGTERM, then SIGKILL. */
const GRACE_MS = { interrupt: 2000, terminate: 3000 };
/** Output is held this long and sent as one event: fewer events for a few ms of latency (as local-exec). */
const BATCH_MS = 5;
/** If ending a command gets no answer from the server this long after SIGKILL was due, the channel is dropped anyway. */
const END_SLACK_MS = 3000;
/** Commands open at once on one connection; more wait. OpenSSH allows 10 sessions; two stay free for ending commands. */
const MAX_SESSIONS = 8;
/**
 * sshd frees a session a moment after its channel closes, so a burst can briefly find all 10 taken: retry the open
 * 6 times, 20 ms doubling (~1.3 s in all), before telling the user; a server that allows fewer sessions fails that late.
 */
const OPEN_RETRIES = 6;
const OPEN_RETRY_MS = 20;
/** Wrong passphrases or passwords accepted before giving up on that method. */
const SECRET_TRIES = 3;
/** The keys OpenSSH tries when a host names none (those that exist). */
const DEFAULT_KEYS = ['~/.ssh/id_ed25519', '~/.ssh/id_ecdsa', '~/.ssh/id_rsa'];
/** First stderr line of every command: the process group to signal; stripped before output is delivered. */
const PGID_MARKER = Buffer.from('\u0001opsdeck-pgid ');
const NEWLINE = Buffer.from('\n');
/** Stderr held back while looking for that line: rc-file noise before it is rarely longer; more delays stderr. */
const HEAD_LIMIT = 4096;

export class SshError extends Error {
  readonly kind: SshErrorKind;
  constructor(kind: SshErrorKind, message: string) {
    super(message);
    this.name = 'SshError';
    this.kind = kind;
  }
}

/** Single quotes for POSIX sh: nothing inside is expanded; a `'` becomes `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * What the server runs for `command`. OpenSSH starts the user's login shell (`$SHELL -c`) in a new session, so `$$`
 * is the id of a process group holding everything the command starts; we print it first on stderr (stripped before
 * delivery) so that ending the command can signal the whole group. Env values are set with `export NAME='value'`
 * lines instead of SSH "env" requests: OpenSSH drops every name its AcceptEnv does not list (by default all but LANG
 * and LC_*), silently. Assumes a POSIX login shell (sh, bash, dash, zsh, ksh), as `ssh host cmd` does.
 */
export function wrapCommand(command: string, env: Record<string, string> = {}): string {
  const exports = Object.entries(env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`not a shell variable name: ${JSON.stringify(name)}`);
    return `export ${name}=${shellQuote(value)}\n`;
  });
  return `printf '\\001opsdeck-pgid %s\\n' "$$" >&2\n${exports.join('')}${command}`;
}

/**
 * Ends a command's process group, run on a second channel of the same connection. We signal the group rather than
 * close the channel: without a pty sshd sends no SIGHUP, and with one stdout and stderr would merge and `nohup` or a
 * HUP trap would survive. Escalates INT -> TERM -> KILL, polling until no live member is left (zombies waiting for
 * an init that does not reap them do not count), so the channel's close means the processes are gone.
 */
export function killScript(pgid: number, grace: { interrupt: number; terminate: number }): string {
  const polls = (ms: number): number => Math.max(1, Math.ceil(ms / 50));
  return [
    `g=${Math.trunc(pgid)}`,
    'if ps -A -o pgid= -o stat= >/dev/null 2>&1; then',
    '  alive() { ps -A -o pgid= -o stat= | awk -v g="$g" \'$1 == g && $2 !~ /^Z/ { f = 1 } END { exit !f }\'; }',
    'else',
    '  alive() { kill -0 -- "-$g" 2>/dev/null; }',
    'fi',
    'hit() { kill -s "$1" -- "-$g" 2>/dev/null || kill -s "$1" "$g" 2>/dev/null; }',
    'linger() { n=0; while alive && [ "$n" -lt "$1" ]; do sleep 0.05 2>/dev/null || sleep 1; n=$((n + 1)); done; }',
    `hit INT; linger ${polls(grace.interrupt)}`,
    `if alive; then hit TERM; linger ${polls(grace.terminate)}; fi`,
    'if alive; then hit KILL; fi',
    'exit 0',
  ].join('\n');
}

function listJoin(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** The hops to go through and then the host itself, in connection order. */
function chainOf(host: ResolvedHost, depth = 0): ResolvedHost[] {
  if (depth > 8) throw new SshError('network', `too many jump hosts on the way to ${host.name} (a loop?)`);
  return [...host.jump.flatMap((hop) => chainOf(hop, depth + 1)), host];
}

const hostLabel = (h: ResolvedHost): string => `${h.user}@${h.address}:${h.port}`;

interface Live {
  key: string;
  clients: SshClient[];
  endpoint: RemoteEndpoint;
  lost: boolean;
  busy: number;
  /** Ask for agent forwarding on each command (the host's ForwardAgent, until the server refuses it once). */
  forwardAgent: boolean;
  queue: Array<() => void>;
  running: Set<() => void>;
  idleTimer: unknown;
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
  /**
   * Keys unlocked with a passphrase, by absolute path, in memory for the pool's life (never written anywhere):
   * reconnecting neither asks again nor pays bcrypt again. Concurrent connects share one prompt.
   */
  const unlocked = new Map<string, { passphrase: string; data: Buffer; key: ParsedKey }>();
  const unlocking = new Map<string, Promise<ParsedKey | null>>();
  let disposed = false;

  const expand = (path: string): string => (path === '~' || path.startsWith('~/') ? deps.home + path.slice(1) : path);
  const shown = (path: string): string => (path.startsWith(`${deps.home}/`) ? `~${path.slice(deps.home.length)}` : path);

  // ---- connecting one hop ------------------------------------------------------------------------------------

  function openClient(host: ResolvedHost, sock: NodeJS.ReadableStream | undefined): Promise<{ client: SshClient; verdict: HostKeyVerdict & { ok: true }; forwardAgent: boolean }> {
    const client = new Client();
    connecting.add(client);
    const agentPath = host.identityAgent && host.identityAgent !== 'none' ? expand(host.identityAgent) : host.identityAgent === 'none' ? null : defaultAgent;
    let methodsLeft: string[] | null = null;
    const tried = { agentKeys: 0, keys: [] as string[], passwords: 0, keyboard: false };
    const notes: string[] = [];
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
    const allows = (method: string): boolean => methodsLeft === null || methodsLeft.includes(method);

    async function unlock(path: string, data: Buffer): Promise<ParsedKey | null> {
      const parse = (passphrase: string): ParsedKey | null => {
        const parsed = utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
        return parsed instanceof Error ? null : Array.isArray(parsed) ? (parsed[0] ?? null) : parsed;
      };
      const known = unlocked.get(path);
      if (known?.data.equals(data)) return known.key;
      if (known) {
        // The file changed: the same passphrase may still open it (bcrypt makes each try cost ~300 ms, hence the cache).
        const key = parse(known.passphrase);
        if (key) {
          unlocked.set(path, { passphrase: known.passphrase, data, key });
          return key;
        }
        unlocked.delete(path);
      }
      let pending = unlocking.get(path);
      if (!pending) {
        pending = (async () => {
          for (let attempt = 0; attempt < SECRET_TRIES; attempt++) {
            const passphrase = await asking(() => deps.prompts.passphrase(host.name, shown(path), attempt > 0));
            if (passphrase === null) return null;
            const key = parse(passphrase);
            if (key) {
              unlocked.set(path, { passphrase, data, key });
              return key;
            }
          }
          return null;
        })().finally(() => unlocking.delete(path));
        unlocking.set(path, pending);
      }
      const key = await pending;
      if (!key) notes.push(`the key ${shown(path)} stayed locked (no right passphrase given)`);
      return key;
    }

    async function loadKey(file: string, explicit: boolean): Promise<ParsedKey | null> {
      const path = expand(file);
      let data: Buffer;
      try {
        data = await deps.readFile(path);
      } catch (error) {
        if (explicit) notes.push(`the key ${shown(path)} could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
        return null;
      }
      const parsed = utils.parseKey(data) as ParsedKey | ParsedKey[] | Error;
      if (!(parsed instanceof Error)) return Array.isArray(parsed) ? (parsed[0] ?? null) : parsed;
      if (/passphrase/i.test(parsed.message)) return unlock(path, data);
      notes.push(`${shown(path)} is not a private key we can use (${parsed.message})`);
      return null;
    }

    /** The order OpenSSH uses: agent, key file, password, keyboard-interactive; each only if the server offers it. */
    async function* attempts(): AsyncGenerator<AnyAuthMethod> {
      const username = host.user;
      yield { type: 'none', username }; // learns which methods the server accepts, as OpenSSH does
      if (agentPath && allows('publickey')) {
        const agent = new OpenSSHAgent(agentPath);
        const count = await new Promise<number>((resolve) => {
          agent.getIdentities((error, keys) => {
            if (error) notes.push(`the agent at ${shown(agentPath)} did not answer (${error.message})`);
            resolve(keys?.length ?? 0);
          });
        });
        if (count > 0) {
          tried.agentKeys = count;
          yield { type: 'agent', username, agent };
        }
      }
      for (const file of host.identityFile ? [host.identityFile] : DEFAULT_KEYS) {
        if (!allows('publickey')) break;
        const key = await loadKey(file, host.identityFile !== null);
        if (!key) continue;
        tried.keys.push(shown(expand(file)));
        yield { type: 'publickey', username, key };
      }
      for (let attempt = 0; attempt < SECRET_TRIES && allows('password'); attempt++) {
        const password = await asking(() => deps.prompts.password(host.name, username, attempt > 0));
        if (password === null) break;
        tried.passwords++;
        yield { type: 'password', username, password };
      }
      for (let attempt = 0; attempt < SECRET_TRIES && allows('keyboard-interactive'); attempt++) {
        let declined = false;
        tried.keyboard = true;
        yield {
          type: 'keyboard-interactive',
          username,
          prompt: (name, instructions, _lang, prompts, finish) => {
            void asking(() => deps.prompts.keyboardInteractive(host.name, name, instructions, prompts.map((p) => ({ prompt: p.prompt, echo: p.echo ?? false }))))
              .then((answers) => {
                declined = answers === null;
                finish(answers ?? []);
              }, () => finish([]));
          },
        };
        if (declined) break;
      }
    }

    /** "the server refused the agent's 2 keys and the key ~/.ssh/id_ed25519 for deploy@10.0.0.5:22", plus why not more. */
    const authFailure = (): string => {
      const refused = [
        ...(tried.agentKeys === 1 ? ["the agent's key"] : tried.agentKeys > 1 ? [`the agent's ${tried.agentKeys} keys`] : []),
        ...tried.keys.map((k) => `the key ${k}`),
        ...(tried.passwords === 1 ? ['the password'] : tried.passwords > 1 ? [`${tried.passwords} passwords`] : []),
        ...(tried.keyboard ? ['the keyboard-interactive answers'] : []),
      ];
      const offered = methodsLeft ? ` (it accepts: ${methodsLeft.join(', ')})` : '';
      const what = refused.length > 0 ? `the server refused ${listJoin(refused)}` : `nothing to log in with${offered}`;
      return `${what} for ${hostLabel(host)}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}`;
    };

    return new Promise((resolve, reject) => {
      let ready = false;
      const fail = (kind: SshErrorKind, message: string): void => {
        disarmTimer();
        connecting.delete(client);
        if (!settled) reject(new SshError(kind, message));
        settled = true;
        client.destroy();
      };
      const gen = attempts();
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
        if (error.level === 'agent') return void notes.push(`the agent failed (${error.message})`);
        if (verdict && !verdict.ok) return fail('host-key', `not connecting to ${host.name} (${host.address}:${host.port}): ${verdict.message}`);
        if (verifyError !== null) return fail('host-key', `could not check the host key of ${host.name}: ${verifyError}`);
        if (error.level === 'client-authentication') {
          if (/All configured authentication methods failed/.test(error.message)) return fail('auth', authFailure());
          return void notes.push(error.message);
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
          ...(host.forwardAgent && agentPath ? { agent: agentPath } : {}), // forwarded per command: see execOn
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
          authHandler: (left, _partial, next) => {
            if (left) methodsLeft = left;
            const proceed = next as (m: AnyAuthMethod | false) => void;
            gen.next().then((r) => proceed(r.done ? false : r.value), (error: unknown) => {
              notes.push(error instanceof Error ? error.message : String(error));
              proceed(false);
            });
          },
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
        const opened = await openClient(hop, sock);
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
    for (const c of [...live.clients].reverse()) goodbye(c);
    for (const onLost of [...live.running]) onLost();
    for (const start of live.queue.splice(0)) start();
  }

  function touch(live: Live): void {
    if (live.idleTimer !== null) timers.clearTimeout(live.idleTimer);
    live.idleTimer = live.busy === 0 && !live.lost ? timers.setTimeout(() => closeLive(live), idleMs) : null;
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
      idleTimer: null,
      facade: null as unknown as SshConnection,
    };
    live.facade = {
      endpoint: live.endpoint,
      exec: (command, opts) => execOn(live, final, command, opts),
      shell: (opts) => {
        // An open shell keeps the connection from idling out, like a running command.
        live.busy++;
        touch(live);
        return openShell(final, opts, () => {
          live.busy--;
          touch(live);
        });
      },
      close: () => closeLive(live),
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

  // ---- running a command -------------------------------------------------------------------------------------

  function execOn(live: Live, client: SshClient, command: string, opts: RemoteExecOptions): RemoteExecHandle {
    const wrapped = wrapCommand(command, opts.env);
    const started = clock.now();
    let finished = false;
    let resolveExit: (exit: RemoteExit) => void = () => undefined;
    const exited = new Promise<RemoteExit>((r) => (resolveExit = r));

    let pending: { stream: RemoteStream; text: string } | null = null;
    let batchTimer: unknown = null;
    const flush = (): void => {
      if (batchTimer !== null) timers.clearTimeout(batchTimer);
      batchTimer = null;
      const batch = pending;
      pending = null;
      if (batch && batch.text !== '') opts.onOutput(batch.stream, batch.text);
    };
    const emit = (stream: RemoteStream, text: string): void => {
      if (text === '' || finished) return;
      if (pending && pending.stream !== stream) flush();
      pending ??= { stream, text: '' };
      pending.text += text;
      batchTimer ??= timers.setTimeout(flush, BATCH_MS);
    };
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

    let channel: ClientChannel | null = null;
    let exit: { code: number | null; signal: string | null } | null = null;
    let ending: 'cancel' | 'timeout' | null = null;
    let pgid: number | null = null;
    let head: Buffer | null = Buffer.alloc(0); // stderr until the pgid line is seen (or known absent)
    let killer: 'none' | 'running' | 'done' = 'none';
    let channelClosed = false;
    let slot = false;
    let reopening = false;
    let openFailures = 0;
    const owned = new Set<unknown>();
    const later = (ms: number, fn: () => void): void => {
      const h = timers.setTimeout(() => {
        owned.delete(h);
        fn();
      }, ms);
      owned.add(h);
    };

    const settle = (connectionLost: boolean): void => {
      if (finished) return;
      for (const [stream, decoder] of Object.entries(decoders) as Array<[RemoteStream, StringDecoder]>) {
        if (stream === 'stderr' && head && head.length > 0) emit('stderr', decoder.write(head));
        emit(stream, decoder.end());
      }
      head = null;
      flush();
      finished = true;
      for (const h of owned) timers.clearTimeout(h);
      owned.clear();
      live.running.delete(onLost);
      if (slot) {
        slot = false;
        live.busy--;
        live.queue.shift()?.();
        touch(live);
      }
      resolveExit({
        exitCode: exit?.code ?? null,
        signal: exit?.signal ?? null,
        durationMs: clock.now() - started,
        timedOut: ending === 'timeout',
        cancelled: ending === 'cancel',
        connectionLost,
      });
    };
    /** The channel's close after a drop (ssh2 closes open channels when the socket goes) delivers what arrived first. */
    const onLost = (): void => {
      if (!channel) return settle(true);
      later(1000, () => settle(exit === null));
    };
    live.running.add(onLost);

    const runKiller = (): void => {
      if (killer !== 'none' || pgid === null || finished) return;
      killer = 'running';
      const script = killScript(pgid, grace);
      let failures = 0;
      const fallback = (): void => {
        // No second channel: ask sshd to signal the session's group (not for root logins), then drop the channel.
        channel?.signal('KILL');
        killer = 'done';
        later(500, () => channel?.close());
      };
      const openKiller = (): void => {
        try {
          client.exec(script, (error, k) => {
            if (error && !live.lost && /open failed/i.test(error.message) && failures < OPEN_RETRIES) {
              return later(OPEN_RETRY_MS * 2 ** failures++, openKiller); // all sessions taken, e.g. cancelling many at once
            }
            if (error) return fallback();
            k.on('close', () => {
              killer = 'done';
              if (channelClosed) settle(live.lost && exit === null);
            });
            k.resume();
            k.stderr.resume();
          });
        } catch {
          fallback();
        }
      };
      openKiller();
    };

    const end = (why: 'cancel' | 'timeout'): void => {
      if (finished || ending !== null) return;
      ending = why;
      if (!channel) {
        if (!slot || reopening) return settle(false); // queued, or waiting to retry the open: nothing runs remotely
        return; // the channel is opening: `opened` ends it once it can find the process group
      }
      if (pgid !== null) runKiller();
      else if (head === null) {
        // No group id was printed: ask sshd to signal the session's group (OpenSSH >= 7.9 does, for non-root users).
        channel.signal('INT');
        later(grace.interrupt, () => channel?.signal('TERM'));
        later(grace.interrupt + grace.terminate, () => channel?.signal('KILL'));
      }
      later(grace.interrupt + grace.terminate + END_SLACK_MS, () => {
        channel?.close();
        settle(live.lost && exit === null);
      });
    };

    /**
     * Holds stderr until the group-id line: usually the first bytes, but a login shell's rc file may print first (the
     * classic `stty: not a tty`); what came before is delivered as it was. No line within HEAD_LIMIT: a shell that
     * is not POSIX sh; everything is passed on and ending falls back to sshd's signal request.
     */
    const onStderr = (chunk: Buffer): void => {
      if (head === null) return emit('stderr', decoders.stderr.write(chunk));
      head = Buffer.concat([head, chunk]);
      const at = head.subarray(0, PGID_MARKER.length).equals(PGID_MARKER) ? 0 : head.indexOf(Buffer.concat([NEWLINE, PGID_MARKER]));
      const nl = at === -1 ? -1 : head.indexOf(NEWLINE, at + 1);
      if (nl === -1) {
        if (head.length <= HEAD_LIMIT) return;
        const all = head;
        head = null;
        return emit('stderr', decoders.stderr.write(all));
      }
      const start = at === 0 ? 0 : at + 1;
      const id = Number(head.subarray(start + PGID_MARKER.length, nl).toString('latin1'));
      const before = head.subarray(0, start);
      const rest = head.subarray(nl + 1);
      head = null;
      if (Number.isSafeInteger(id) && id > 1) pgid = id;
      if (ending !== null) runKiller();
      emit('stderr', decoders.stderr.write(Buffer.concat([before, rest])));
    };

    const start = (): void => {
      if (finished) return;
      if (live.lost) return settle(true);
      slot = true;
      live.busy++;
      touch(live);
      const forwarding = live.forwardAgent;
      const open = (): void => {
        try {
          client.exec(wrapped, { agentForward: forwarding && live.forwardAgent } as ExecOptions, opened); // ssh2 reads it; @types/ssh2 lacks it
        } catch {
          closeLive(live); // "Not connected": the socket went before its close reached us
          settle(true);
        }
      };
      const opened = (error: Error | undefined, stream: ClientChannel): void => {
        if (error && forwarding && live.forwardAgent && !live.lost) {
          // ssh would warn and go on without it; so do we, for this connection's life.
          live.forwardAgent = false;
          emit('stderr', `opsdeck: ${live.endpoint.host} refused agent forwarding (${error.message}); running without it\n`);
          return open();
        }
        if (error && !live.lost && !finished && /open failed/i.test(error.message) && openFailures < OPEN_RETRIES) {
          // sshd frees a session slot a moment after the channel closes: right after others ended, wait and retry.
          reopening = true;
          return later(OPEN_RETRY_MS * 2 ** openFailures++, () => {
            reopening = false;
            open();
          });
        }
        if (error) {
          if (live.lost) return settle(true);
          emit('stderr', `opsdeck: could not start the command on ${live.endpoint.host}: ${error.message}\n`);
          return settle(false);
        }
        channel = stream;
        stream.end(); // stdin is empty, as for local steps: a command that reads it gets EOF instead of waiting forever
        stream.on('data', (chunk: Buffer) => emit('stdout', decoders.stdout.write(chunk)));
        stream.stderr.on('data', onStderr);
        stream.on('exit', (code: number | null, signal?: string) => {
          exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null }; // ssh2 says SIGTERM, not TERM
        });
        stream.on('close', () => {
          channelClosed = true;
          if (live.lost && exit === null) return settle(true);
          if (killer === 'running') return; // the group may outlive the shell: wait until the killer saw it gone
          settle(false);
        });
        if (ending !== null) {
          const why = ending;
          ending = null;
          end(why);
        }
      };
      open();
    };

    if (Number.isFinite(opts.timeoutMs) && opts.timeoutMs > 0) later(opts.timeoutMs, () => end('timeout'));
    if (live.busy < MAX_SESSIONS) start();
    else live.queue.push(start);
    return { cancel: () => end('cancel'), exited };
  }

  // ---- the pool ----------------------------------------------------------------------------------------------

  return {
    connect(host) {
      if (disposed) return Promise.reject(new SshError('disposed', 'the SSH pool was disposed'));
      const key = chainOf(host).map((h) => `${h.name}=${hostLabel(h)}`).join(' > ');
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
      await Promise.race([Promise.all(closes), new Promise((r) => timers.setTimeout(() => r(null), 2000))]);
      unlocked.clear();
    },
  };
}
