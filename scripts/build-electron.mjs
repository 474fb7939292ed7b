// The Electron bundles, called from scripts/build.mjs: main and preload as CommonJS (a sandboxed preload can only
// be a single CommonJS file), with electron itself and native modules left for Electron to load at run time.
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Left in node_modules for main: native modules (cannot be bundled; rebuilt for Electron's ABI when packaging) and
 * packages that find their .wasm beside their own files. Everything else is bundled, because many of our
 * dependencies are ESM-only and CommonJS `require()` of ESM is not something to lean on in Electron's Node.
 */
const MAIN_EXTERNAL = ['electron', 'better-sqlite3', 'node-pty', 'ssh2', 'cpu-features', 'web-tree-sitter', 'tree-sitter-bash'];

/** Electron 45 runs Node 22 and Chromium 140. */
const MAIN_TARGET = 'node22';
const PRELOAD_TARGET = 'chrome140';

/**
 * Bundles electron/main/app.ts to dist/electron/main.cjs and electron/preload/index.ts to dist/electron/preload.cjs.
 * `esbuild` is the esbuild module (so this file needs no import of its own); `define` is passed through (the
 * version constant). Returns the files written, for the build's summary line.
 */
export async function buildElectron(esbuild, { define = {} } = {}) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
  };
  await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: ['electron/main/app.ts'],
      outfile: 'dist/electron/main.cjs',
      target: MAIN_TARGET,
      external: MAIN_EXTERNAL,
      // CommonJS has no import.meta: give modules that locate files from it (shell-grammar.ts) this file's URL.
      // "use strict" first, or the banner would stop it being the file's directive.
      banner: { js: '"use strict";\nconst __opsdeckImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
      define: { ...define, 'import.meta.url': '__opsdeckImportMetaUrl' },
    }),
    esbuild.build({
      ...common,
      entryPoints: ['electron/preload/index.ts'],
      outfile: 'dist/electron/preload.cjs',
      target: PRELOAD_TARGET,
      // Everything but electron is inlined: a sandboxed preload cannot require from node_modules.
      external: ['electron'],
      define,
    }),
  ]);
  return ['dist/electron/main.cjs', 'dist/electron/preload.cjs'];
}
