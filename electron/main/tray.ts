/**
 * The tray icon that keeps Opsdeck's owner running with no window open (what will fire schedules): a menu to open
 * the window again, pause schedules, or quit. Linux shows a tray only where the desktop runs a StatusNotifier
 * host; where none answers, the app does without one and closing the last window quits, as it always did.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';

export interface TrayActions {
  open(): void;
  quit(): void;
  /** Holds (true) or lets go (false) every schedule's firing in the owner (`schedules.suspend`). */
  pauseSchedules(paused: boolean): void;
}

export const PAUSE_SCHEDULES_LABEL = 'Pause schedules';

export function trayMenuTemplate(actions: TrayActions): MenuItemConstructorOptions[] {
  return [
    { label: 'Open Opsdeck', click: () => actions.open() },
    // Electron flips a checkbox's `checked` before calling click: the new state is what to ask for. Held occurrences
    // are caught up by each schedule's policy when let go, as after a sleep.
    { label: PAUSE_SCHEDULES_LABEL, type: 'checkbox', checked: false, click: (item) => actions.pauseSchedules(item.checked) },
    { type: 'separator' },
    { label: 'Quit', click: () => actions.quit() },
  ];
}

/** The icon for this platform, from dist/electron/ (copied from resources/ by scripts/build-electron.mjs). */
export function trayIconPath(bundleDir: string, platform: NodeJS.Platform = process.platform): string {
  // macOS tints a black-and-alpha "template" image for light and dark menu bars; elsewhere the coloured one.
  return join(bundleDir, platform === 'darwin' ? 'tray-iconTemplate.png' : 'tray-icon.png');
}

export function createTray(iconPath: string, actions: TrayActions, platform: NodeJS.Platform = process.platform): Tray {
  // The @2x file beside it is picked up for high-density screens.
  const tray = new Tray(nativeImage.createFromPath(iconPath));
  tray.setToolTip('Opsdeck');
  tray.setContextMenu(Menu.buildFromTemplate(trayMenuTemplate(actions)));
  // Windows (and Linux hosts that report clicks) open the window on a click; macOS shows the menu instead.
  if (platform !== 'darwin') tray.on('click', () => actions.open());
  return tray;
}

export type RunCommand = (file: string, args: string[], timeoutMs: number) => Promise<string>;

const runCommand: RunCommand = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(file, args, { timeout: timeoutMs, encoding: 'utf8' }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });

/** Asking the session bus takes a few ms; a bus that does not answer in this long is taken for none. */
const DBUS_TIMEOUT_MS = 1_500;

/**
 * Whether a StatusNotifier watcher (the KDE/freedesktop tray protocol Electron uses on Linux) is on the session bus.
 * Without one Electron's Tray is created but shown nowhere. An old XEmbed-only tray is not detected: the app then
 * quits on its last window, the safe side (never an invisible process holding the data).
 */
export async function statusNotifierAvailable(run: RunCommand = runCommand): Promise<boolean> {
  try {
    const reply = await run(
      'dbus-send',
      ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.NameHasOwner', 'string:org.kde.StatusNotifierWatcher'],
      DBUS_TIMEOUT_MS,
    );
    return /\bboolean true\b/.test(reply);
  } catch {
    return false;
  }
}

/** Whether a tray icon will be seen on this platform. */
export function platformShowsTray(platform: NodeJS.Platform = process.platform, probe: () => Promise<boolean> = () => statusNotifierAvailable()): Promise<boolean> {
  if (platform === 'win32' || platform === 'darwin') return Promise.resolve(true);
  if (platform === 'linux' || platform === 'freebsd' || platform === 'openbsd') return probe();
  return Promise.resolve(false);
}
