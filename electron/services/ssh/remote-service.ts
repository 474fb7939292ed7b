/**
 * Remote execution as the rest of the app sees it: inventory names in, commands run over the pooled connection out.
 * It resolves hosts and their jump chains from the inventory, checks host keys against known_hosts and Opsdeck's
 * store, and routes every question (unknown key, passphrase, password) to the prompt broker.
 */
import { readdir, readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { HostTest, SshConfigPreview } from '../../../shared/contract/hosts.js';
import type { RemoteRunner } from '../runs/attempts.js';
import type { HostStore } from '../store/host-store.js';
import { createSshPool } from './connection-pool.js';
import type { PromptBroker } from './prompt-broker.js';
import { NO_VAULT, type SecretVault } from './secret-vault.js';
import { readSshConfigPreview } from './ssh-config-import.js';
import { createHostKeyVerifier } from './trust.js';
import type { ResolvedHost, ShellChannel, ShellOptions, SshConnection } from './types.js';

export interface RemoteServiceDeps {
  hosts: HostStore;
  prompts: PromptBroker;
  /** Keeps passphrases the user asked to remember, encrypted by the OS keychain; absent: never saved. */
  vault?: SecretVault;
  home: string;
  clock: { now(): number };
}

export interface RemoteService {
  runner: RemoteRunner;
  test(name: string): Promise<HostTest>;
  previewSshConfig(file: string): Promise<SshConfigPreview>;
  /** An interactive shell on an inventory host, over its pooled connection. */
  openShell(name: string, opts: ShellOptions): Promise<ShellChannel & { user: string }>;
  /** Closes the pooled connection to a host (its entry changed, or its key was forgotten). */
  disconnect(name: string): void;
  dispose(): Promise<void>;
}

/**
 * On a warm connection a step's start is recorded when the server accepts it (~1 ms), or after this long without an
 * answer. Shorter: more steps recorded before their exec is sent (a round trip slower); longer: a step on a dead
 * connection shows as running (and can be cancelled) later.
 */
const UNDERWAY_WAIT_MS = 100;
/** How long `hosts test` waits for `true`: a healthy host answers in milliseconds. */
const TEST_TIMEOUT_MS = 15_000;
/** Longest ProxyJump chain followed: deeper chains are almost always a loop in the inventory. */
const MAX_HOPS = 8;

const readText = async (path: string): Promise<string | null> => {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return null;
  }
};

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'root';
  }
}

