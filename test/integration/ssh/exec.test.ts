/**
 * Running commands on one pooled connection to a real sshd: reuse and latency, env values that arrive verbatim,
 * cancel and timeout ending the remote processes (checked on the server), a connection cut from the server side,
 * and idle connections closing.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshPool, type SshPoolDeps } from '../../../electron/services/ssh/connection-pool.js';
import type { RemoteExit, SshConnection, SshPool } from '../../../electron/services/ssh/types.js';
import {
  connectionProcessesOf, fakePrompts, fakeVerifier, hostOn, makeClientKey, realTimers, remotePids, startSshd, until, type Sshd,
} from '../../helpers/sshd.js';

let sshd: Sshd;
let home: string;
let pool: SshPool;
const extraPools: SshPool[] = [];

function makePool(over: Partial<SshPoolDeps> = {}): SshPool {
  return createSshPool({
    verifier: fakeVerifier([sshd.hostPublicKey]).verifier,
    prompts: fakePrompts(),
    agentSocket: null,
    readFile: (path) => readFile(path),
    home,
    clock: { now: () => Date.now() },
    timers: realTimers,
    graceMs: { interrupt: 300, terminate: 300 },
    ...over,
  });
}

beforeAll(async () => {
  home = mkdtempSync(join(tmpdir(), 'opsdeck-ssh-exec-'));
  sshd = await startSshd({ authorizedKeys: [await makeClientKey(join(home, '.ssh/id_ed25519'))] });
  pool = makePool();
});

afterAll(async () => {
  // Only if a test failed: leave no remote sleeper behind (these commands are ours alone).
  for (const pid of await remotePids(sshd?.user ?? '', `sleep 60[0-9][0-9]\\.${process.pid}`)) process.kill(pid, 'SIGKILL');
  await Promise.all([pool, ...extraPools].map((p) => p?.dispose()));
  await sshd?.stop();
  rmSync(home, { recursive: true, force: true });
});

interface Ran extends RemoteExit {
  stdout: string;
  stderr: string;
  chunks: Array<[string, string]>;
}

function start(conn: SshConnection, command: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  const out = { stdout: '', stderr: '', chunks: [] as Array<[string, string]> };
  const handle = conn.exec(command, {
    env: opts.env,
    timeoutMs: opts.timeoutMs ?? 10_000,
    onOutput: (stream, data) => {
      out.chunks.push([stream, data]);
      out[stream] += data;
    },
  });
  return { handle, out, done: handle.exited.then((exit): Ran => ({ ...exit, ...out })) };
}

/**
 * Sleeps this test process alone runs (`sleep 6001.<pid>`: GNU sleep takes fractions), so server-side checks and
 * the cleanup never see another run's processes; `sleepers(1, 2)` matches the command lines of those exactly.
 */
const sleep = (n: number): string => `sleep ${6000 + n}.${process.pid}`;
const sleepers = (...ns: number[]): string => `^sleep (${ns.map((n) => 6000 + n).join('|')})\\.${process.pid}$`;

