/**
 * Loads the bash grammar that ships inside the tree-sitter-bash package and builds the shell parser the importer
 * needs. Node-only; a browser host would fetch the same wasm instead.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createShellParser } from '../../../shared/runbook/index.js';
import type { ShellParser } from '../../../shared/runbook/index.js';

export async function loadShellParser(): Promise<ShellParser> {
  const packageJson = createRequire(import.meta.url).resolve('tree-sitter-bash/package.json');
  const bashWasm = await readFile(join(dirname(packageJson), 'tree-sitter-bash.wasm'));
  return createShellParser({ bashWasm });
}
