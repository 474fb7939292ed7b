/**
 * Where a local shell starts and with what environment: pure helpers of the terminal service, apart so that it
 * keeps to terminals themselves.
 */
import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ContractError } from '../../../shared/contract/errors.js';

/** The folder a local shell starts in: the one asked for (absolute, or `~/...`), which must exist, else home. */
export function resolveCwd(cwd: string | undefined, home: string): string {
  if (cwd === undefined || cwd.trim() === '') return home;
  const path = cwd === '~' ? home : cwd.startsWith('~/') ? join(home, cwd.slice(2)) : cwd;
  if (!isAbsolute(path)) throw new ContractError('invalid_input', `the terminal's folder must be an absolute path or start with ~/ (got "${cwd}")`);
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ContractError('invalid_input', `the terminal's folder ${path} does not exist`);
  }
  if (!isDir) throw new ContractError('invalid_input', `the terminal's folder ${path} is not a folder`);
  return path;
}

/**
 * The environment of a local shell: ours, minus Electron's own switches (ELECTRON_RUN_AS_NODE would turn any
 * Electron app started from the shell into plain node), with truecolor announced and a UTF-8 locale when none is set.
 */
export function shellEnv(base: Record<string, string | undefined>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(base)) if (value !== undefined && !key.startsWith('ELECTRON_')) env[key] = value;
  env.COLORTERM = 'truecolor';
  if (!env.LC_ALL && !env.LC_CTYPE && !env.LANG) env.LANG = 'C.UTF-8';
  return env;
}