export function createRemoteService(deps: RemoteServiceDeps): RemoteService {
  const timers = { setTimeout: (fn: () => void, ms: number): unknown => setTimeout(fn, ms), clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout) };
  const { hosts, prompts } = deps;
  const vault = deps.vault ?? NO_VAULT;
  const secret = async (question: Parameters<PromptBroker['ask']>[0]): Promise<string | null> => {
    const answer = await prompts.ask(question);
    return answer.kind === 'secret' ? answer.secret : null;
  };
  const verifier = createHostKeyVerifier({
    readFile: readText,
    store: hosts.keys,
    prompt: async (p) => {
      const answer = await prompts.ask({ kind: 'host-key', host: p.host, address: p.address, port: p.port, keyType: p.keyType, fingerprint: p.fingerprint });
      return answer.kind === 'host-key' && answer.accept;
    },
  });
  const pool = createSshPool({
    verifier,
    prompts: {
      passphrase: async (host, keyFile, retry) => {
        const key = `passphrase:${keyFile}`;
        if (retry) await vault.delete(key); // a remembered one that was just refused is wrong now
        const saved = retry ? null : await vault.get(key);
        if (saved !== null) return saved;
        const answer = await prompts.ask({ kind: 'passphrase', host, keyFile, retry, canRemember: vault.available });
        if (answer.kind !== 'secret') return null;
        if (answer.remember && vault.available) await vault.set(key, answer.secret);
        return answer.secret;
      },
      password: (host, user, retry) => secret({ kind: 'password', host, user, retry }),
      keyboardInteractive: async (host, name, instructions, questions) => {
        const answer = await prompts.ask({ kind: 'keyboard-interactive', host, name, instructions, prompts: questions });
        return answer.kind === 'responses' ? answer.responses : null;
      },
    },
    readFile: (path) => readFile(path),
    home: deps.home,
    clock: deps.clock,
    timers,
  });
  const open = new Map<string, SshConnection>();
  /** Inventory entries are kept, unchanged, by the host store until they change: each resolved once (no jump hosts). */
  const resolved = new WeakMap<object, ResolvedHost>();

  /** An inventory name, or a `[user@]host[:port]` hop that is not in the inventory. */
  const resolve = (name: string, seen: string[] = []): ResolvedHost => {
    if (seen.includes(name) || seen.length >= MAX_HOPS) throw new Error(`the jump hosts of ${seen[0] ?? name} loop or go deeper than ${MAX_HOPS}: ${[...seen, name].join(' → ')}`);
    const entry = hosts.byName(name);
    if (!entry) {
      const m = /^(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(name);
      if (!m?.[2] || seen.length === 0) throw new Error(`no host "${name}" in the inventory`);
      return { name, address: m[2].replace(/^\[|\]$/g, ''), port: m[3] ? Number(m[3]) : 22, user: m[1] ?? localUser(), identityFile: null, identityAgent: null, forwardAgent: false, jump: [] };
    }
    const known = entry.jump.length === 0 ? resolved.get(entry) : undefined;
    if (known) return known;
    const host: ResolvedHost = {
      name: entry.name,
      address: entry.address,
      port: entry.port,
      user: entry.user ?? localUser(),
      identityFile: entry.identityFile,
      identityAgent: entry.identityAgent,
      forwardAgent: entry.forwardAgent,
      jump: entry.jump.map((hop) => resolve(hop, [...seen, name])),
    };
    if (entry.jump.length === 0) resolved.set(entry, host);
    return host;
  };

  const connect = async (name: string): Promise<SshConnection> => {
    const connection = await pool.connect(resolve(name));
    open.set(name, connection);
    return connection;
  };
  /** The warm connection to `name`, without waiting: a step starts at once instead of after the caller's work. */
  const connectedNow = (name: string): SshConnection | null => {
    const connection = pool.connected(resolve(name));
    if (connection) open.set(name, connection);
    return connection;
  };

  const runner: RemoteRunner = {
    hostsWithTag: (tag) => hosts.list().filter((h) => h.tags.includes(tag)).map((h) => h.name),
    async exec(host, command, opts) {
      if (opts.cancel.requested) throw new Error('cancelled before it started');
      // No await before exec on a warm connection: the channel open leaves before the caller records the start.
      const warm = connectedNow(host);
      // A warm connection that does not answer (it died while the laptop slept) still shows a running, cancellable step soon.
      let waiting: unknown = warm ? timers.setTimeout(opts.onUnderway, UNDERWAY_WAIT_MS) : null;
      const underway = (): void => {
        if (waiting !== null) timers.clearTimeout(waiting);
        waiting = null;
        opts.onUnderway();
      };
      try {
        if (!warm) underway();
        const connection = warm ?? (await connect(host));
        if (opts.cancel.requested) throw new Error('cancelled before it started');
        const handle = connection.exec(command, { env: opts.env, timeoutMs: opts.timeoutMs, onOutput: opts.onOutput, onStarted: underway });
        opts.flow?.register(handle);
        opts.cancel.onRequest(() => handle.cancel());
        return { endpoint: connection.endpoint, exit: await handle.exited };
      } finally {
        if (waiting !== null) timers.clearTimeout(waiting);
      }
    },
  };

  return {
    runner,
    async test(name) {
      const started = deps.clock.now();
      try {
        const connection = await connect(name);
        const exit = await connection.exec('true', { timeoutMs: TEST_TIMEOUT_MS, onOutput: () => undefined }).exited;
        const { endpoint } = connection;
        const ok = exit.exitCode === 0;
        return {
          ok,
          message: ok ? `logged in as ${endpoint.user}@${endpoint.address}:${endpoint.port} and ran \`true\`` : `connected, but \`true\` ended with ${exit.exitCode ?? exit.signal ?? 'no status'}`,
          keyType: endpoint.keyType,
          fingerprint: endpoint.fingerprint,
          latencyMs: deps.clock.now() - started,
        };
      } catch (error) {
        return { ok: false, message: error instanceof Error ? error.message : String(error), keyType: null, fingerprint: null, latencyMs: null };
      }
    },
    previewSshConfig: async (file) => {
      const preview = await readSshConfigPreview(file, { readFile: readText, listDir: (dir) => readdir(dir), home: deps.home });
      return { ...preview, hosts: preview.hosts.map((h) => ({ ...h, exists: false })) };
    },
    openShell: async (name, opts) => {
      const connection = await connect(name);
      // The user travels with the channel so the terminal's title can say `user@host`.
      return Object.assign(await connection.shell(opts), { user: connection.endpoint.user });
    },
    disconnect(name) {
      open.get(name)?.close();
      open.delete(name);
    },
    dispose: () => pool.dispose(),
  };
}
