// `npm start`: builds if needed, then opens the desktop app with Electron where its binary is installed, and
// otherwise (as on machines where it cannot be downloaded) says so in one line and starts the web mode.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = ['dist/cli.js', 'dist/renderer/index.html', 'dist/electron/main.cjs', 'dist/electron/owner-process.cjs'].every((f) => existsSync(join(root, f)));
if (!built) {
  const result = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], { stdio: 'inherit', cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The Electron binary, if installed; never triggers electron's own download (it would fail offline). */
function electronBinary() {
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const bin = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, 'electron');
    return existsSync(bin) ? bin : null;
  }
  if (!existsSync(pathFile)) return null;
  const bin = join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? bin : null;
}

const passthrough = process.argv.slice(2);
const bin = electronBinary();
const child = bin
  ? spawn(bin, [join(root, 'dist/electron/main.cjs'), ...passthrough], { stdio: 'inherit', cwd: root })
  : (console.log('Electron is not installed here (its binary could not be downloaded): starting the web mode instead.'),
    // `ui`: as `serve`, or, when a daemon already owns the data, the cockpit of that daemon.
    spawn(process.execPath, [join(root, 'bin/opsdeck.js'), ...passthrough, 'ui'], { stdio: 'inherit', cwd: dirname(root + '/') }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + 2 : 0)));
