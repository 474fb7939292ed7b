/**
 * Interactive terminals: the user's login shell on this machine (node-pty) or a shell on an inventory host (an SSH
 * pty channel). Output leaves batched, as whole-character UTF-8 bytes (`term.data`), paced by the renderer's
 * acknowledgements; keystrokes and resizes come in as calls. A terminal that exits stays listed, marked exited, until
 * it is closed.
 *
 * Recording is opt-in per terminal and records only the OUTPUT stream, exactly what the terminal shows, never the
 * keystrokes sent to it. What is typed while the terminal does not echo (a password at `sudo`, `read -s`, an ssh
 * passphrase) therefore never reaches a run's history; whatever the terminal does display (a command line with a
 * token in it, a secret a program prints) is recorded as shown.
 *
 * The owner keeps its own copy of each terminal's screen (screen-copy.ts), so a window that attaches later draws it
 * (`snapshot`), and knows which windows show which terminals (terminal-viewers.ts): one that no window has shown for
 * a day is closed, with a line saying so in its recording.
 */
import { randomUUID } from 'node:crypto';
import { accessSync, constants as fsConstants } from 'node:fs';
import { constants as osConstants, homedir } from 'node:os';
import { basename } from 'node:path';
import * as nodePty from 'node-pty';
import { ContractError } from '../../../shared/contract/errors.js';
import type { TermData, TermExit, TermInfo, TermOpen, TermSnapshot } from '../../../shared/contract/terminals.js';
import type { ShellChannel, ShellOptions } from '../ssh/types.js';
import { createFlowController, createOutputBatcher, type FlowController, type OutputBatcher, type Timers } from './flow-control.js';
import { resolveCwd, shellEnv } from './local-shell.js';
import type { ScreenCopy } from './screen-copy.js';
import { createTerminalViewers } from './terminal-viewers.js';

/** A shell channel; `user` (the login name on the host) makes the title `user@host`, else the title is the host. */
export type SshShell = ShellChannel & { readonly user?: string };

export interface TerminalServiceDeps {
  /** node-pty's spawn (the default); tests pass a fake. */
  spawnPty?: typeof nodePty.spawn;
  /** A shell on an inventory host over its pooled connection; absent: SSH terminals are unavailable. */
  openSshShell?(host: string, opts: ShellOptions): Promise<SshShell>;
  emit(event: 'term.data', payload: TermData): void;
  emit(event: 'term.exit', payload: TermExit): void;
  clock: { now(): Date };
  timers: Timers;
  /** The user's login shell; default $SHELL, else /bin/bash. Started as a login shell (`-l`). */
  shell?: string;
  /** The environment local shells start with; default process.env. */
  env?: Record<string, string | undefined>;
  /** Where local shells start when no folder is given; default the home directory. */
  home?: string;
  /** Stores one batch of a recording terminal's output in the run's history (which terminal: to tell two apart). */
  record?(runId: string, chunk: { at: string; data: string }, terminal: { id: string; title: string }): void;
  /** Flow-control and batching tuning, for tests; defaults in flow-control.ts. */
  flow?: { highWatermark?: number; lowWatermark?: number; batchMs?: number; flushAtBytes?: number };
  /** How long a terminal may go with no window before the owner closes it, and how often that is checked; for tests. */
  idle?: { closeAfterMs?: number; checkEveryMs?: number; viewLeaseMs?: number };
}

export interface TerminalService {
  open(request: TermOpen): Promise<TermInfo>;
  input(id: string, data: string): void;
  resize(id: string, cols: number, rows: number): void;
  /** The renderer has processed `bytes` more bytes of the terminal's output. */
  ack(id: string, bytes: number): void;
  close(id: string): void;
  list(): TermInfo[];
  record(id: string, runId: string | null): TermInfo;
  /** The screen and scrollback as of all output sent so far, to write before any output sent later. */
  snapshot(id: string): TermSnapshot;
  /** Window `viewer` shows exactly these terminals now (unknown ids are ignored). */
  view(viewer: string, ids: readonly string[]): void;
  /** Closes every terminal and waits (boundedly) for their processes to end. */
  dispose(): Promise<void>;
}

/** TERM for local shells; SSH channels ask the server for the same. What xterm.js emulates. */
export const TERM_NAME = 'xterm-256color';
/** After SIGHUP, a local shell gets this long to exit before SIGKILL: enough for bash to save its history. */
const KILL_GRACE_MS = 3_000;
/** dispose() stops waiting for a process this long after SIGKILL (or after closing an SSH channel). */
const EXIT_WAIT_MS = 1_000;
/**
 * A terminal no window has shown for this long is closed: a shell left running in an owner nobody looks at (a
 * closed browser, a forgotten second window) holds a process, a login and, over SSH, a connection.
 */
