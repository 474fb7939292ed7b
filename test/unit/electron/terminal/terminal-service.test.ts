// The terminal service with a fake pty and a fake SSH channel: what it starts, what it emits, pacing, exit, recording.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IPty } from 'node-pty';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ContractError } from '../../../../shared/contract/errors.js';
import type { TermData, TermExit } from '../../../../shared/contract/terminals.js';
import type { ShellOptions } from '../../../../electron/services/ssh/types.js';
import { createTerminalService, type SshShell, type TerminalServiceDeps } from '../../../../electron/services/terminal/terminal-service.js';

type Listener<T> = (e: T) => void;

function fakePty() {
  const data: Array<Listener<string>> = [];
  const exit: Array<Listener<{ exitCode: number; signal?: number }>> = [];
  const calls = { written: [] as string[], resized: [] as Array<[number, number]>, paused: 0, resumed: 0, killed: [] as string[] };
  const pty = {
    pid: 4242,
    onData: (l: Listener<string>) => {
      data.push(l);
      return { dispose: () => undefined };
    },
    onExit: (l: Listener<{ exitCode: number; signal?: number }>) => {
      exit.push(l);
      return { dispose: () => undefined };
    },
    write: (d: string) => calls.written.push(d),
    resize: (c: number, r: number) => calls.resized.push([c, r]),
    pause: () => (calls.paused += 1),
    resume: () => (calls.resumed += 1),
    kill: (signal?: string) => calls.killed.push(signal ?? 'SIGHUP'),
  };
  return {
    pty: pty as unknown as IPty,
    calls,
    output: (d: string) => data.forEach((l) => l(d)),
    exit: (exitCode: number, signal = 0) => exit.forEach((l) => l({ exitCode, signal })),
  };
}

function fakeChannel(user?: string) {
  const data: Array<Listener<Buffer>> = [];
  const exit: Array<(code: number | null, signal: string | null) => void> = [];
  const calls = { written: [] as string[], resized: [] as Array<[number, number]>, paused: 0, resumed: 0, closed: 0 };
  const channel: SshShell = {
    ...(user ? { user } : {}),
    write: (d) => calls.written.push(d),
    resize: (c, r) => calls.resized.push([c, r]),
    onData: (l) => data.push(l),
    onExit: (l) => exit.push(l),
    pause: () => (calls.paused += 1),
    resume: () => (calls.resumed += 1),
    close: () => (calls.closed += 1),
  };
  return { channel, calls, output: (b: Buffer) => data.forEach((l) => l(b)), exit: (c: number | null, s: string | null) => exit.forEach((l) => l(c, s)) };
}

let dir: string;
let events: Array<{ event: string; payload: TermData | TermExit }>;
let recorded: Array<{ runId: string; at: string; data: string; terminal: string }>;
let pty: ReturnType<typeof fakePty>;
let spawn: ReturnType<typeof vi.fn>;

const timers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (h: unknown) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn: () => void) => setImmediate(fn),
  clearImmediate: (h: unknown) => clearImmediate(h as NodeJS.Immediate),
};

function service(extra: Partial<TerminalServiceDeps> = {}) {
  return createTerminalService({
    spawnPty: spawn as unknown as TerminalServiceDeps['spawnPty'],
    emit: (event: string, payload: TermData | TermExit) => events.push({ event, payload }),
    clock: { now: () => new Date(Date.now()) },
    timers,
    shell: '/bin/sh',
    env: { PATH: '/usr/bin:/bin', ELECTRON_RUN_AS_NODE: '1', LANG: 'en_US.UTF-8' },
    home: dir,
    record: (runId, chunk, terminal) => recorded.push({ runId, ...chunk, terminal: terminal.id }),
    ...extra,
  } as TerminalServiceDeps);
}

/** Output events are UTF-8 bytes; decoding each alone fails if one ends inside a character. */
const strict = new TextDecoder('utf-8', { fatal: true });
const textOf = (e: { payload: TermData | TermExit }): string => strict.decode((e.payload as TermData).data);
const batchesOf = (id: string): string[] => events.filter((e) => e.event === 'term.data' && e.payload.id === id).map(textOf);
const dataOf = (id: string): string => batchesOf(id).join('');

