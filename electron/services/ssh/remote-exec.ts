/**
 * Running one command on a pooled SSH connection: the wrapper that reports the remote process group, output batched
 * and decoded per stream, ending the command for real on cancel or timeout (see `killScript`), and a per-connection
 * limit on open sessions with a queue. The pool (connection-pool.ts) owns the connection; this owns one command.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Client as SshClient, ClientChannel, ExecOptions } from 'ssh2';
import type { RemoteEndpoint } from '../../../shared/contract/hosts.js';
import { createOutputBatcher } from '../exec/output-batcher.js';
import { execOnChannel, type SessionsAhead } from './session-ahead.js';
import type { RemoteExecHandle, RemoteExecOptions, RemoteExit, RemoteStream } from './types.js';

/** If ending a command gets no answer from the server this long after SIGKILL was due, the channel is dropped anyway. */
const END_SLACK_MS = 3000;
/** Commands open at once on one connection; more wait. OpenSSH allows 10 sessions; two stay free for ending commands. */
export const MAX_SESSIONS = 8;
/**
 * sshd frees a session a moment after its channel closes, so a burst can briefly find all 10 taken: retry the open
 * 6 times, 20 ms doubling (~1.3 s in all), before telling the user; a server that allows fewer sessions fails that late.
 */
const OPEN_RETRIES = 6;
const OPEN_RETRY_MS = 20;
/** First stderr line of every command: the process group to signal; stripped before output is delivered. */
const PGID_MARKER = Buffer.from('\u0001opsdeck-pgid ');
const NEWLINE = Buffer.from('\n');
/** Stderr held back while looking for that line: rc-file noise before it is rarely longer; more delays stderr. */
const HEAD_LIMIT = 4096;

/** Single quotes for POSIX sh: nothing inside is expanded; a `'` becomes `'\''`. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * What the server runs for `command`. OpenSSH starts the user's login shell (`$SHELL -c`) in a new session, so `$$`
 * is the id of a process group holding everything the command starts; we print it first on stderr (stripped before
 * delivery) so that ending the command can signal the whole group. Env values are set with `export NAME='value'`
 * lines instead of SSH "env" requests: OpenSSH drops every name its AcceptEnv does not list (by default all but LANG
 * and LC_*), silently. Assumes a POSIX login shell (sh, bash, dash, zsh, ksh), as `ssh host cmd` does. Stdin is
 * /dev/null, as for local steps: a command that reads it gets EOF instead of waiting forever (sending the channel's
 * EOF instead costs a packet each way, ~0.3 ms a step).
 */
export function wrapCommand(command: string, env: Record<string, string> = {}): string {
  const exports = Object.entries(env).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`not a shell variable name: ${JSON.stringify(name)}`);
    return `export ${name}=${shellQuote(value)}\n`;
  });
  return `exec </dev/null; printf '\\001opsdeck-pgid %s\\n' "$$" >&2\n${exports.join('')}${command}`;
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

/** The part of a pooled connection its commands share: the session count and queue, and whether it is gone. */
export interface ExecSlots {
  readonly endpoint: RemoteEndpoint;
  lost: boolean;
  busy: number;
  /** Ask for agent forwarding on each command (the host's ForwardAgent, until the server refuses it once). */
  forwardAgent: boolean;
  queue: Array<() => void>;
  running: Set<() => void>;
  /** The next command's session channel, opened ahead (session-ahead.ts). */
  ahead: SessionsAhead;
}

export interface ExecDeps {
  clock: { now(): number };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
  /** Cancel/timeout: SIGINT, then SIGTERM after `interrupt` ms, then SIGKILL after `terminate` more. */
  grace: { interrupt: number; terminate: number };
  /** The number of busy sessions changed: the connection was just used (its idle clock restarts). */
  touch(): void;
  /** The socket went before the pool heard of it: forget the connection. */
  closeLive(): void;
}

/** Runs `command` on `client` (the last hop of `live`), or queues it while MAX_SESSIONS commands are open there. */
export function execOn(live: ExecSlots, client: SshClient, command: string, opts: RemoteExecOptions, deps: ExecDeps): RemoteExecHandle {
  const { timers, clock, grace } = deps;
  const wrapped = wrapCommand(command, opts.env);
  const started = clock.now();
  let finished = false;
  let resolveExit: (exit: RemoteExit) => void = () => undefined;
  const exited = new Promise<RemoteExit>((r) => (resolveExit = r));

  const output = createOutputBatcher<RemoteStream>((stream, text) => opts.onOutput(stream, text), timers);
  const emit = (stream: RemoteStream, text: string): void => output.emit(stream, text);
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
  /** Flow control holds the output back; `draining`: the command exited (or the link went), pausing is over. */
  let paused = false;
  let draining = false;
  const pause = (): void => {
    if (paused || draining || finished) return;
    paused = true;
    channel?.pause();
    channel?.stderr.pause();
  };
  const resume = (): void => {
    if (!paused) return;
    paused = false;
    // Stderr first: its buffered output is delivered before stdout's end can close the channel.
    channel?.stderr.resume();
    channel?.resume();
  };
  const drain = (): void => {
    draining = true;
    resume();
  };
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
    output.close();
    finished = true;
    for (const h of owned) timers.clearTimeout(h);
    owned.clear();
    live.running.delete(onLost);
    if (slot) {
      slot = false;
      live.busy--;
      live.queue.shift()?.();
      deps.touch();
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
    drain();
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
            live.ahead.release(); // a session held for the next command is needed more here
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
      // The channel is opening: `opened` ends the command once it can find the process group. A server that does
      // not answer at all (the link died, the laptop slept) would keep the step running until keepalive gives up
      // (~45 s): its connection is closed instead, and the step says what that means.
      later(END_SLACK_MS, () => {
        if (channel || finished || live.lost) return;
        emit('stderr', `opsdeck: ${live.endpoint.host} did not answer for ${END_SLACK_MS / 1000} s after the step was stopped; the connection was closed. If the command had started there, check that it ended.\n`);
        deps.closeLive();
      });
      return;
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
    deps.touch();
    const forwarding = live.forwardAgent;
    const open = (): void => {
      // A channel opened ahead saves a round trip; agent forwarding is asked for on a new channel, before the exec.
      const ahead = forwarding ? null : live.ahead.take();
      try {
        if (ahead) execOnChannel(ahead, wrapped, (error, stream) => (error ? fresh() : opened(undefined, stream)));
        else fresh();
      } catch {
        deps.closeLive(); // "Not connected": the socket went before its close reached us
        settle(true);
      }
    };
    const fresh = (): void => {
      try {
        client.exec(wrapped, { agentForward: forwarding && live.forwardAgent } as ExecOptions, opened); // ssh2 reads it; @types/ssh2 lacks it
      } catch {
        deps.closeLive(); // "Not connected": the socket went before its close reached us
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
        live.ahead.release(); // and a session held for the next command is needed now
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
      opts.onStarted?.();
      stream.on('data', (chunk: Buffer) => emit('stdout', decoders.stdout.write(chunk)));
      stream.stderr.on('data', onStderr);
      if (paused) {
        stream.pause();
        stream.stderr.pause();
      }
      stream.on('exit', (code: number | null, signal?: string) => {
        exit = { code: typeof code === 'number' ? code : null, signal: signal ?? null }; // ssh2 says SIGTERM, not TERM
        drain(); // output held back by flow control is read now: the channel closes only once it is
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
  return { cancel: () => end('cancel'), pause, resume, exited };
}