const run = (conn: SshConnection, command: string, opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<Ran> => start(conn, command, opts).done;
const accepted = (): number => sshd.log().split('\n').filter((l) => l.startsWith('Accepted publickey')).length;
const host = () => hostOn(sshd);

describe('remote exec on a pooled connection', () => {
  it('reuses one connection for 20 commands in a row, and runs each in a few ms', async () => {
    const conn = await pool.connect(host());
    const before = accepted();
    for (let i = 0; i < 20; i++) {
      const again = await pool.connect(host());
      expect(again).toBe(conn);
      expect((await run(again, 'true')).exitCode).toBe(0);
    }
    expect(accepted()).toBe(before);

    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      await run(conn, 'true');
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const median = times[50] ?? Infinity;
    console.log(`ssh exec latency on one connection: median ${median.toFixed(1)} ms over 100 \`true\``);
    expect(median).toBeLessThan(25); // Nagle's algorithm alone would cost ~44 ms (machine notes)
  });

  it('delivers env values verbatim, quotes and $(...) included, without running them', async () => {
    const conn = await pool.connect(host());
    const witness = join(home, 'pwned');
    const env = {
      QUOTES: `it's "double" and 'single'`,
      SUBST: `$(touch ${witness}) \`touch ${witness}\` $HOME \\ ;|&`,
      EMPTY: '',
      LINES: 'one\ntwo\n',
      UTF8: 'naïve café ✓',
    };
    const result = await run(conn, `printf '[%s]' "$QUOTES" "$SUBST" "$EMPTY" "$LINES" "$UTF8"`, { env });
    expect(result.stdout).toBe(Object.values(env).map((v) => `[${v}]`).join(''));
    expect(result.stderr).toBe('');
    expect(existsSync(witness)).toBe(false);
    expect(() => conn.exec('true', { env: { 'BAD-NAME': 'x' }, timeoutMs: 1000, onOutput: () => undefined })).toThrow(/not a shell variable name/);
  });

  it('decodes UTF-8 split across packets and keeps stderr apart', async () => {
    const conn = await pool.connect(host());
    const result = await run(conn, `printf '\\303'; sleep 0.05; printf '\\251\\n'; printf 'warn\\n' >&2`);
    expect(result.stdout).toBe('é\n');
    expect(result.stderr).toBe('warn\n');
    expect(result.chunks.every(([, d]) => !d.includes('\uFFFD'))).toBe(true);
  });

  it('ends a command with every byte of its output delivered, however its exit status and EOF are ordered', async () => {
    const conn = await pool.connect(host());
    // Much output, then the exit.
    const flood = await run(conn, `head -c 3000000 /dev/zero | tr '\\0' x; printf tail >&2; exit 3`);
    expect(flood).toMatchObject({ exitCode: 3, connectionLost: false, stderr: 'tail' });
    expect(flood.stdout).toBe('x'.repeat(3_000_000));

    // The shell exits (sshd sends its exit status) while a child it left behind still holds stdout: the command
    // ends with the channel's EOF, so what the child prints later is its output too.
    const late = await run(conn, '(sleep 0.3; echo late) & echo early; exit 0');
    expect(late).toMatchObject({ exitCode: 0, stdout: 'early\nlate\n' });
    expect(late.durationMs).toBeGreaterThanOrEqual(300);
  });

  it('runs more commands at once than sshd allows sessions per connection (10), queueing the rest', async () => {
    const conn = await pool.connect(host());
    const runs = await Promise.all(Array.from({ length: 14 }, (_, i) => run(conn, `sleep 0.2; echo ${i}`)));
    expect(runs.map((r) => [r.exitCode, r.stdout, r.stderr])).toEqual(Array.from({ length: 14 }, (_, i) => [0, `${i}\n`, '']));
  });

  it('cancel right after starting still finds and ends the remote command', async () => {
    const conn = await pool.connect(host());
    const { handle, done } = start(conn, sleep(6));
    handle.cancel();
    expect(await done).toMatchObject({ cancelled: true });
    expect(await remotePids(sshd.user, sleepers(6))).toEqual([]);
  });

  it('copes with a login shell that prints to stderr before the command runs (rc-file noise)', async () => {
    const noisy = await startSshd({
      authorizedKeys: [await readFile(join(home, '.ssh/id_ed25519.pub'), 'utf8')],
      extraConfig: `ForceCommand echo 'stty: not a tty' >&2; eval "$SSH_ORIGINAL_COMMAND"`,
    });
    const own = makePool({ verifier: fakeVerifier([noisy.hostPublicKey]).verifier });
    extraPools.push(own);
    try {
      const conn = await own.connect(hostOn(noisy));
      expect(await run(conn, 'echo out; echo err >&2')).toMatchObject({ stdout: 'out\n', stderr: 'stty: not a tty\nerr\n', exitCode: 0 });
      const { handle, done } = start(conn, sleep(7));
      await until('the sleep runs on the server', async () => (await remotePids(noisy.user, sleepers(7))).length === 1);
      handle.cancel();
      expect(await done).toMatchObject({ cancelled: true, stderr: 'stty: not a tty\n' });
      expect(await remotePids(noisy.user, sleepers(7))).toEqual([]);
    } finally {
      await own.dispose();
      await noisy.stop();
    }
  });

  it('gives commands an empty stdin, so one that reads it does not hang', async () => {
    const conn = await pool.connect(host());
    expect(await run(conn, 'cat; echo done', { timeoutMs: 3000 })).toMatchObject({ stdout: 'done\n', exitCode: 0, timedOut: false });
  });

  it('cancel ends the remote command and everything it started, escalating past SIGINT', async () => {
    const conn = await pool.connect(host());
    // A background job of a non-interactive shell ignores SIGINT, so this needs SIGTERM.
    const { handle, done } = start(conn, `${sleep(1)} & ${sleep(2)}; wait`);
    await until('both sleeps run on the server', async () => (await remotePids(sshd.user, sleepers(1, 2))).length === 2);
    handle.cancel();
    const exit = await done;
    expect(exit).toMatchObject({ cancelled: true, timedOut: false, connectionLost: false });
    expect(await remotePids(sshd.user, sleepers(1, 2))).toEqual([]);
  });

  it('cancelling 8 commands at once ends them all, though their killers need more sessions than sshd allows', async () => {
    const conn = await pool.connect(host());
    const runs = Array.from({ length: 8 }, (_, i) => start(conn, sleep(10 + i)));
    await until('all 8 run on the server', async () => (await remotePids(sshd.user, sleepers(10, 11, 12, 13, 14, 15, 16, 17))).length === 8);
    for (const r of runs) r.handle.cancel();
    const exits = await Promise.all(runs.map((r) => r.done));
    expect(exits.every((e) => e.cancelled)).toBe(true);
    expect(await remotePids(sshd.user, sleepers(10, 11, 12, 13, 14, 15, 16, 17))).toEqual([]);
  });

  it('cancel of a command that ignores SIGINT and SIGTERM ends it with SIGKILL', async () => {
    const conn = await pool.connect(host());
    const { handle, done } = start(conn, `trap '' INT TERM; ${sleep(3)}`);
    await until('the sleep runs on the server', async () => (await remotePids(sshd.user, sleepers(3))).length === 1);
    handle.cancel();
    const exit = await done;
    expect(exit).toMatchObject({ cancelled: true, exitCode: null, signal: 'SIGKILL' });
    expect(exit.durationMs).toBeGreaterThanOrEqual(550); // INT and TERM each got their grace period
    expect(await remotePids(sshd.user, sleepers(3))).toEqual([]);
  });

  it('a timeout ends the remote command the same way', async () => {
    const conn = await pool.connect(host());
    const exit = await run(conn, `echo started; ${sleep(4)}`, { timeoutMs: 400 });
    expect(exit).toMatchObject({ timedOut: true, cancelled: false, stdout: 'started\n' });
    expect(exit.durationMs).toBeGreaterThanOrEqual(400);
    expect(await remotePids(sshd.user, sleepers(4))).toEqual([]);
  });

  it('a connection cut from the server side ends the command as connectionLost, keeps its output, and the next connect reconnects', async () => {
    const own = makePool();
    extraPools.push(own);
    const conn = await own.connect(host());
    const { done, out } = start(conn, `echo before; ${sleep(5)}`);
    await until('the command printed and sleeps', async () => out.stdout === 'before\n' && (await remotePids(sshd.user, sleepers(5))).length === 1);
    const [sleeper] = await remotePids(sshd.user, sleepers(5));
    const serving = connectionProcessesOf(sshd, sleeper ?? 0);
    expect(serving).toHaveLength(2);
    for (const pid of serving) process.kill(pid, 'SIGKILL');
    const exit = await done;
    expect(exit).toMatchObject({ connectionLost: true, exitCode: null, cancelled: false, stdout: 'before\n' });
    for (const pid of await remotePids(sshd.user, `sleep 6005\\.${process.pid}`)) process.kill(pid, 'SIGKILL'); // the shell and sleep the cut orphaned

    const before = accepted();
    const again = await own.connect(host());
    expect(again).not.toBe(conn);
    expect((await run(again, 'echo after')).stdout).toBe('after\n');
    expect(accepted()).toBe(before + 1);
    // The lost connection reports every later command as lost instead of hanging.
    expect(await run(conn, 'true')).toMatchObject({ connectionLost: true, exitCode: null });
  });

  it('closes a connection left idle, and the next connect opens a new one', async () => {
    const own = makePool({ idleMs: 200 });
    extraPools.push(own);
    const conn = await own.connect(host());
    expect((await run(conn, 'true')).exitCode).toBe(0);
    const mark = sshd.log().length;
    await until('sshd saw the idle connection go', () => /Received disconnect from 127\.0\.0\.1/.test(sshd.log().slice(mark)), 3000);
    const again = await own.connect(host());
    expect(again).not.toBe(conn);
    expect((await run(again, 'echo fresh')).stdout).toBe('fresh\n');
  });

  it('keeps a connection open while a command runs past the idle time, and closes it once idle that long', async () => {
    const own = makePool({ idleMs: 200 });
    extraPools.push(own);
    const conn = await own.connect(host());
    // Closing the connection under the command would end it as connectionLost.
    expect(await run(conn, 'sleep 0.6; echo done')).toMatchObject({ stdout: 'done\n', connectionLost: false });
    expect(await own.connect(host())).toBe(conn);
    await new Promise((r) => setTimeout(r, 100));
    expect(await own.connect(host())).toBe(conn); // used 100 ms ago: not idle yet
    await new Promise((r) => setTimeout(r, 350));
    const again = await own.connect(host());
    expect(again).not.toBe(conn);
    expect((await run(again, 'echo fresh')).stdout).toBe('fresh\n');
  });

  it('a disposed pool connects no more', async () => {
    const own = makePool();
    await own.connect(host());
    await own.dispose();
    await expect(own.connect(host())).rejects.toMatchObject({ kind: 'disposed' });
  });
});

describe('the next command’s session opened ahead', () => {
  const servers: Sshd[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  /** A server of its own (sshd_config `extra`) and a connection to it from a pool of its own. */
  async function serverWith(extra: string) {
    const own = await startSshd({ authorizedKeys: [await readFile(join(home, '.ssh/id_ed25519.pub'), 'utf8')], extraConfig: extra });
    servers.push(own);
    const ownPool = makePool({ verifier: fakeVerifier([own.hostPublicKey]).verifier });
    extraPools.push(ownPool);
    return { conn: await ownPool.connect(hostOn(own)), sshd: own };
  }
  /** Session channels the server opened, and exec requests it received (sshd's DEBUG1 log). */
  const counts = (log: string) => ({
    sessions: log.split('\n').filter((l) => l.includes('server_input_channel_open: confirm session')).length,
    execs: log.split('\n').filter((l) => l.includes(' request exec reply 1')).length,
  });

  it('starts every command after the first on a channel opened ahead, with the same results', async () => {
    const { conn, sshd: own } = await serverWith('');
    for (let i = 0; i < 5; i++) expect(await run(conn, `echo ${i}; echo e${i} >&2; exit ${i}`)).toMatchObject({ stdout: `${i}\n`, stderr: `e${i}\n`, exitCode: i });
    expect(conn.startedAhead).toBe(4);
    // One channel per command, and one more held for the next.
    await until('the server opened the channel held', () => counts(own.log()).sessions === 6, 2000);
    expect(counts(own.log())).toEqual({ sessions: 6, execs: 5 });
    // Several at once: one takes the channel held, the others open their own.
    const together = await Promise.all([1, 2, 3].map((i) => run(conn, `sleep 0.1; echo ${i}`)));
    expect(together.map((r) => r.stdout)).toEqual(['1\n', '2\n', '3\n']);
    expect(conn.startedAhead).toBe(5);
  });

  it('holds none where the server allows one session; commands, and a terminal opened right after one, work', async () => {
    const { conn } = await serverWith('MaxSessions 1');
    for (const word of ['a', 'b', 'c']) expect((await run(conn, `echo ${word}`)).stdout).toBe(`${word}\n`);
    expect(conn.startedAhead).toBe(0);
    const shell = await conn.shell({ cols: 80, rows: 24 });
    let out = '';
    shell.onData((d) => (out += d.toString()));
    shell.write('echo term-$((6 * 7))\n');
    await until('the terminal answers', () => out.includes('term-42'), 5000);
    shell.close();
  });

  it('gives the session it holds to a terminal when the server allows only two', async () => {
    const { conn, sshd: own } = await serverWith('MaxSessions 2');
    expect((await run(conn, 'echo one')).stdout).toBe('one\n');
    await until('the server opened the channel held', () => counts(own.log()).sessions === 2, 2000);
    // Two terminals need both sessions: the second gets the one held.
    const shells = [await conn.shell({ cols: 80, rows: 24 }), await conn.shell({ cols: 80, rows: 24 })];
    const outputs = shells.map((shell) => {
      let out = '';
      shell.onData((d) => (out += d.toString()));
      return () => out;
    });
    shells.forEach((shell, i) => shell.write(`echo shell-$((${i} + 40))\n`));
    await until('both terminals answer', () => outputs.every((o, i) => o().includes(`shell-${i + 40}`)), 5000);
    for (const shell of shells) shell.close();
    // Once they are closed, commands run again.
    await until('a command runs after the terminals closed', async () => (await run(conn, 'echo two', { timeoutMs: 3000 })).stdout === 'two\n', 5000);
  });
});

describe('connecting many hosts at once', () => {
  it('sets up at most 16 connections at a time (their key exchanges block the event loop), the rest in turn', async () => {
    const own = await startSshd({ authorizedKeys: [await readFile(join(home, '.ssh/id_ed25519.pub'), 'utf8')], extraConfig: 'MaxStartups 100' });
    const trust = fakeVerifier([own.hostPublicKey]).verifier;
    // The host-key check comes in the middle of each handshake: held here, it shows how many are under way.
    const held: Array<() => void> = [];
    const ownPool = makePool({
      verifier: { verify: (request) => new Promise((resolve) => held.push(() => void trust.verify(request).then(resolve))) },
    });
    extraPools.push(ownPool);
    try {
      const connecting = Array.from({ length: 20 }, (_, i) => ownPool.connect(hostOn(own, { name: `many-${i}` })));
      await until('16 handshakes reach the host-key check', () => held.length === 16, 5000);
      await new Promise((r) => setTimeout(r, 300));
      expect(held.length).toBe(16); // the other 4 wait for a turn
      held.splice(0).forEach((release) => release());
      await until('the other 4 reach it', () => held.length === 4, 5000);
      held.splice(0).forEach((release) => release());
      const connections = await Promise.all(connecting);
      expect(new Set(connections).size).toBe(20);
      expect((await run(connections[19] as SshConnection, 'echo last')).stdout).toBe('last\n');
    } finally {
      await ownPool.dispose();
      await own.stop();
    }
  });
});
