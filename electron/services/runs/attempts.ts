/**
 * Launching a command step's attempts: on this machine, on one host over SSH, or on every host of a tag (fan-out).
 * Each attempt is recorded when it starts, its output stored chunk by chunk as it arrives, and its end recorded with
 * where it ran; a connection that cannot be made ends the attempt as failed, with the reason, instead of throwing.
 * Each attempt's output is flow-controlled like a terminal's: its source (pipes, SSH channel) is paused while the
 * windows drawing it are too far behind (`ackOutput`).
 */
import { v7 as uuidv7 } from 'uuid';
import type { RemoteEndpoint } from '../../../shared/contract/hosts.js';
import type { AttemptStatus, OutputChunk } from '../../../shared/contract/schemas.js';
import type { ExecService } from '../exec/local-exec.js';
import { runFanout } from '../ssh/fanout.js';
import type { RemoteExit } from '../ssh/types.js';
import { createFlowController, type FlowController } from '../terminal/flow-control.js';
import { identify } from './process-identity.js';
import type { PreparedShell } from './session-keeper.js';

export type { RemoteExit };

/**
 * Asks a running remote command to stop: a flag and its listeners, lighter than an AbortController (Node's
 * EventTarget costs ~10-20 µs a step on the path to the server).
 */
export interface CancelRequest {
  readonly requested: boolean;
  /** `fn` runs once the cancel is requested: at once if it was already. */
  onRequest(fn: () => void): void;
}

function createCancelRequest(): CancelRequest & { request(): void } {
  const listeners: Array<() => void> = [];
  let requested = false;
  return {
    get requested() {
      return requested;
    },
    onRequest(fn) {
      if (requested) fn();
      else listeners.push(fn);
    },
    request() {
      if (requested) return;
      requested = true;
      for (const fn of listeners.splice(0)) fn();
    },
  };
}

/** Stops and restarts reading a running command's output (flow control). */
export interface OutputControl {
  pause(): void;
  resume(): void;
}

/** Runs a command on an inventory host over Opsdeck's pooled connection. */
export interface RemoteRunner {
  hostsWithTag(tag: string): string[];
  /**
   * `onUnderway` is called once the command is underway: when the server runs it, on a connection that was up (or
   * after a short wait without an answer, so a dead connection still shows a running step); at once, when a
   * connection must be made first (connecting and its prompts take time the user should see). It may be called again.
   * `flow.register` is handed the running command's pause/resume, before any of its output.
   */
  exec(
    host: string,
    command: string,
    opts: {
      env: Record<string, string>;
      timeoutMs: number;
      cancel: CancelRequest;
      onOutput(stream: 'stdout' | 'stderr', data: string): void;
      onUnderway(): void;
      flow?: { register(control: OutputControl): void };
    },
  ): Promise<{ endpoint: RemoteEndpoint; exit: RemoteExit }>;
}

export interface AttemptSpec {
  runId: string;
  stepId: string;
  script: string;
  env: Record<string, string>;
  timeoutSec: number;
  cwd: string | null;
  /** Parameter values as recorded: secrets masked. */
  recorded: Record<string, string>;
  redact(data: string): string;
  /** Wraps the script for a target (`local`, `host:<name>`): errexit/pipefail and the carried session. Absent: run as is. */
  prepare?(where: string): PreparedShell;
}

export interface AttemptDeps {
  exec: ExecService;
  remote: RemoteRunner | null;
  now(): string;
  appendChunk(chunk: OutputChunk): void;
  emitOutput(chunk: OutputChunk): void;
  record(type: 'attempt.started' | 'attempt.ended', runId: string, stepId: string, attemptId: string, data: Record<string, unknown>): void;
}

export interface Running {
  runId: string;
  cancel(): void;
  done: Promise<void>;
}

function statusOf(exit: { cancelled: boolean; timedOut: boolean; exitCode: number | null; connectionLost?: boolean }): AttemptStatus {
  if (exit.cancelled) return 'cancelled';
  if (exit.timedOut) return 'timed_out';
  return exit.exitCode === 0 && !exit.connectionLost ? 'succeeded' : 'failed';
}