async function expectCode(fn: () => unknown, code: string, message?: RegExp): Promise<void> {
  let caught: unknown;
  try {
    await fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ContractError);
  expect((caught as ContractError).code).toBe(code);
  if (message) expect((caught as ContractError).message).toMatch(message);
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'Date'] });
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-term-unit-'));
  events = [];
  recorded = [];
  pty = fakePty();
  spawn = vi.fn(() => pty.pty);
});
afterEach(() => {
  vi.useRealTimers();
  rmSync(dir, { recursive: true, force: true });
});

describe('local terminals', () => {
  it("starts the login shell as a login shell in the asked folder, TERM xterm-256color, without Electron's variables", async () => {
    const info = await service().open({ kind: 'local', cwd: dir, cols: 100, rows: 30 });
    expect(info).toMatchObject({ kind: 'local', title: 'sh', recordingRunId: null, exited: false });
    expect(spawn).toHaveBeenCalledTimes(1);
    const [file, args, opts] = spawn.mock.calls[0] as [string, string[], { name: string; cwd: string; cols: number; rows: number; env: Record<string, string> }];
    expect(file).toBe('/bin/sh');
    expect(args).toEqual(['-l']);
    expect(opts).toMatchObject({ name: 'xterm-256color', cwd: dir, cols: 100, rows: 30 });
    expect(opts.env.ELECTRON_RUN_AS_NODE).toBeUndefined();
    expect(opts.env).toMatchObject({ PATH: '/usr/bin:/bin', LANG: 'en_US.UTF-8', COLORTERM: 'truecolor' });
  });

  it('starts in the home folder by default and resolves ~/', async () => {
    const terms = service();
    await terms.open({ kind: 'local', cols: 80, rows: 24 });
    mkdirSync(join(dir, 'ops'));
    await terms.open({ kind: 'local', cwd: '~/ops', cols: 80, rows: 24 });
    expect(spawn.mock.calls.map((c) => (c[2] as { cwd: string }).cwd)).toEqual([dir, join(dir, 'ops')]);
  });

  it('refuses a folder that does not exist, a file, a relative path, or a shell that cannot run, with a clear message', async () => {
    const terms = service();
    await expectCode(() => terms.open({ kind: 'local', cwd: join(dir, 'nope'), cols: 80, rows: 24 }), 'invalid_input', /nope does not exist/);
    writeFileSync(join(dir, 'file'), '');
    await expectCode(() => terms.open({ kind: 'local', cwd: join(dir, 'file'), cols: 80, rows: 24 }), 'invalid_input', /is not a folder/);
    await expectCode(() => terms.open({ kind: 'local', cwd: 'relative/dir', cols: 80, rows: 24 }), 'invalid_input', /absolute/);
    await expectCode(() => service({ shell: join(dir, 'no-shell') }).open({ kind: 'local', cols: 80, rows: 24 }), 'unavailable', /no-shell/);
    expect(spawn).not.toHaveBeenCalled();
  });

  it('passes keystrokes and resizes to the pty; output after a quiet moment leaves at once, what follows it in 5 ms batches', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    terms.input(id, 'ls\r');
    terms.resize(id, 132, 43);
    expect(pty.calls.written).toEqual(['ls\r']);
    expect(pty.calls.resized).toEqual([[132, 43]]);
    pty.output('l');
    pty.output('s');
    expect(events).toEqual([]); // not within the read: the rest of this round of reads joins it
    vi.advanceTimersByTime(0);
    expect(events).toEqual([{ event: 'term.data', payload: { id, data: Buffer.from('ls') } }]);
    pty.output('a');
    vi.advanceTimersByTime(2);
    pty.output('b');
    vi.advanceTimersByTime(2);
    expect(events).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(events.at(-1)).toEqual({ event: 'term.data', payload: { id, data: Buffer.from('ab') } });
  });

  it('sends a flood in big batches at once, without waiting for the 5 ms window', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    const line = 'INFO worker-1 GET /api/v1/items/42 status=200\r\n';
    let sent = '';
    while (events.length === 0) {
      pty.output(line);
      sent += line;
    }
    expect(Buffer.byteLength(sent)).toBeGreaterThanOrEqual(16 * 1024);
    expect(dataOf(id)).toBe(sent);
  });

  it('pauses the pty when the renderer falls 100,000 bytes behind, sends what is queued, and resumes it when it catches up', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    for (let i = 0; i < 10; i++) pty.output('x'.repeat(10_000));
    expect(pty.calls.paused).toBe(0);
    pty.output('é'); // two bytes: 100,002 unacknowledged
    expect(pty.calls.paused).toBe(1);
    // Nothing more comes while paused, so nothing waits for the timer: all of it is on its way.
    expect(Buffer.byteLength(dataOf(id))).toBe(100_002);
    terms.ack(id, 90_000);
    expect(pty.calls.resumed).toBe(0);
    terms.ack(id, 7_000);
    expect(pty.calls.resumed).toBe(1);
    // The renderer is nearly idle: the next output leaves at the end of this round of reads, not 5 ms later.
    pty.output('more');
    vi.advanceTimersByTime(0);
    expect(dataOf(id).endsWith('more')).toBe(true);
  });

  it('flushes pending output before term.exit, keeps the exited terminal listed until it is closed', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    pty.output('logout\r\n');
    pty.exit(0);
    expect(events.map((e) => e.event)).toEqual(['term.data', 'term.exit']);
    expect(events[1]?.payload).toEqual({ id, exitCode: 0, signal: null });
    expect(terms.list()).toEqual([expect.objectContaining({ id, exited: true })]);
    terms.input(id, 'ignored');
    terms.resize(id, 90, 20);
    expect(pty.calls.written).toEqual([]);
    expect(pty.calls.resized).toEqual([]);
    terms.close(id);
    expect(terms.list()).toEqual([]);
    expect(pty.calls.killed).toEqual([]);
  });

  it('names the signal that ended the shell', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    pty.exit(0, 9);
    expect(events.at(-1)).toEqual({ event: 'term.exit', payload: { id, exitCode: 0, signal: 'SIGKILL' } });
  });

  it('close hangs up (SIGHUP), insists with SIGKILL after a grace period, and emits nothing more', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    pty.output('late');
    terms.close(id);
    expect(pty.calls.killed).toEqual(['SIGHUP']);
    vi.advanceTimersByTime(3_000);
    expect(pty.calls.killed).toEqual(['SIGHUP', 'SIGKILL']);
    pty.output('later');
    pty.exit(0, 9);
    vi.advanceTimersByTime(100);
    expect(events).toEqual([]);
    await expectCode(() => terms.input(id, 'x'), 'not_found');
  });

  it('dispose closes every terminal and waits for them to exit', async () => {
    const terms = service();
    await terms.open({ kind: 'local', cols: 80, rows: 24 });
    let done = false;
    const disposed = terms.dispose().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    pty.exit(129);
    await disposed;
    expect(pty.calls.killed).toEqual(['SIGHUP']);
    await expectCode(() => terms.open({ kind: 'local', cols: 80, rows: 24 }), 'unavailable');
  });

  it('answers not_found for an unknown terminal', async () => {
    const terms = service();
    for (const call of [() => terms.input('x', 'a'), () => terms.resize('x', 80, 24), () => terms.close('x'), () => terms.record('x', 'r')]) {
      await expectCode(call, 'not_found', /no terminal x/);
    }
  });

  it('takes a late acknowledgement of a terminal that has closed without complaint', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    terms.close(id);
    expect(() => terms.ack(id, 100)).not.toThrow();
    expect(terms.list()).toEqual([]);
  });
});

