/**
 * A real OpenSSH sshd on 127.0.0.1 for integration tests: temp host keys, a temp authorized_keys, a free port, and
 * its log (stderr, LogLevel DEBUG1) kept so a test can see which authentication attempts reached the server.
 * Logins go to a dedicated user with an empty home and /bin/sh (no rc files), so remote timings mean something
 * (or, asked for, a second one whose login shell is bash).
 * Also: client keys, a real ssh-agent, and fakes for the pool's host-key verifier and prompts.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import type { SshPoolDeps } from '../../electron/services/ssh/connection-pool.js';
import type { AuthPrompts, HostKeyVerifier, ResolvedHost } from '../../electron/services/ssh/types.js';

const run = promisify(execFile);

export const TEST_USER = 'opsdeck-test';
/** The login shells a test user can have: /bin/sh (dash on Debian; the default) or bash, as most servers' users. */
export type LoginShell = 'sh' | 'bash';
const TEST_ACCOUNTS: Record<LoginShell, { user: string; home: string; shell: string }> = {
  sh: { user: TEST_USER, home: '/var/lib/opsdeck-test', shell: '/bin/sh' },
  bash: { user: 'opsdeck-test-bash', home: '/var/lib/opsdeck-test-bash', shell: '/bin/bash' },
};
/** How long sshd may take to say it listens; a busy 2-core CI machine starts it in ~50 ms. */
const START_TIMEOUT_MS = 10_000;

export interface SshdOptions {
  authorizedKeys: string[];
  hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa';
  /** Reuse host keys (and this directory) to restart a server with the same host key. */
  hostKeyDir?: string;
  /** The login shell of the user commands run as (when we are root); default sh. */
  loginShell?: LoginShell;
  /** A fixed port, e.g. to restart a server where clients expect it. */
  port?: number;
  extraConfig?: string;
}

