/**
 * The desktop app's life, from app.ts: one instance per user; the window and the IPC bridge in main; the data
 * owned by a daemon already running or by the app's own utility process (owner-connection.ts); a tray that keeps
 * that owner running with no window; and a quit that stops only what the app started. A module of its own, with
 * its paths passed in, so that tests drive it with a mocked 'electron'.
 */
import { join } from 'node:path';
import { app, BrowserWindow, dialog, Notification, powerMonitor, safeStorage, session, type Tray } from 'electron';
import { connectToOwner } from '../host/owner-socket.js';
import { readOwner } from '../services/store/owner-lock.js';
import { installIpcBridge } from './ipc-bridge.js';
import { scheduleNoticeListener } from './notifications.js';
import { forkOwnerProcess } from './owner-child.js';
import { openOwner } from './owner-connection.js';
import { OWNER_PROCESS_FILE, oneLine } from './owner-protocol.js';
import { createOwnerSession } from './owner-session.js';
import { hardenSession, hardenWebContents } from './security.js';
import { createTray, platformShowsTray, trayIconPath } from './tray.js';
import { appIndexUrl, appPaths, createMainWindow } from './windows.js';

export interface DesktopAppOptions {
  /** The folder holding package.json and dist/ (or the asar). */
  appRoot: string;
  /** dist/electron/: the owner process's bundle and the tray icons. */
  bundleDir: string;
  /** OPSDECK_HOME or the OS's folder (data-dir.ts): the same answer the CLI gets, so both use one library. */
  dataDir: string;
  /** Whether this desktop shows a tray icon (tray.ts platformShowsTray). */
  showsTray?: () => Promise<boolean>;
}

export interface DesktopApp {
  /** Settles once the app is up (window, bridge, owner), or has shown why it could not start. */
  readonly started: Promise<void>;
}

export function startDesktopApp(options: DesktopAppOptions): DesktopApp {
  const paths = appPaths(options.appRoot);
  const indexUrl = appIndexUrl(paths);
  let mainWindow: BrowserWindow | null = null;
  let tray: Tray | null = null;
  let removeBridge: (() => void) | null = null;
  let ready = false;
  let quit: 'no' | 'stopping' | 'done' = 'no';
  let failed = false;

  const connect = (socket: string) => connectToOwner(socket, { client: 'desktop', acks: true });
  const owner = createOwnerSession({
    open: (signal) =>
      openOwner({
        dataDir: options.dataDir,
        readOwner,
        connect,
        fork: (forkSignal) =>
          forkOwnerProcess({
            modulePath: join(options.bundleDir, OWNER_PROCESS_FILE),
            dataDir: options.dataDir,
            version: app.getVersion(),
            signal: forkSignal,
            keychain: safeStorage,
          }),
        signal,
        onWait: (line) => console.log(`opsdeck: ${line}`),
      }),
    connect,
    // A new owner (or the same after a dropped connection): the window's state predates it, so it loads afresh.
    onReconnected: () => {
      if (mainWindow && !mainWindow.isDestroyed()) mainWindow.webContents.reload();
    },
    onGone: (message) => void failAndExit('Opsdeck stopped', message),
  });

  /** One dialog, no stack trace, then exit: whatever the app started is stopped first. */
  async function failAndExit(title: string, message: string): Promise<void> {
    if (failed || quit !== 'no') return;
    failed = true;
    dialog.showErrorBox(title, `${message}\n\nData directory: ${options.dataDir}`);
    quit = 'done';
    removeBridge?.();
    tray?.destroy();
    await owner.stop().catch((error: unknown) => console.error('opsdeck: stopping failed:', error));
    app.exit(1);
  }

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
    if (!ready) return;
    if (!mainWindow || mainWindow.isDestroyed()) return openWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    if (!mainWindow.isVisible()) mainWindow.show();
    mainWindow.focus();
  }

  async function start(): Promise<void> {
    hardenSession(session.defaultSession);
    removeBridge = installIpcBridge({ host: owner.host, getWindow: () => mainWindow, appIndexUrl: indexUrl });
    // Scheduled runs that say to tell someone: a desktop notification, whether or not a window is open.
    owner.host.subscribe(scheduleNoticeListener(() => Notification, { onClick: focusWindow }));
    // The window first: its calls wait in the session until the owner answers (at once, or after a CLI command).
    ready = true;
    openWindow();
    const showsTray = options.showsTray ?? (() => platformShowsTray());
    const [connection, withTray] = await Promise.all([owner.start(), showsTray().catch(() => false)]);
    const tellOwner = (method: string, input: unknown): void => {
      void owner.host.dispatch(method, input).then((r) => {
        if (!r.ok) console.error(`opsdeck: ${method}: ${r.error.message}`);
      });
    };
    if (withTray && quit === 'no') {
      tray = createTray(trayIconPath(options.bundleDir), { open: focusWindow, quit: () => app.quit(), pauseSchedules: (paused) => tellOwner('schedules.suspend', { suspended: paused }) });
    }
    // After a sleep the owner re-plans at once (its own clock watch would notice within seconds anyway).
    powerMonitor.on('resume', () => tellOwner('schedules.wake', {}));
    console.log(connection.via === 'client' ? `opsdeck: using the data of ${connection.owner.kind} (pid ${connection.owner.pid})` : `opsdeck: owner process ready (pid ${connection.child.pid ?? '?'})`);
  }

  if (!app.requestSingleInstanceLock()) {
    // Another Opsdeck app runs for this user; it is told (second-instance) and comes to the front.
    app.quit();
    return { started: Promise.resolve() };
  }
  app.on('second-instance', focusWindow);
  // Every web contents, including any we did not expect, gets the same rules before it can load anything.
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, indexUrl));
  app.on('activate', () => {
    if (ready && BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('window-all-closed', () => {
    // With a tray the owner keeps running (Open Opsdeck brings the window back); without one, as before: macOS keeps
    // an app running with no window, elsewhere closing the window quits.
    if (tray) return;
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', (event) => {
    if (quit === 'done') return;
    // Stop the owner first (the app's own: runs recorded as interrupted, database closed; a daemon: left running).
    event.preventDefault();
    if (quit === 'stopping') return;
    quit = 'stopping';
    removeBridge?.();
    removeBridge = null;
    tray?.destroy();
    tray = null;
    owner
      .stop()
      .catch((error: unknown) => console.error('opsdeck: stopping the owner failed:', error))
      .finally(() => {
        quit = 'done';
        app.quit();
      });
  });
  const started = app
    .whenReady()
    .then(start)
    .catch((error: unknown) => failAndExit('Opsdeck could not start', `Opsdeck could not open your data: ${oneLine(error)}`));
  return { started };
}
