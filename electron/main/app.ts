/**
 * The Electron entry (bundled to dist/electron/main.cjs): one instance per user, the host on the data directory
 * the CLI also uses, the IPC bridge and the window, all hardened by security.ts before any page loads.
 */
import { resolve } from 'node:path';
import { app, BrowserWindow, dialog, safeStorage, session } from 'electron';
import { defaultDataDir } from '../host/data-dir.js';
import { createHost, type Host } from '../host/host.js';
import { installIpcBridge } from './ipc-bridge.js';
import { hardenSession, hardenWebContents } from './security.js';
import { appIndexUrl, appPaths, createMainWindow } from './windows.js';

// From this bundle's own place (dist/electron/main.cjs), not app.getAppPath(): that is the script's folder when
// launched as `electron dist/electron/main.cjs` (npm start) and the package root when launched as `electron .`.
const paths = appPaths(resolve(__dirname, '..', '..'));
const indexUrl = appIndexUrl(paths);

let mainWindow: BrowserWindow | null = null;
let host: Host | null = null;
let removeBridge: (() => void) | null = null;
let closed = false;

function openWindow(): void {
  mainWindow = createMainWindow(paths, () => {
    dialog.showErrorBox('Opsdeck', `The interface is not built (${paths.indexHtml} is missing or broken). Run \`npm run build\`, then start Opsdeck again.`);
    app.quit();
  });
  const window = mainWindow;
  window.on('closed', () => {
    if (mainWindow === window) mainWindow = null;
  });
}

function focusWindow(): void {
  if (!mainWindow) return openWindow();
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

async function start(): Promise<void> {
  hardenSession(session.defaultSession);
  // OPSDECK_HOME first, then the OS's folder: the same answer the CLI gets, so both use one library.
  host = await createHost({
    dataDir: defaultDataDir(),
    mode: 'electron',
    version: app.getVersion(),
    keychain: safeStorage,
    onInternalError: (method, error) => console.error(`opsdeck: ${method}:`, error),
  });
  removeBridge = installIpcBridge({ host, getWindow: () => mainWindow, appIndexUrl: indexUrl });
  openWindow();
}

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  dialog.showErrorBox('Opsdeck could not start', message);
  app.exit(1);
}

if (!app.requestSingleInstanceLock()) {
  // Another Opsdeck owns the database; it is told (second-instance) and comes to the front.
  app.quit();
} else {
  app.on('second-instance', focusWindow);
  // Every web contents, including any we did not expect, gets the same rules before it can load anything.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, indexUrl));
  app.on('activate', () => {
    if (host && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    // macOS keeps an app running with no window; elsewhere closing the window quits.
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (event) => {
    if (closed || !host) return;
    // Finish closing the host (running steps are recorded as interrupted, the database is closed) before exiting.
    event.preventDefault();
    const closing = host;
    host = null;
    removeBridge?.();
    closing
      .close()
      .catch((error: unknown) => console.error('opsdeck: closing failed:', error))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
  app.whenReady().then(start).catch(fail);
}