export interface Sshd {
  port: number;
  user: string;
  /** The host key's .pub line: `ssh-ed25519 AAAA... comment`. */
  hostPublicKey: string;
  hostKeyDir: string;
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

/** The user remote commands run as: a clean test account when we are root, else ourselves (sshd cannot switch users). */
export async function ensureTestUser(loginShell: LoginShell = 'sh'): Promise<string> {
  if (process.getuid?.() !== 0) return userInfo().username;
  const { user, home, shell } = TEST_ACCOUNTS[loginShell];
  for (let attempt = 0; ; attempt++) {
    try {
      await run('id', ['-u', user]);
      break;
    } catch {
      // Missing: create it. Another test file may be doing the same at this moment, hence the retry.
      try {
        await run('useradd', ['-M', '-d', home, '-s', shell, user]);
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }
  // '*' instead of useradd's '!': no password, but not a locked account (sshd without PAM refuses locked ones).
  for (let attempt = 0; !readFileSync('/etc/shadow', 'utf8').split('\n').some((l) => l.startsWith(`${user}:*:`)); attempt++) {
    await run('usermod', ['-p', '*', user]).catch(async (error: unknown) => {
      if (attempt >= 5) throw error;
      await new Promise((r) => setTimeout(r, 100 * (attempt + 1))); // /etc/shadow locked by a parallel test file
    });
  }
  // An empty home: sshd would print "Could not chdir to home directory" into every command's stderr without one.
  if (!existsSync(home)) {
    mkdirSync(home, { recursive: true });
    await run('chown', [user, home]);
  }
  return user;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function startSshd(opts: SshdOptions): Promise<Sshd> {
  const user = await ensureTestUser(opts.loginShell);
  try {
    mkdirSync('/run/sshd', { recursive: true }); // sshd's privilege-separation directory; Debian creates it at boot
  } catch {
    // not root: sshd then runs unprivileged and can only log in as us, which needs no such directory
  }
  const keyType = opts.hostKeyType ?? 'ed25519';
  const ownDir = opts.hostKeyDir === undefined;
  const dir = opts.hostKeyDir ?? mkdtempSync(join(tmpdir(), 'opsdeck-sshd-'));
  const hostKey = join(dir, `ssh_host_${keyType}_key`);
  if (!existsSync(hostKey)) await run('ssh-keygen', ['-q', '-t', keyType, '-N', '', '-C', 'opsdeck-test-host', '-f', hostKey]);
  // sshd reads authorized_keys as the logged-in user: the directory must be traversable, the file readable.
  chmodSync(dir, 0o755);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, opts.authorizedKeys.map((k) => `${k.trim()}\n`).join(''), { mode: 0o644 });

  for (let attempt = 0; ; attempt++) {
    const port = opts.port ?? (await freePort());
    const config = join(dir, 'sshd_config');
    writeFileSync(config, [
      ...(opts.extraConfig ? [opts.extraConfig] : []), // first: for most keywords sshd keeps the first value it reads
      'ListenAddress 127.0.0.1',
      `Port ${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${authorizedKeys}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'LogLevel DEBUG1',
      'AllowTcpForwarding yes',
      'PermitRootLogin yes',
      'PrintMotd no',
      '',
    ].join('\n'));

    let log = '';
    const child: ChildProcess = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => (log += d));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let gone = false;
    void exited.then(() => (gone = true));

    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!gone && Date.now() < deadline && !(log.includes('Server listening on') && (await canConnect(port)))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    if (gone || Date.now() >= deadline) {
      child.kill('SIGKILL');
      const taken = /Address already in use/.test(log);
      if (taken && opts.port === undefined && attempt < 5) continue; // someone took the port between bind and sshd
      if (ownDir) rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start on port ${port}:\n${log}`);
    }

    return {
      port,
      user,
      hostPublicKey: readFileSync(`${hostKey}.pub`, 'utf8').trim(),
      hostKeyDir: dir,
      pid: child.pid ?? 0,
      log: () => log,
      async stop() {
        if (!gone) {
          // The listener leaves the processes serving open connections running: end those too.
          const { stdout } = await run('pgrep', ['-P', String(child.pid)]).catch(() => ({ stdout: '' }));
          for (const pid of stdout.split('\n').filter(Boolean)) {
            try {
              process.kill(Number(pid), 'SIGTERM');
            } catch {
              // It ended between pgrep and now (its client hung up): nothing left to stop.
            }
          }
          child.kill('SIGTERM');
          await exited;
        }
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** OpenSSH's SHA256 fingerprint of a key blob or a .pub line, as `ssh-keygen -l` prints it. */
export function fingerprintOf(key: Buffer | string): string {
  const blob = typeof key === 'string' ? Buffer.from(key.trim().split(/\s+/)[1] ?? '', 'base64') : key;
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A client key pair at `file` (directories created): returns the .pub line. */
export async function makeClientKey(file: string, passphrase = ''): Promise<string> {
  mkdirSync(dirname(file), { recursive: true });
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', basename(file), '-f', file]);
  return readFileSync(`${file}.pub`, 'utf8').trim();
}

/** A real ssh-agent listening on `socket`, holding `keys`. */
export async function startAgent(socket: string, keys: string[]): Promise<{ socket: string; stop(): void }> {
  const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  for (let i = 0; !existsSync(socket); i++) {
    if (i > 500) throw new Error('ssh-agent did not start');
    await new Promise((r) => setTimeout(r, 10));
  }
  for (const key of keys) await run('ssh-add', ['-q', key], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  return { socket, stop: () => void agent.kill('SIGTERM') };
}

/** Parent pid of `pid` (from /proc), or 0. */
function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * The sshd processes serving the connection a remote process `pid` runs in: its ancestors below the listening sshd
 * (the privileged monitor and the user's network child, which holds the socket). Killing them cuts that one
 * connection from the server side, as a crashed host or a dead link would.
 */
export function connectionProcessesOf(sshd: Sshd, pid: number): number[] {
  const chain: number[] = [];
  for (let p = pid; p > 1; p = parentOf(p)) {
    if (p === sshd.pid) return chain.filter((q) => readFileSync(`/proc/${q}/cmdline`, 'utf8').startsWith('sshd'));
    chain.push(p);
  }
  throw new Error(`process ${pid} is not served by sshd ${sshd.pid}`);
}

/** Pids of processes run by `user` whose command line matches `pattern` (pgrep -f); [] when none. */
export async function remotePids(user: string, pattern: string): Promise<number[]> {
  const { stdout } = await run('pgrep', ['-u', user, '-f', pattern]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number).filter((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2)); // an unreaped zombie is not running
    } catch {
      return false;
    }
  });
}

/** A verifier that trusts the given .pub lines and answers "changed" for any other key; records what it was asked. */
export function fakeVerifier(trusted: string[]): { verifier: HostKeyVerifier; seen: Array<{ host: string; address: string; port: number; fingerprint: string }> } {
  const seen: Array<{ host: string; address: string; port: number; fingerprint: string }> = [];
  const fingerprints = new Set(trusted.map((line) => fingerprintOf(line)));
  return {
    seen,
    verifier: {
      async verify({ host, address, port, key }) {
        const fingerprint = fingerprintOf(key);
        const keyType = key.subarray(4, 4 + key.readUInt32BE(0)).toString('latin1');
        seen.push({ host, address, port, fingerprint });
        if (fingerprints.has(fingerprint)) return { ok: true, keyType, fingerprint };
        return { ok: false, reason: 'changed', keyType, fingerprint, message: `the host key of ${host} changed (now ${fingerprint})` };
      },
    },
  };
}

/** Prompts answered from scripts; every question is recorded. */
export function fakePrompts(answers: { passphrase?: Array<string | null>; password?: Array<string | null> } = {}): AuthPrompts & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async passphrase(host, keyFile, retry) {
      asked.push(`passphrase ${host} ${keyFile}${retry ? ' retry' : ''}`);
      return answers.passphrase?.shift() ?? null;
    },
    async password(host, user, retry) {
      asked.push(`password ${host} ${user}${retry ? ' retry' : ''}`);
      return answers.password?.shift() ?? null;
    },
    async keyboardInteractive(host, name) {
      asked.push(`keyboard-interactive ${host} ${name}`);
      return null;
    },
  };
}

export const realTimers: SshPoolDeps['timers'] = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** A host on a test sshd, as the resolver would hand it over. */
export function hostOn(sshd: Sshd, over: Partial<ResolvedHost> = {}): ResolvedHost {
  return {
    name: `test-${sshd.port}`,
    address: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    identityFile: null,
    identityAgent: 'none',
    forwardAgent: false,
    jump: [],
    ...over,
  };
}

/** Waits until `check` holds (polling), or throws saying what did not happen. */
export async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
