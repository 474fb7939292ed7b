/**
 * A real OpenSSH sshd on 127.0.0.1 for integration tests: temp host keys, a temp authorized_keys, a free port, and
 * its log (stderr, LogLevel DEBUG1) kept so a test can see which authentication attempts reached the server.
 * Logins go to a dedicated user with an empty home and /bin/sh (no rc files), so remote timings mean something.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const TEST_USER = 'opsdeck-test';
const TEST_HOME = '/var/lib/opsdeck-test';
/** How long sshd may take to say it listens; a busy 2-core CI machine starts it in ~50 ms. */
const START_TIMEOUT_MS = 10_000;

export interface SshdOptions {
  authorizedKeys: string[];
  hostKeyType?: 'ed25519' | 'rsa' | 'ecdsa';
  /** Reuse host keys (and this directory) to restart a server with the same host key. */
  hostKeyDir?: string;
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
export async function ensureTestUser(): Promise<string> {
  if (process.getuid?.() !== 0) return userInfo().username;
  for (let attempt = 0; ; attempt++) {
    try {
      await run('id', ['-u', TEST_USER]);
      break;
    } catch {
      // Missing: create it. Another test file may be doing the same at this moment, hence the retry.
      try {
        await run('useradd', ['-M', '-d', TEST_HOME, '-s', '/bin/sh', TEST_USER]);
      } catch (error) {
        if (attempt >= 5) throw error;
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }
  // '*' instead of useradd's '!': no password, but not a locked account (sshd without PAM refuses locked ones).
  const shadow = readFileSync('/etc/shadow', 'utf8');
  if (!shadow.split('\n').some((l) => l.startsWith(`${TEST_USER}:*:`))) await run('usermod', ['-p', '*', TEST_USER]);
  // An empty home: sshd would print "Could not chdir to home directory" into every command's stderr without one.
  if (!existsSync(TEST_HOME)) {
    mkdirSync(TEST_HOME, { recursive: true });
    await run('chown', [TEST_USER, TEST_HOME]);
  }
  return TEST_USER;
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
  const user = await ensureTestUser();
  mkdirSync('/run/sshd', { recursive: true });
  const keyType = opts.hostKeyType ?? 'ed25519';
  const ownDir = opts.hostKeyDir === undefined;
  const dir = opts.hostKeyDir ?? mkdtempSync(join(tmpdir(), 'opsdeck-sshd-'));
  const hostKey = join(dir, `ssh_host_${keyType}_key`);
  if (!existsSync(hostKey)) await run('ssh-keygen', ['-q', '-t', keyType, '-N', '', '-C', 'opsdeck-test-host', '-f', hostKey]);
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, opts.authorizedKeys.map((k) => `${k.trim()}\n`).join(''));

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
          child.kill('SIGTERM');
          await exited;
        }
        if (ownDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  }
}

/** OpenSSH's SHA256 fingerprint of a .pub line, as `ssh-keygen -l` prints it. */
export function fingerprintOf(pubLine: string): string {
  const blob = Buffer.from(pubLine.trim().split(/\s+/)[1] ?? '', 'base64');
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A client key pair in `dir`: returns the private key path and the .pub line. */
export async function makeClientKey(dir: string, name: string, passphrase = ''): Promise<{ file: string; publicKey: string }> {
  const file = join(dir, name);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
  return { file, publicKey: readFileSync(`${file}.pub`, 'utf8').trim() };
}

/**
 * The sshd process serving one connection (the "[priv]" child of the listener), found by the client's source port in
 * the log; killing it cuts that connection from the server side, as a crashed host or a network drop would.
 */
export async function sessionPids(sshd: Sshd): Promise<number[]> {
  const { stdout } = await run('pgrep', ['-P', String(sshd.pid)]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number);
}
