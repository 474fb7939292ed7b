// Bundles the TypeScript entry points with esbuild into dist/. Dependencies stay external (node resolves them
// from node_modules at run time; better-sqlite3 is native and cannot be bundled anyway).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const started = Date.now();

const entries = { cli: 'electron/host/cli.ts' };

try {
  await build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: 'dist',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    define: { __OPSDECK_VERSION__: JSON.stringify(version) },
    logLevel: 'warning',
  });
  console.log(`build: ${Object.keys(entries).map((name) => `dist/${name}.js`).join(', ')} in ${Date.now() - started} ms`);
} catch {
  // esbuild has already printed each error with its location; a stack trace would only bury them.
  console.error('build: failed');
  process.exitCode = 1;
}