describe('recording', () => {
  it('stores each output batch with its time, never the keystrokes, and stops when asked', async () => {
    const terms = service();
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    pty.output('before ');
    expect(terms.record(id, 'run-1')).toMatchObject({ id, recordingRunId: 'run-1' });
    vi.advanceTimersByTime(10);
    pty.output('Password: ');
    vi.advanceTimersByTime(5);
    terms.input(id, 'hunter2\r'); // not echoed: nothing comes back
    vi.advanceTimersByTime(1_000);
    pty.output('\r\nwelcome\r\n');
    vi.advanceTimersByTime(5);
    terms.record(id, null);
    pty.output('after');
    vi.advanceTimersByTime(5);
    expect(recorded.map((r) => r.data)).toEqual(['Password: ', '\r\nwelcome\r\n']);
    expect(recorded.every((r) => r.runId === 'run-1' && r.terminal === id)).toBe(true);
    expect(Date.parse(recorded[1]?.at ?? '') - Date.parse(recorded[0]?.at ?? '')).toBe(1_005);
    expect(dataOf(id)).toBe('before Password: \r\nwelcome\r\nafter');
    expect(terms.list()[0]?.recordingRunId).toBeNull();
  });

  it('stops recording, and keeps the terminal, when the store refuses a batch', async () => {
    const terms = service({ record: () => { throw new Error('run ended'); } });
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    terms.record(id, 'run-1');
    pty.output('x');
    vi.advanceTimersByTime(5);
    expect(dataOf(id)).toBe('x');
    expect(terms.list()[0]?.recordingRunId).toBeNull();
  });

  it('is unavailable without a place to record to', async () => {
    const terms = service({ record: undefined });
    const { id } = await terms.open({ kind: 'local', cols: 80, rows: 24 });
    await expectCode(() => terms.record(id, 'run-1'), 'unavailable');
  });
});

