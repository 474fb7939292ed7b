/**
 * local-exec against real bash processes: output order and decoding, exit codes, timeouts, cancelling with the
 * SIGINT -> SIGTERM -> SIGKILL escalation, the whole process group ending, large output, env and stdin.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { createExecService, type ExecDeps, type ExecExit, type ExecService, type OutputStream } from '../../../electron/services/exec/local-exec.js';

const realTimers: ExecDeps['timers'] = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

let services: ExecService[] = [];
afterEach(() => {
  for (const s of services) s.dispose();
  services = [];
});

function service(extra: Partial<ExecDeps> = {}): ExecService {
  const s = createExecService({ clock: { now: () => Date.now() }, timers: realTimers, ...extra });
  services.push(s);
  return s;
}

interface Outcome {
  exit: ExecExit;
  events: Array<[OutputStream, string]>;
  stdout: string;
  stderr: string;
  pid: number;
}

async function run(script: string, opts: { env?: Record<string, string>; timeoutMs?: number; svc?: ExecService; cancelAfterMs?: number } = {}): Promise<Outcome> {
  const events: Array<[OutputStream, string]> = [];
  const handle = (opts.svc ?? service()).start({ script, env: opts.env ?? {}, timeoutMs: opts.timeoutMs ?? 10_000 }, (stream, data) => {
    events.push([stream, data]);
  });
  if (opts.cancelAfterMs !== undefined) setTimeout(() => handle.cancel(), opts.cancelAfterMs);
  const exit = await handle.exited;
  const text = (s: OutputStream): string => events.filter(([k]) => k === s).map(([, d]) => d).join('');
  return { exit, events, stdout: text('stdout'), stderr: text('stderr'), pid: handle.pid };
}

/** Whether `pid` still runs; an exited process waiting for init to reap it (a zombie) does not. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return process.platform !== 'linux';
  }
}

/** Runs `script`, which must print a pid on its first line, and hands it back as soon as it arrives. */
function startWithPid(svc: ExecService, script: string, timeoutMs = 10_000) {
  let out = '';
  let resolvePid: (pid: number) => void = () => undefined;
  const pid = new Promise<number>((r) => {
    resolvePid = r;
  });
  const handle = svc.start({ script, env: {}, timeoutMs }, (stream, data) => {
    if (stream !== 'stdout') return;
    out += data;
    const line = /^(\d+)\n/.exec(out);
    if (line) resolvePid(Number(line[1]));
  });
  return { handle, pid };
}

describe('output', () => {
  it('keeps stdout and stderr apart and in the order written', async () => {
    const r = await run('echo one; sleep 0.05; echo two >&2; sleep 0.05; echo three; sleep 0.05; echo four >&2');
    expect(r.stdout).toBe('one\nthree\n');
    expect(r.stderr).toBe('two\nfour\n');
    expect(r.events.map(([s, d]) => `${s}:${d}`)).toEqual(['stdout:one\n', 'stderr:two\n', 'stdout:three\n', 'stderr:four\n']);
    expect(r.exit).toMatchObject({ exitCode: 0, signal: null, timedOut: false, cancelled: false });
  });

  it('never splits a multi-byte character written one byte at a time', async () => {
    const r = await run("printf '\\xe2'; sleep 0.1; printf '\\x9c\\x85'; printf '\\xe2\\x9c' >&2; sleep 0.1; printf '\\x85' >&2");
    expect(r.stdout).toBe('✅');
    expect(r.stderr).toBe('✅');
    expect(r.events.every(([, d]) => !d.includes('\ufffd'))).toBe(true);
  });

  it('batches a burst of small writes into few events', async () => {
    const r = await run('for i in $(seq 1 200); do echo $i; done');
    expect(r.stdout).toBe(`${Array.from({ length: 200 }, (_, i) => i + 1).join('\n')}\n`);
    expect(r.events.length).toBeLessThan(50);
  });

  it('delivers large output complete before exited resolves', async () => {
    const r = await run('yes | head -c 5000000');
    expect(r.stdout.length).toBe(5_000_000);
    expect(r.stdout).toBe('y\n'.repeat(2_500_000));
    expect(r.exit.exitCode).toBe(0);
  });
});

