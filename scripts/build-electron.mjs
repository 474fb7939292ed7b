// The Electron bundles, called from scripts/build.mjs: main, the owner's utility process and preload as CommonJS (a
// sandboxed preload can only be a single CommonJS file), with electron itself and native modules left for Electron
// to load at run time; and the tray icons beside them (dist/ is what electron-builder packs).
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
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

/** From resources/ to dist/electron/, where electron/main/tray.ts looks (the @2x files serve high-density screens). */
const TRAY_ICONS = ['tray-icon.png', 'tray-icon@2x.png', 'tray-iconTemplate.png', 'tray-iconTemplate@2x.png'];

/**
 * Bundles electron/main/app.ts to dist/electron/main.cjs, electron/main/owner-process.ts (the utility process that
 * owns the data) to dist/electron/owner-process.cjs and electron/preload/index.ts to dist/electron/preload.cjs.
 * `esbuild` is the esbuild module (so this file needs no import of its own); `define` is passed through (the
 * version constant); `outDir` (relative to the repository) is for tests that run the bundles. Returns the files
 * written, for the build's summary line.
 */
export async function buildElectron(esbuild, { define = {}, outDir = 'dist/electron' } = {}) {
  const common = {
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    sourcemap: true,
    logLevel: 'warning',
  };
  // CommonJS has no import.meta: give modules that locate files from it (shell-grammar.ts, owner-lock.ts) this file's
  // URL. "use strict" first, or the banner would stop it being the file's directive.
  const nodeBundle = (entry, outfile) => ({
    ...common,
    entryPoints: [entry],
    outfile,
    target: MAIN_TARGET,
    external: MAIN_EXTERNAL,
    banner: { js: '"use strict";\nconst __opsdeckImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    define: { ...define, 'import.meta.url': '__opsdeckImportMetaUrl' },
  });
  await Promise.all([
    esbuild.build(nodeBundle('electron/main/app.ts', `${outDir}/main.cjs`)),
    esbuild.build(nodeBundle('electron/main/owner-process.ts', `${outDir}/owner-process.cjs`)),
    esbuild.build({
      ...common,
      entryPoints: ['electron/preload/index.ts'],
      outfile: `${outDir}/preload.cjs`,
      target: PRELOAD_TARGET,
      // Everything but electron is inlined: a sandboxed preload cannot require from node_modules.
      external: ['electron'],
      define,
    }),
  ]);
  mkdirSync(join(root, outDir), { recursive: true });
  for (const icon of TRAY_ICONS) copyFileSync(join(root, 'resources', icon), join(root, outDir, icon));
  return [`${outDir}/main.cjs`, `${outDir}/owner-process.cjs`, `${outDir}/preload.cjs`, ...TRAY_ICONS.map((icon) => `${outDir}/${icon}`)];
}