describe('SSH terminals', () => {
  it('opens a shell channel on the host, titled user@host, and drives it like a pty', async () => {
    const ch = fakeChannel('deploy');
    const opened: Array<[string, ShellOptions]> = [];
    const terms = service({ openSshShell: async (host, opts) => (opened.push([host, opts]), ch.channel) });
    const info = await terms.open({ kind: 'ssh', host: 'web-1', cols: 120, rows: 40 });
    expect(opened).toEqual([['web-1', { cols: 120, rows: 40, term: 'xterm-256color' }]]);
    expect(info).toMatchObject({ kind: 'ssh', title: 'deploy@web-1', exited: false });
    terms.input(info.id, 'uptime\r');
    terms.resize(info.id, 100, 30);
    expect(ch.calls.written).toEqual(['uptime\r']);
    expect(ch.calls.resized).toEqual([[100, 30]]);
    // A character split across two SSH packets arrives whole.
    const bytes = Buffer.from('ok ✓\r\n');
    ch.output(bytes.subarray(0, 4));
    vi.advanceTimersByTime(5);
    ch.output(bytes.subarray(4));
    vi.advanceTimersByTime(5);
    expect(events.map(textOf)).toEqual(['ok ', '✓\r\n']);
    ch.output(Buffer.alloc(100_001, 'y'));
    expect(ch.calls.paused).toBe(1);
    terms.ack(info.id, 100_010);
    expect(ch.calls.resumed).toBe(1);
    ch.exit(null, 'HUP');
    expect(events.at(-1)).toEqual({ event: 'term.exit', payload: { id: info.id, exitCode: null, signal: 'HUP' } });
  });

  it('titles the terminal with the host alone when the user is not known, and close closes the channel', async () => {
    const ch = fakeChannel();
    const terms = service({ openSshShell: async () => ch.channel });
    const info = await terms.open({ kind: 'ssh', host: 'db', cols: 80, rows: 24 });
    expect(info.title).toBe('db');
    terms.close(info.id);
    expect(ch.calls.closed).toBe(1);
    expect(terms.list()).toEqual([]);
  });

  it('reports a connection that fails, and SSH being unavailable, as unavailable', async () => {
    const terms = service({ openSshShell: async () => { throw new Error('connect ECONNREFUSED 10.0.0.9:22'); } });
    await expectCode(() => terms.open({ kind: 'ssh', host: 'db', cols: 80, rows: 24 }), 'unavailable', /db: connect ECONNREFUSED/);
    await expectCode(() => service().open({ kind: 'ssh', host: 'db', cols: 80, rows: 24 }), 'unavailable', /SSH terminals/);
    expect(terms.list()).toEqual([]);
  });
});