export const IDLE_CLOSE_MS = 24 * 60 * 60 * 1000;
/** How often the owner looks for such terminals: one may outlive its day by up to this much. */
const IDLE_CHECK_MS = 5 * 60 * 1000;
/**
 * Bytes the screen copy may have queued unparsed before the source is paused, and below which it resumes: it parses
 * ~30 MB/s, so a program printing faster than that (no window acking to hold it back) would otherwise grow the
 * owner's memory. Higher: fewer pauses; more memory per terminal during a flood.
 */
const SCREEN_HIGH_WATERMARK = 1024 * 1024;
const SCREEN_LOW_WATERMARK = 256 * 1024;
/** Written into the recording of a terminal closed for having had no window. */
const IDLE_CLOSED_LINE = (hours: number): string => `\r\n[Opsdeck closed this terminal: no window had shown it for ${hours} hours]\r\n`;

/** What a terminal reads from and writes to: a pty or an SSH channel. */
interface Source {
  write(data: string): void;
  resize(cols: number, rows: number): void;
  pause(): void;
  resume(): void;
  /** Asks the program to end: SIGHUP for a pty, closing the channel for SSH. */
  hangUp(): void;
  /** Insists: SIGKILL for a pty; null when there is nothing more to do. */
  kill: (() => void) | null;
}

/** What the service keeps of a terminal's description; the windows part is worked out when it is listed. */
type BaseInfo = Omit<TermInfo, 'windows' | 'unwatchedSince' | 'closesAt'>;

interface Terminal {
  info: BaseInfo;
  source: Source;
  /** The windows' acknowledgements. */
  flow: FlowController;
  /** The screen copy's own progress: it too holds the source back when it falls behind. */
  screenFlow: FlowController;
  screen: ScreenCopy;
  batcher: OutputBatcher;
  closed: boolean;
  exited: Promise<void>;
  markExited(): void;
}

type NewScreen = (cols: number, rows: number) => ScreenCopy;