/** The end of a wrapped step: stdout held back by the filter is written, and what the wrapper reported is returned. */
function endShell(
  shell: PreparedShell | undefined, exitCode: number | null, status: AttemptStatus, write: (stream: OutputChunk['stream'], data: string, unfiltered: boolean) => void,
): Record<string, unknown> {
  if (!shell) return {};
  try {
    const { rest, data, notices } = shell.finish(exitCode, status === 'succeeded');
    if (rest) write('stdout', rest, true);
    for (const notice of notices) write('system', `\r\n[${notice}]\r\n`, true);
    return data;
  } catch (error) {
    // The attempt's end is recorded whatever went wrong reading its report: a step never stays running.
    write('system', `\r\n[the shell session could not be read after this step: ${error instanceof Error ? error.message : String(error)}]\r\n`, true);
    return {};
  }
}

/** The shell variable holding a remote step's script on its way to the shell that runs it. */
const STEP_VAR = 'OPSDECK_STEP';

/**
 * Remote shells differ: run the step in bash where the host has it (runbooks are written for bash), else sh. When
 * the login shell already is bash, not in POSIX mode, the step runs in it through `eval`, as `ssh host 'cmd'` would
 * run it, saving a second shell's start (~1 ms a step). The test reads only variables (no builtin, no redirection):
 * bash sets BASH_VERSION itself (another shell has one only if it was exported on purpose), and SHELLOPTS names
 * `posix` in POSIX mode (no other option's name holds it).
 * The step is held in a shell variable (not exported, unset before the step runs), so any login shell only ever
 * reads it as a quoted string: bash syntax in the step cannot trip sh.
 */
