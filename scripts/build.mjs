// Builds everything into dist/: the CLI and web host (esbuild, ESM), the Electron main and preload (esbuild,
// CommonJS) and the renderer (vite). `--cli` builds only the CLI, for tests that spawn it. Pure-JavaScript
// dependencies are bundled into the CLI: resolving and reading hundreds of small module files (micromark's, zod's)
// cost more at start-up than running them. Native modules, and those that load files beside themselves, stay
// external and are resolved from node_modules at run time.
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const cliOnly = process.argv.includes('--cli');
const started = Date.now();
const built = [];
/**
 * Left to node_modules: native addons (better-sqlite3, node-pty, ssh2's optional ones), packages that read files
 * beside their own code at run time (web-tree-sitter's runtime wasm, tree-sitter-bash's grammar), and electron.
 */
const EXTERNAL = ['better-sqlite3', 'node-pty', 'ssh2', 'cpu-features', 'web-tree-sitter', 'tree-sitter-bash', 'electron'];

// Chunk names carry a hash: remove the previous build's, which nothing loads any more.
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });
try {
  await esbuild.build({
    absWorkingDir: root,
    // The import worker (electron/services/runbooks/import-parser.ts looks for it beside cli.js) shares the chunks.
    entryPoints: { cli: 'electron/host/cli.ts', 'import-worker': 'electron/services/runbooks/import-worker.ts' },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Chunks: a command answered by the running owner loads only the CLI's own code, the services on demand.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'node20',
    external: EXTERNAL,
    // Bundled CommonJS packages call require() for node's own modules: give the ES module one.
    banner: { js: "import { createRequire as __opsdeckCreateRequire } from 'node:module'; const require = __opsdeckCreateRequire(import.meta.url);" },
    sourcemap: true,
    define: { __OPSDECK_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  });
  built.push('dist/cli.js', 'dist/import-worker.js');
  if (!cliOnly) {
    if (existsSync(new URL('./build-electron.mjs', import.meta.url))) {
      const { buildElectron } = await import('./build-electron.mjs');
      await buildElectron(esbuild);
      built.push('dist/electron/');
    }
    const vite = await import('vite');
    await vite.build({ root: `${root}renderer`, configFile: `${root}vite.config.ts`, logLevel: 'warn' });
    built.push('dist/renderer/');
  }
  console.log(`build: ${built.join(', ')} in ${Date.now() - started} ms`);
} catch (error) {
  // esbuild and vite have already printed each error with its location; a stack trace would only bury them.
  console.error(`build: failed${error instanceof Error && !('errors' in error) ? `: ${error.message}` : ''}`);
  process.exitCode = 1;
}