const signalNames = new Map<number, string>(Object.entries(osConstants.signals).map(([name, n]) => [n, name]));

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export function createTerminalService(deps: TerminalServiceDeps): TerminalService {
  const { timers } = deps;
  const spawnPty = deps.spawnPty ?? nodePty.spawn;
  const home = deps.home ?? homedir();
  const terminals = new Map<string, Terminal>();
  const idleCloseMs = deps.idle?.closeAfterMs ?? IDLE_CLOSE_MS;
  const idleCheckMs = deps.idle?.checkEveryMs ?? IDLE_CHECK_MS;
  const viewers = createTerminalViewers(deps.clock, deps.idle?.viewLeaseMs);
  let idleTimer: unknown = null;
  let disposed = false;
  let screens: Promise<typeof import('./screen-copy.js')> | null = null;
  /** The screen copy's module, loaded with the first terminal: a CLI command that opens none never parses xterm. */
  const loadScreens = (): Promise<typeof import('./screen-copy.js')> => (screens ??= import('./screen-copy.js'));

  const describe = (t: Terminal): TermInfo => {
    const since = viewers.unwatchedSince(t.info.id, Date.parse(t.info.openedAt));
    return {
      ...t.info,
      windows: viewers.windows(t.info.id),
      unwatchedSince: since === null ? null : new Date(since).toISOString(),
      closesAt: since === null ? null : new Date(since + idleCloseMs).toISOString(),
    };
  };

  const get = (id: string): Terminal => {
    const t = terminals.get(id);
    if (!t) throw new ContractError('not_found', `no terminal ${id}`);
    return t;
  };

  const flushBatch = (t: Terminal, data: Buffer): void => {
    const runId = t.info.recordingRunId;
    if (runId !== null && deps.record) {
      try {
        // A batch never ends inside a character, so decoding each one alone gives the text the terminal shows.
        deps.record(runId, { at: deps.clock.now().toISOString(), data: data.toString('utf8') }, { id: t.info.id, title: t.info.title });
      } catch {
        // The run ended or the store refused: stop recording rather than lose the terminal (list() shows it stopped).
        t.info.recordingRunId = null;
      }
    }
    if (t.closed) return;
    // The copy takes each batch as it goes out, in the same step: a snapshot then covers exactly what was sent.
    t.screen.write(data, (bytes) => t.screenFlow.acked(bytes));
    t.screenFlow.sent(data.length);
    deps.emit('term.data', { id: t.info.id, data });
  };

  const onOutput = (t: Terminal, data: string | Buffer): void => {
    if (t.closed) return;
    const bytes = t.batcher.write(data);
    if (bytes > 0) t.flow.sent(bytes);
  };

  const onExit = (t: Terminal, exitCode: number | null, signal: string | null): void => {
    if (t.info.exited) return;
    if (!t.closed) t.batcher.flushNow(true);
    t.info.exited = true;
    t.markExited();
    if (!t.closed) deps.emit('term.exit', { id: t.info.id, exitCode, signal });
  };

  const add = (kind: TermInfo['kind'], title: string, source: Source, screen: ScreenCopy): Terminal => {
    let markExited = (): void => undefined;
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const info: BaseInfo = { id: randomUUID(), kind, title, recordingRunId: null, exited: false, openedAt: deps.clock.now().toISOString() };
    /** Who holds the source back: the windows (too much unacknowledged), the screen copy (too much unparsed). */
    const held = { windows: false, screen: false };
    const hold = (who: keyof typeof held, on: boolean): void => {
      const before = held.windows || held.screen;
      held[who] = on;
      const after = held.windows || held.screen;
      if (!before && after) source.pause();
      else if (before && !after) source.resume();
    };
    const t: Terminal = {
      info,
      source,
      screen,
      closed: false,
      exited,
      markExited: () => markExited(),
      flow: createFlowController({
        highWatermark: deps.flow?.highWatermark,
        lowWatermark: deps.flow?.lowWatermark,
        // Nothing more arrives until the renderer catches up, so what is queued need not wait for the timer.
        pause: () => {
          hold('windows', true);
          t.batcher.flushNow();
        },
        // The renderer has (almost) nothing left to draw: send what the source has ready at once.
        resume: () => {
          hold('windows', false);
          t.batcher.hurry();
        },
      }),
      screenFlow: createFlowController({
        highWatermark: SCREEN_HIGH_WATERMARK,
        lowWatermark: SCREEN_LOW_WATERMARK,
        pause: () => hold('screen', true),
        resume: () => hold('screen', false),
      }),
      batcher: createOutputBatcher({ batchMs: deps.flow?.batchMs, flushAtBytes: deps.flow?.flushAtBytes, timers, flush: (data) => flushBatch(t, data) }),
    };
    terminals.set(info.id, t);
    scheduleIdleCheck();
    return t;
  };

  const openLocal = (cwd: string | undefined, cols: number, rows: number, newScreen: NewScreen): TermInfo => {
    const shell = deps.shell ?? process.env.SHELL ?? '/bin/bash';
    const dir = resolveCwd(cwd, home);
    try {
      accessSync(shell, fsConstants.X_OK);
    } catch {
      throw new ContractError('unavailable', `the login shell ${shell} does not exist or cannot be run`);
    }
    let pty: nodePty.IPty;
    try {
      // utf8 (node-pty's default) also sets IUTF8 on the pty, so the kernel's line editing erases whole characters.
      // Its output therefore arrives as strings, which the batcher encodes back to UTF-8 (cheap next to drawing it).
      pty = spawnPty(shell, ['-l'], { name: TERM_NAME, cols, rows, cwd: dir, env: shellEnv(deps.env ?? process.env) });
    } catch (error) {
      throw new ContractError('unavailable', `could not start ${shell}: ${messageOf(error)}`);
    }
    const t = add('local', basename(shell), {
      write: (data) => pty.write(data),
      resize: (c, r) => pty.resize(c, r),
      pause: () => pty.pause(),
      resume: () => pty.resume(),
      hangUp: () => pty.kill('SIGHUP'),
      kill: () => pty.kill('SIGKILL'),
    }, newScreen(cols, rows));
    pty.onData((data) => onOutput(t, data));
    pty.onExit(({ exitCode, signal }) => onExit(t, exitCode, signal ? (signalNames.get(signal) ?? `signal ${signal}`) : null));
    return describe(t);
  };

  const openSsh = async (host: string, cols: number, rows: number, newScreen: NewScreen): Promise<TermInfo> => {
    if (!deps.openSshShell) throw new ContractError('unavailable', 'SSH terminals are not available here');
    let channel: SshShell;
    try {
      channel = await deps.openSshShell(host, { cols, rows, term: TERM_NAME });
    } catch (error) {
      if (error instanceof ContractError) throw error;
      throw new ContractError('unavailable', `could not open a shell on ${host}: ${messageOf(error)}`);
    }
    if (disposed) {
      channel.close();
      throw new ContractError('unavailable', 'Opsdeck is shutting down');
    }
    const t = add('ssh', channel.user ? `${channel.user}@${host}` : host, {
      write: (data) => channel.write(data),
      resize: (c, r) => channel.resize(c, r),
      pause: () => channel.pause(),
      resume: () => channel.resume(),
      hangUp: () => channel.close(),
      kill: null,
    }, newScreen(cols, rows));
    channel.onData((data) => onOutput(t, data));
    channel.onExit((exitCode, signal) => onExit(t, exitCode, signal));
    return describe(t);
  };

  /** Ends a terminal's program; resolves once it has exited, or once waiting longer would not help. */
  const stop = (t: Terminal): Promise<void> => {
    t.closed = true;
    t.batcher.dispose();
    t.screen.dispose();
    if (t.info.exited) return Promise.resolve();
    // A paused source would never read the hang-up's EOF; what it reads now is dropped.
    t.source.resume();
    t.source.hangUp();
    const handles: unknown[] = [];
    const gaveUp = new Promise<void>((resolve) => {
      const kill = t.source.kill;
      if (kill) {
        handles.push(timers.setTimeout(() => {
          kill();
          handles.push(timers.setTimeout(resolve, EXIT_WAIT_MS));
        }, KILL_GRACE_MS));
      } else {
        handles.push(timers.setTimeout(resolve, EXIT_WAIT_MS));
      }
    });
    return Promise.race([t.exited, gaveUp]).finally(() => {
      for (const h of handles) timers.clearTimeout(h);
    });
  };
  const stopping = new Set<Promise<void>>();
  const close = (t: Terminal): void => {
    terminals.delete(t.info.id);
    viewers.forget(t.info.id);
    const done = stop(t);
    stopping.add(done);
    void done.finally(() => stopping.delete(done));
  };

  /** Closes the terminals no window has shown for `idleCloseMs`, saying so in their recordings. */
  const closeIdle = (): void => {
    idleTimer = null;
    const now = deps.clock.now().getTime();
    for (const t of [...terminals.values()]) {
      const since = viewers.unwatchedSince(t.info.id, Date.parse(t.info.openedAt));
      if (since === null || now - since < idleCloseMs) continue;
      t.batcher.flushNow();
      const runId = t.info.recordingRunId;
      if (runId !== null && deps.record) {
        try {
          const line = IDLE_CLOSED_LINE(Math.round(idleCloseMs / 3_600_000));
          deps.record(runId, { at: new Date(now).toISOString(), data: line }, { id: t.info.id, title: t.info.title });
        } catch {
          // The run has ended: there is no recording left to write to.
        }
      }
      close(t);
    }
    scheduleIdleCheck();
  };
  function scheduleIdleCheck(): void {
    if (idleTimer !== null || disposed || terminals.size === 0) return;
    idleTimer = timers.setTimeout(closeIdle, idleCheckMs);
  }

  return {
    async open(request) {
      if (disposed) throw new ContractError('unavailable', 'Opsdeck is shutting down');
      const { createScreenCopy } = await loadScreens();
      if (disposed) throw new ContractError('unavailable', 'Opsdeck is shutting down');
      switch (request.kind) {
        case 'local':
          return openLocal(request.cwd, request.cols, request.rows, createScreenCopy);
        case 'ssh':
          return openSsh(request.host, request.cols, request.rows, createScreenCopy);
        default:
          return assertNever(request);
      }
    },
    input(id, data) {
      const t = get(id);
      // Keys typed into a terminal whose program has ended have nowhere to go.
      if (!t.info.exited) t.source.write(data);
    },
    resize(id, cols, rows) {
      const t = get(id);
      if (t.info.exited) return;
      t.screen.resize(cols, rows);
      try {
        t.source.resize(cols, rows);
      } catch {
        // The program exited between the check and the call (node-pty throws then); the exit event follows.
      }
    },
    ack(id, bytes) {
      // A window acknowledges what it drew, possibly after the terminal closed: nothing is waiting on it then.
      terminals.get(id)?.flow.acked(bytes);
    },
    close(id) {
      close(get(id));
    },
    list() {
      return [...terminals.values()].map(describe);
    },
    record(id, runId) {
      const t = get(id);
      if (runId !== null && !deps.record) throw new ContractError('unavailable', 'recording terminals is not available here');
      // Output queued so far belongs to the recording state it arrived in.
      t.batcher.flushNow();
      t.info.recordingRunId = runId;
      return describe(t);
    },
    snapshot(id) {
      return get(id).screen.snapshot();
    },
    view(viewer, ids) {
      viewers.report(viewer, ids.filter((id) => terminals.has(id)));
    },
    async dispose() {
      disposed = true;
      if (idleTimer !== null) timers.clearTimeout(idleTimer);
      idleTimer = null;
      for (const t of [...terminals.values()]) close(t);
      await Promise.all([...stopping]);
    },
  };
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}
