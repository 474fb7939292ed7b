/**
 * Once before any test file: builds the CLI (dist/cli.js, its chunks and the import worker) that the CLI, owner,
 * crash and contract tests spawn, when a source changed since it was built. Once, because a build replaces
 * dist/chunks: test files rebuilding it each in their own beforeAll, in parallel workers, pulled chunks from under
 * each other's running processes; and only when stale, so that a second vitest run does not do it to the first.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

export default function setup(): void {
  const built = join(root, 'dist', 'cli.js');
  const sources = ['electron', 'shared', 'bin', 'scripts', 'package.json'].map((p) => join(root, p)).filter((p) => existsSync(p));
  if (existsSync(built) && statSync(built).mtimeMs >= Math.max(...sources.map(newest))) return;
  execFileSync(process.execPath, ['scripts/build.mjs', '--cli'], { cwd: root, stdio: 'pipe' });
}
