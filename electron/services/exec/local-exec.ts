/**
 * Runs a step's script in a local bash, in a process group of its own so that cancelling or a timeout ends everything
 * the script started, not only bash. Output arrives decoded (a character is never split), batched, and in order;
 * ending escalates SIGINT -> SIGTERM -> SIGKILL so scripts get a chance to clean up first.
 */
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { BATCH_MS, createOutputBatcher } from './output-batcher.js';

export interface ExecRequest {
  script: string;
  env: Record<string, string>;
  cwd?: string;
  timeoutMs: number;
}

export interface ExecExit {
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

export interface ExecHandle {
  readonly pid: number;
  cancel(): void;
  /**
   * Stops reading the script's output (flow control): its pipes fill and the script blocks on its next write. Once
   * bash has exited this is ignored, so what is left in the pipes is read and the step can end.
   */
  pause(): void;
  /** Reads the output again. */
  resume(): void;
  readonly exited: Promise<ExecExit>;
}

export type OutputStream = 'stdout' | 'stderr';

export interface ExecService {
  start(req: ExecRequest, onOutput: (stream: OutputStream, data: string) => void): ExecHandle;
  dispose(): void;
}

export interface ExecDeps {
  clock: { now(): number };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
  graceMs?: { interrupt: number; terminate: number };
  batchMs?: number;
}

/** SIGINT gives the script's traps this long to clean up before SIGTERM; SIGTERM gets `terminate` more before SIGKILL. */
const GRACE_MS = { interrupt: 2000, terminate: 3000 };
/**
 * While ending, how often to look whether the group is gone: a quick end is reported quickly, at the cost of a signal
 * check a tick (and a /proc scan once only processes bash left behind remain).
 */
const GROUP_POLL_MS = 20;
/**
 * After bash exits, how long to wait for a background process it left behind (`server &`) to close the output pipes:
 * output still in flight is kept, at the cost of the step looking busy this much longer.
 */
const PIPE_LINGER_MS = 500;

/** Signals a whole process group; a group that is already gone is not an error. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  if (pid <= 0) return false; // -0 would be our own group
  try {
    process.kill(-pid, signal);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    if (code === 'EPERM') return true; // members we may not signal (e.g. zombies on macOS): still there
    throw error;
  }
}

/**
 * Whether a process of group `pgid` still runs. On Linux, members that have exited but wait for a reaper other than us
 * (zombies reparented to init) do not count, so a killed group is reported gone without waiting for init.
 */
async function groupRunning(pgid: number): Promise<boolean> {
  if (!signalGroup(pgid, 0)) return false;
  if (process.platform !== 'linux') return true;
  try {
    const entries = (await readdir('/proc')).filter((d) => /^\d+$/.test(d));
    const running = await Promise.all(entries.map(async (d) => {
      try {
        const stat = await readFile(`/proc/${d}/stat`, 'utf8');
        const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return group === String(pgid) && state !== 'Z' && state !== 'X';
      } catch {
        return false; // exited while we looked
      }
    }));
    return running.includes(true);
  } catch {
    return true;
  }
}

export function createExecService(deps: ExecDeps): ExecService {
  const { clock, timers } = deps;
  const grace = deps.graceMs ?? GRACE_MS;
  const batchMs = deps.batchMs ?? BATCH_MS;
  const running = new Set<{ kill(): void }>();
  let disposed = false;

  function start(req: ExecRequest, onOutput: (stream: OutputStream, data: string) => void): ExecHandle {
    if (disposed) throw new Error('the exec service is disposed');
    const started = clock.now();
    const child = spawn('bash', ['--noprofile', '--norc', '-c', req.script], {
      cwd: req.cwd,
      env: { ...process.env, ...req.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const pid = child.pid ?? 0;

    let finished = false;
    const output = createOutputBatcher<OutputStream>(onOutput, timers, batchMs);
    const emit = (stream: OutputStream, text: string): void => output.emit(stream, text);

    let exit: { code: number | null; signal: string | null } | null = null;
    let openPipes = 2;
    let paused = false;
    const pause = (): void => {
      if (paused || finished || exit) return;
      paused = true;
      child.stdout.pause();
      child.stderr.pause();
    };
    const resume = (): void => {
      if (!paused) return;
      paused = false;
      child.stdout.resume();
      child.stderr.resume();
    };
    let lingered = false;
    let ending: 'cancel' | 'timeout' | null = null;
    let groupGone = false;
    const owned = new Set<unknown>();
    const later = (ms: number, fn: () => void): void => {
      const handle = timers.setTimeout(() => {
        owned.delete(handle);
        fn();
      }, ms);
      owned.add(handle);
    };

    let resolve: (exit: ExecExit) => void = () => undefined;
    const exited = new Promise<ExecExit>((r) => {
      resolve = r;
    });
    const entry = { kill: (): void => void signalGroup(pid, 'SIGKILL') };
    running.add(entry);

    const settle = (): void => {
      if (finished || !exit || (openPipes > 0 && !lingered) || (ending !== null && !groupGone)) return;
      finished = true;
      for (const h of owned) timers.clearTimeout(h);
      owned.clear();
      child.stdout?.destroy();
      child.stderr?.destroy();
      output.close();
      running.delete(entry);
      resolve({
        exitCode: exit.code,
        signal: exit.signal,
        durationMs: clock.now() - started,
        timedOut: ending === 'timeout',
        cancelled: ending === 'cancel',
      });
    };

    const watchGroup = (): void => {
      if (finished) return;
      // While bash runs the group is alive; after, what is left may be killed processes waiting for init to reap them.
      const check = exit === null ? Promise.resolve(signalGroup(pid, 0)) : groupRunning(pid);
      void check.then((alive) => {
        if (finished) return;
        if (alive) return later(GROUP_POLL_MS, watchGroup);
        groupGone = true;
        settle();
      });
    };

    const end = (why: 'cancel' | 'timeout'): void => {
      if (finished || ending !== null) return;
      ending = why;
      signalGroup(pid, 'SIGINT');
      later(grace.interrupt, () => {
        if (signalGroup(pid, 0)) signalGroup(pid, 'SIGTERM');
        later(grace.terminate, () => {
          if (signalGroup(pid, 0)) signalGroup(pid, 'SIGKILL');
          groupGone = true; // SIGKILL cannot be ignored; pipes close as the kernel reaps
          settle();
        });
      });
      watchGroup();
    };

    for (const [stream, source] of [['stdout', child.stdout], ['stderr', child.stderr]] as const) {
      const decoder = new StringDecoder('utf8');
      source.on('data', (chunk: Buffer) => emit(stream, decoder.write(chunk)));
      source.on('close', () => {
        emit(stream, decoder.end());
        openPipes--;
        settle();
      });
    }
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      // Paused output still in the pipes is read now: the linger below must not cut it off.
      resume();
      later(PIPE_LINGER_MS, () => {
        lingered = true;
        settle();
      });
      settle();
    });
    child.on('error', (error) => {
      if (exit) return;
      emit('stderr', `opsdeck: could not start bash: ${error.message}\n`);
      exit = { code: null, signal: null };
      lingered = true;
      groupGone = true;
      settle();
    });
    if (Number.isFinite(req.timeoutMs) && req.timeoutMs > 0) later(req.timeoutMs, () => end('timeout'));

    return { pid, cancel: () => end('cancel'), pause, resume, exited };
  }

  return {
    start,
    dispose(): void {
      disposed = true;
      for (const r of running) r.kill();
      running.clear();
    },
  };
}