describe('exit', () => {
  it.each([['true', 0], ['exit 3', 3]])('reports the exit code of `%s`', async (script, code) => {
    const r = await run(script as string);
    expect(r.exit).toMatchObject({ exitCode: code, signal: null, timedOut: false, cancelled: false });
    expect(r.exit.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('measures duration with the injected clock', async () => {
    let t = 1000;
    const svc = service({ clock: { now: () => (t += 250) } });
    const r = await run('true', { svc });
    expect(r.exit.durationMs).toBe(250);
  });

  it('passes env values through unchanged and keeps the rest of the environment', async () => {
    const r = await run('printf "%s|%s|%s" "$A" "$B" "${PATH:+has-path}"', { env: { A: "it's $(x) `y`", B: 'a  b' } });
    expect(r.stdout).toBe("it's $(x) `y`|a  b|has-path");
  });

  it('does not give the script our stdin: cat ends at once', async () => {
    const t0 = Date.now();
    const r = await run('cat; echo "rc=$?"');
    expect(r.stdout).toBe('rc=0\n');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('reports a bash that cannot start as a failure on stderr', async () => {
    const svc = service();
    let stderr = '';
    const h = svc.start({ script: 'true', env: {}, cwd: '/nonexistent/opsdeck', timeoutMs: 1000 }, (stream, data) => {
      if (stream === 'stderr') stderr += data;
    });
    await expect(h.exited).resolves.toMatchObject({ exitCode: null, cancelled: false, timedOut: false });
    expect(stderr).toMatch(/^opsdeck: could not start bash: /);
  });
});

describe('ending a run', () => {
  it('times out `sleep 600` and leaves no process', async () => {
    const t0 = Date.now();
    const r = await run('sleep 600', { timeoutMs: 300 });
    expect(r.exit).toMatchObject({ timedOut: true, cancelled: false, exitCode: null, signal: 'SIGINT' });
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(alive(r.pid)).toBe(false);
  });

  it('cancels `sleep 600` quickly', async () => {
    const t0 = Date.now();
    const r = await run('sleep 600', { cancelAfterMs: 100 });
    expect(r.exit).toMatchObject({ cancelled: true, timedOut: false });
    expect(Date.now() - t0).toBeLessThan(1500);
    expect(alive(r.pid)).toBe(false);
  });

  it('lets a script clean up on SIGINT', async () => {
    const svc = service({ graceMs: { interrupt: 300, terminate: 300 } });
    // `wait` lets the trap run at once; the background sleep ignores SIGINT and is ended by the escalation.
    const r = await run("trap 'echo cleaning; exit 130' INT; echo ready; sleep 600 & wait", { svc, cancelAfterMs: 200 });
    expect(r.stdout).toBe('ready\ncleaning\n');
    expect(r.exit).toMatchObject({ cancelled: true, exitCode: 130 });
  });

  it('escalates to SIGTERM when the script ignores SIGINT', async () => {
    const svc = service({ graceMs: { interrupt: 200, terminate: 5000 } });
    const t0 = Date.now();
    const r = await run("trap '' INT; sleep 600", { svc, cancelAfterMs: 100 });
    expect(r.exit).toMatchObject({ cancelled: true, signal: 'SIGTERM' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('escalates to SIGKILL when the script ignores SIGINT and SIGTERM', async () => {
    const svc = service({ graceMs: { interrupt: 150, terminate: 150 } });
    const t0 = Date.now();
    const r = await run("trap '' INT TERM; sleep 600", { svc, cancelAfterMs: 100 });
    expect(r.exit).toMatchObject({ cancelled: true, signal: 'SIGKILL' });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(alive(r.pid)).toBe(false);
  });

  it('ends the whole process group, background children included', async () => {
    const svc = service({ graceMs: { interrupt: 200, terminate: 200 } });
    // Background jobs of a non-interactive bash ignore SIGINT, so this one is only ended by the escalation.
    const { handle, pid } = startWithPid(svc, 'sleep 600 & echo $!; wait');
    const child = await pid;
    expect(alive(child)).toBe(true);
    handle.cancel();
    const exit = await handle.exited;
    expect(exit.cancelled).toBe(true);
    expect(alive(child)).toBe(false);
    expect(alive(handle.pid)).toBe(false);
  });

  it('ends a group on timeout even after bash itself has exited', async () => {
    const svc = service({ graceMs: { interrupt: 100, terminate: 100 } });
    const { handle, pid } = startWithPid(svc, "bash -c 'trap \"\" INT; sleep 600' & echo $!; wait", 300);
    const child = await pid;
    const exit = await handle.exited;
    expect(exit.timedOut).toBe(true);
    expect(alive(child)).toBe(false);
  });

  it('dispose kills every running group', async () => {
    const svc = createExecService({ clock: { now: () => Date.now() }, timers: realTimers });
    const a = svc.start({ script: "trap '' INT TERM; sleep 600", env: {}, timeoutMs: 60_000 }, () => undefined);
    const b = svc.start({ script: 'sleep 600', env: {}, timeoutMs: 60_000 }, () => undefined);
    await new Promise((r) => setTimeout(r, 100));
    svc.dispose();
    const [ea, eb] = await Promise.all([a.exited, b.exited]);
    expect([ea.signal, eb.signal]).toEqual(['SIGKILL', 'SIGKILL']);
    expect(() => svc.start({ script: 'true', env: {}, timeoutMs: 1000 }, () => undefined)).toThrow(/disposed/);
  });

  it('cancel after the end is harmless', async () => {
    const svc = service();
    const h = svc.start({ script: 'exit 0', env: {}, timeoutMs: 1000 }, () => undefined);
    const exit = await h.exited;
    h.cancel();
    expect(exit).toMatchObject({ exitCode: 0, cancelled: false });
  });
});