export function remoteCommand(script: string): string {
  const quoted = `'${script.replaceAll("'", `'\\''`)}'`;
  return [
    `${STEP_VAR}=${quoted}`,
    'case ${BASH_VERSION-}:${SHELLOPTS-} in',
    `:*|*posix*) if command -v bash >/dev/null 2>&1; then exec bash -c "$${STEP_VAR}"; else exec sh -c "$${STEP_VAR}"; fi ;;`,
    `*) eval "unset ${STEP_VAR}; $${STEP_VAR}" ;;`,
    'esac',
  ].join('\n');
}

/** A running attempt's flow control: its counter, and where its source's pause/resume go once it is known. */
interface AttemptFlow {
  controller: FlowController;
  register(control: OutputControl): void;
}

export function createAttemptLauncher(deps: AttemptDeps) {
  /**
   * Flow control of the attempts running now, after the terminals' (flow-control.ts): counted in UTF-16 chars of
   * the emitted (redacted) text, as the renderer counts what it draws; `ackOutput` tells how far the slowest window
   * got. Every chunk is stored in full whatever the windows do: only the source slows down. The attempt's timeout
   * keeps running while it is paused, so a step held back by a window that never acknowledges still times out.
   */
  const flows = new Map<string, AttemptFlow>();
  const flowOf = (attemptId: string): AttemptFlow => {
    let control: OutputControl | null = null;
    const controller = createFlowController({ pause: () => control?.pause(), resume: () => control?.resume() });
    const flow: AttemptFlow = {
      controller,
      register(c) {
        control = c;
        if (controller.paused) c.pause();
      },
    };
    flows.set(attemptId, flow);
    return flow;
  };

  const sink = (spec: AttemptSpec, attemptId: string, flow: AttemptFlow, shell: PreparedShell | undefined) => {
    let seq = 0;
    return (stream: OutputChunk['stream'], raw: string, unfiltered = false): void => {
      const data = stream === 'stdout' && shell && !unfiltered ? shell.filter(raw) : raw;
      if (data === '' && raw !== '') return;
      const chunk: OutputChunk = { runId: spec.runId, attemptId, stepId: spec.stepId, seq: seq++, stream, data: spec.redact(data), at: deps.now() };
      deps.appendChunk(chunk);
      // Counted before it is emitted: a host with no window acknowledging acks it while it is emitted.
      flow.controller.sent(chunk.data.length);
      deps.emitOutput(chunk);
    };
  };

  const local = (spec: AttemptSpec): Running & { attemptId: string } => {
    const attemptId = uuidv7();
    const flow = flowOf(attemptId);
    const shell = spec.prepare?.('local');
    const write = sink(spec, attemptId, flow, shell);
    const handle = deps.exec.start(
      { script: shell?.script ?? spec.script, env: spec.env, timeoutMs: spec.timeoutSec * 1000, ...(spec.cwd ? { cwd: spec.cwd } : {}) },
      write,
    );
    flow.register(handle);
    // Recorded with the process group, so that after a crash the next start can stop what was left running.
    deps.record('attempt.started', spec.runId, spec.stepId, attemptId, { params: spec.recorded, timeoutSec: spec.timeoutSec, host: null, shell: shell?.shell ?? null, ...identify(handle.pid) });
    const done = handle.exited.then((exit) => {
      flows.delete(attemptId);
      const status = statusOf(exit);
      const ended = endShell(shell, exit.exitCode, status, write);
      deps.record('attempt.ended', spec.runId, spec.stepId, attemptId, { status, exitCode: exit.exitCode, signal: exit.signal, durationMs: exit.durationMs, ...ended });
    });
    return { attemptId, runId: spec.runId, cancel: () => handle.cancel(), done };
  };

  const remote = (spec: AttemptSpec, host: string, fanoutId: string | null, outer?: AbortSignal): Running & { attemptId: string; ok: Promise<boolean>; started: Promise<void> } => {
    const runner = deps.remote;
    if (!runner) throw new Error('remote execution is not available in this host');
    const attemptId = uuidv7();
    const cancel = createCancelRequest();
    outer?.addEventListener('abort', () => cancel.request(), { once: true });
    // On a warm connection the start is recorded once the server runs the command, while it runs: recording costs
    // a fraction of a ms that would otherwise hold up the channel's round trips. Any output comes after it.
    let resolveStarted = (): void => undefined;
    const started = new Promise<void>((r) => (resolveStarted = r));
    let recorded = false;
    const recordStart = (): void => {
      if (recorded) return;
      recorded = true;
      deps.record('attempt.started', spec.runId, spec.stepId, attemptId, { params: spec.recorded, timeoutSec: spec.timeoutSec, host, fanoutId, shell: shell?.shell ?? null });
      resolveStarted();
    };
    const flow = flowOf(attemptId);
    const shell = spec.prepare?.(`host:${host}`);
    const write = sink(spec, attemptId, flow, shell);
    const output = (stream: OutputChunk['stream'], data: string): void => {
      recordStart();
      write(stream, data);
    };
    const execution = runner.exec(host, remoteCommand(shell?.script ?? spec.script), {
      env: spec.env, timeoutMs: spec.timeoutSec * 1000, cancel, onOutput: output, onUnderway: recordStart, flow: { register: (c) => flow.register(c) },
    });
    const ok = execution
      .then(
        ({ endpoint, exit }) => {
          flows.delete(attemptId);
          recordStart();
          const status = statusOf(exit);
          const ended = endShell(shell, exit.exitCode, status, write);
          const error = exit.connectionLost ? `the connection to ${host} was lost while the step ran` : null;
          if (error) output('system', `\r\n[${error}]\r\n`);
          deps.record('attempt.ended', spec.runId, spec.stepId, attemptId, { status, exitCode: exit.exitCode, signal: exit.signal, durationMs: exit.durationMs, endpoint, error, ...ended });
          return status === 'succeeded';
        },
        (error: unknown) => {
          flows.delete(attemptId);
          recordStart();
          const message = error instanceof Error ? error.message : String(error);
          output('system', `[${message}]\r\n`);
          const status: AttemptStatus = cancel.requested ? 'cancelled' : 'failed';
          deps.record('attempt.ended', spec.runId, spec.stepId, attemptId, { status, exitCode: null, signal: null, durationMs: null, error: message });
          return false;
        },
      );
    return { attemptId, runId: spec.runId, cancel: () => cancel.request(), done: ok.then(() => undefined), ok, started };
  };

  return {
    local,
    remote,
    /**
     * The windows drawing an attempt's output have all processed `chars` more of it (the slowest window moved that
     * far: flow-windows.ts). False if the attempt is not running here (ended, or another process runs it).
     */
    ackOutput(attemptId: string, chars: number): boolean {
      const flow = flows.get(attemptId);
      if (!flow) return false;
      flow.controller.acked(chars);
      return true;
    },
    /** Every host of the tag, `concurrency` at a time; returns one handle that cancels them all. */
    fanout(spec: AttemptSpec, hosts: string[], opts: { concurrency?: number | undefined; stopOnFailure?: boolean | undefined; canary?: boolean | undefined }, track: (r: Running & { attemptId: string }) => void): Running {
      const fanoutId = uuidv7();
      const abort = new AbortController();
      const done = runFanout(
        hosts,
        async (host, signal) => {
          const r = remote(spec, host, fanoutId, signal);
          track(r);
          return { ok: await r.ok };
        },
        { ...(opts.concurrency ? { concurrency: opts.concurrency } : {}), stopOnFailure: opts.stopOnFailure ?? false, canary: opts.canary ?? false, signal: abort.signal },
      ).then(() => undefined);
      return { runId: spec.runId, cancel: () => abort.abort(), done };
    },
  };
}
