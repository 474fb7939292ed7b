// Test helper: the built `opsdeck` bin in a child process against a data directory, as a user runs it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const bin = join(root, 'bin', 'opsdeck.js');

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `args` in `cwd`; OPSDECK_HOME from the environment is dropped unless given in `env`. */
export function spawnOpsdeck(args: readonly string[], cwd: string, env: Record<string, string> = {}): Outcome {
  const { OPSDECK_HOME: _ignored, ...inherited } = process.env;
  const result = spawnSync(process.execPath, [bin, ...args], { cwd, env: { ...inherited, ...env }, encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
