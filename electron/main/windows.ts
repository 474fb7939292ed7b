/**
 * The main window: the renderer runs isolated and sandboxed, with no Node, and reaches main only through the
 * preload's `window.opsdeck`. Its page is the built renderer, loaded from disk.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, type WebPreferences } from 'electron';

/** Where the built files are, from the app's root (the folder holding package.json and dist/, or the asar). */
export interface AppPaths {
  /** dist/renderer/index.html */
  indexHtml: string;
  /** dist/electron/preload.cjs */
  preload: string;
}

/** Matches the renderer's dark theme, so the window does not flash white while the page loads. */
export const WINDOW_BACKGROUND = '#15171c';

export function appPaths(appRoot: string): AppPaths {
  return {
    indexHtml: join(appRoot, 'dist', 'renderer', 'index.html'),
    preload: join(appRoot, 'dist', 'electron', 'preload.cjs'),
  };
}

/** The URL our page has once loaded: the only one the window may show and the only sender the bridge accepts. */
export function appIndexUrl(paths: AppPaths): string {
  return pathToFileURL(paths.indexHtml).href;
}

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    spellcheck: false,
  };
}

/** `onLoadFailed` hears when the page cannot load (most often: the renderer was never built). */
export function createMainWindow(paths: AppPaths, onLoadFailed: (error: unknown) => void = () => undefined): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Opsdeck',
    backgroundColor: WINDOW_BACKGROUND,
    show: false,
    webPreferences: secureWebPreferences(paths.preload),
  });
  window.once('ready-to-show', () => window.show());
  window.loadFile(paths.indexHtml).catch(onLoadFailed);
  return window;
}
