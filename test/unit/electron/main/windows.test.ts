import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const state = { loadError: null as Error | null };
  const created: Array<{ options: Record<string, unknown>; loadFile: ReturnType<typeof vi.fn> }> = [];
  class BrowserWindow {
    readonly loadFile = vi.fn(async (_path: string) => {
      if (state.loadError) throw state.loadError;
    });
    readonly once = vi.fn();
    readonly show = vi.fn();
    constructor(options: Record<string, unknown>) {
      created.push({ options, loadFile: this.loadFile });
    }
  }
  return { BrowserWindow, created, state };
});
vi.mock('electron', () => ({ BrowserWindow: electron.BrowserWindow }));

import { appIndexUrl, appPaths, createMainWindow, WINDOW_BACKGROUND } from '../../../../electron/main/windows.js';

describe('the main window', () => {
  const paths = appPaths('/opt/Opsdeck/resources/app');

  it('runs the renderer isolated, sandboxed, without Node or <webview>, with our preload', () => {
    createMainWindow(paths);
    const options = electron.created.at(-1)?.options;
    expect(options?.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      preload: '/opt/Opsdeck/resources/app/dist/electron/preload.cjs',
    });
    expect(options?.backgroundColor).toBe(WINDOW_BACKGROUND);
  });

  it('loads the built renderer from disk, at the URL the bridge trusts', () => {
    createMainWindow(paths);
    expect(electron.created.at(-1)?.loadFile).toHaveBeenCalledWith('/opt/Opsdeck/resources/app/dist/renderer/index.html');
    expect(appIndexUrl(paths)).toBe('file:///opt/Opsdeck/resources/app/dist/renderer/index.html');
  });

  it('reports a page that cannot load (the renderer was never built)', async () => {
    const onLoadFailed = vi.fn();
    electron.state.loadError = new Error('ERR_FILE_NOT_FOUND');
    try {
      createMainWindow(paths, onLoadFailed);
      await vi.waitFor(() => expect(onLoadFailed).toHaveBeenCalledWith(electron.state.loadError));
    } finally {
      electron.state.loadError = null;
    }
  });
});
