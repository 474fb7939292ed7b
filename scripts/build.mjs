// Builds everything into dist/: the CLI and web host (esbuild, ESM), the Electron main and preload (esbuild,
// CommonJS) and the renderer (vite). `--cli` builds only the CLI, for tests that spawn it. Dependencies stay
// external: node resolves them from node_modules at run time, and native modules cannot be bundled anyway.
import { existsSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const cliOnly = process.argv.includes('--cli');
const started = Date.now();
const built = [];

// Chunk names carry a hash: remove the previous build's, which nothing loads any more.
rmSync(new URL('../dist/chunks', import.meta.url), { recursive: true, force: true });
try {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: { cli: 'electron/host/cli.ts' },
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    format: 'esm',
    // Chunks: a command answered by the running owner loads only the CLI's own code, the services on demand.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    define: { __OPSDECK_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  });
  built.push('dist/cli.js');
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
