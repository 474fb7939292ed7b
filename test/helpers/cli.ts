// Test helper: the built `opsdeck` bin in a child process against a data directory, as a user runs it: to the end
// (spawnOpsdeck), in the background (startOpsdeck, to kill it mid-step), or on a terminal (ptyOpsdeck, to answer it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn as spawnPty } from 'node-pty';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'bin', 'opsdeck.js');

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a command gets: ours without OPSDECK_HOME, plus `env`. */
function environment(env: Record<string, string>): Record<string, string> {
  const { OPSDECK_HOME: _ignored, ...inherited } = process.env;
  return { ...(inherited as Record<string, string>), ...env };
}

/** Runs the CLI with `args` in `cwd`; OPSDECK_HOME from the environment is dropped unless given in `env`. */
export function spawnOpsdeck(args: readonly string[], cwd: string, env: Record<string, string> = {}): Outcome {
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env: environment(env), encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Starts the CLI without waiting for it (stdin closed, output piped). */
export function startOpsdeck(args: readonly string[], cwd: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, [bin, ...args], { cwd, env: environment(env), stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface PtyOpsdeck {
  /** Everything written to the terminal so far (stdout and stderr both go there). */
  output(): string;
  /** Resolves once the output matches `pattern`; rejects naming what was seen after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Types `text` (end a line with \r, as Enter sends). */
  type(text: string): void;
  exit: Promise<number>;
  kill(): void;
}

/** How long a test waits for the CLI to say something on its terminal before failing with what it did say. */
const PTY_WAIT_MS = 20_000;
/** Output can arrive just after the exit is reported: this long is waited for it before calling a pattern missing. */
const EXIT_DRAIN_MS = 200;

/** Runs the CLI on a pseudo-terminal, as an operator at a shell would. */
export function ptyOpsdeck(args: readonly string[], cwd: string, env: Record<string, string> = {}): PtyOpsdeck {
  const term = spawnPty(process.execPath, [bin, ...args], { cwd, env: environment(env), cols: 200, rows: 50, name: 'xterm' });
  let seen = '';
  const waiters = new Set<() => void>();
  term.onData((data) => {
    seen += data;
    for (const w of [...waiters]) w();
  });
  const exit = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  return {
    output: () => seen,
    waitFor: (pattern, timeoutMs = PTY_WAIT_MS) =>
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(seen)) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the terminal never showed ${String(pattern)}; it showed:\n${seen}`));
        }, timeoutMs);
        waiters.add(check);
        // A command that has exited will say nothing more: fail at once, once its last output is in.
        void exit.then(() =>
          setTimeout(() => {
            if (!waiters.has(check) || pattern.test(seen)) return check();
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`the command exited without showing ${String(pattern)}; it showed:\n${seen}`));
          }, EXIT_DRAIN_MS),
        );
        check();
      }),
    type: (text) => term.write(text),
    exit,
    kill: () => term.kill(),
  };
}
