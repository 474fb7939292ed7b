/**
 * A stand-in for the parts of 'electron' the app's life uses (app, windows, tray, menus, utility processes,
 * safeStorage), for `vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron)`: the
 * Electron binary cannot run here. Each fake records what was done to it, so that tests assert what a user would see.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeWebContents extends EventEmitter {
  url = '';
  readonly send = vi.fn();
  readonly reload = vi.fn();
  readonly setWindowOpenHandler = vi.fn();
  getURL(): string {
    return this.url;
  }
}

export class FakeWindow extends EventEmitter {
  static all: FakeWindow[] = [];
  static getAllWindows(): FakeWindow[] {
    return FakeWindow.all.filter((w) => !w.destroyed);
  }
  readonly webContents = new FakeWebContents();
  destroyed = false;
  minimized = false;
  visible = false;
  readonly focus = vi.fn();
  constructor(readonly options: Record<string, unknown>) {
    super();
    FakeWindow.all.push(this);
  }
  async loadFile(path: string): Promise<void> {
    this.webContents.url = `file://${path}`;
  }
  show(): void {
    this.visible = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  restore(): void {
    this.minimized = false;
  }
  /** The user closes it. */
  close(): void {
    this.destroyed = true;
    this.emit('closed');
  }
}

export interface FakeMenuItem {
  label?: string;
  type?: string;
  enabled?: boolean;
  checked?: boolean;
  /** Electron passes the item (a checkbox already flipped). */
  click?: (item: { checked?: boolean }) => void;
}

export class FakeTray extends EventEmitter {
  static all: FakeTray[] = [];
  menu: FakeMenuItem[] = [];
  tooltip = '';
  destroyed = false;
  constructor(readonly image: unknown) {
    super();
    FakeTray.all.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: { items: FakeMenuItem[] }): void {
    this.menu = menu.items;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

/** A utility process: the test decides what it says and when it exits. */
export class FakeUtilityProcess extends EventEmitter {
  pid: number | undefined = 40_000 + Math.floor(Math.random() * 10_000);
  readonly sent: unknown[] = [];
  readonly kill = vi.fn(() => {
    this.exit(143);
    return true;
  });
  exitCode: number | null = null;
  constructor(
    readonly modulePath: string,
    readonly args: string[],
    readonly options: Record<string, unknown>,
  ) {
    super();
  }
  postMessage(message: unknown): void {
    this.sent.push(message);
    this.emit('main-message', message);
  }
  /** What the child says to main. */
  say(message: unknown): void {
    this.emit('message', message);
  }
  exit(code: number): void {
    if (this.exitCode !== null) return;
    this.exitCode = code;
    this.pid = undefined;
    this.emit('exit', code);
  }
}

/**
 * safeStorage: encrypts for real (XOR with a fixed byte behind a version prefix, as Chromium's "v10"), so sealed
 * bytes are never the text; `available` says whether the OS keychain can encrypt.
 */
export class FakeSafeStorage {
  available = true;
  /** The texts main was asked to encrypt. */
  readonly encrypted: string[] = [];
  isEncryptionAvailable(): boolean {
    return this.available;
  }
  encryptString(plain: string): Buffer {
    if (!this.available) throw new Error('Error while encrypting the text provided to safeStorage.encryptString. Encryption is not available.');
    this.encrypted.push(plain);
    return Buffer.concat([Buffer.from('v10'), FakeSafeStorage.mask(Buffer.from(plain, 'utf8'))]);
  }
  decryptString(sealed: Buffer): string {
    if (sealed.subarray(0, 3).toString() !== 'v10') throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    return FakeSafeStorage.mask(sealed.subarray(3)).toString('utf8');
  }
  private static mask(bytes: Buffer): Buffer {
    return Buffer.from(bytes.map((x) => x ^ 0x5a));
  }
}

class FakeApp extends EventEmitter {
  readonly quit = vi.fn(() => this.emitQuit());
  readonly exit = vi.fn();
  readonly requestSingleInstanceLock = vi.fn(() => true);
  readonly getVersion = vi.fn(() => '9.9.9-test');
  whenReady(): Promise<void> {
    return Promise.resolve();
  }
  /** What Electron does on quit: will-quit, and the quit happens unless a listener prevented it. */
  emitQuit(): { prevented: boolean } {
    let prevented = false;
    this.emit('will-quit', { preventDefault: () => (prevented = true) });
    if (!prevented) this.quitted += 1;
    return { prevented };
  }
  quitted = 0;
}

export const fake = {
  app: new FakeApp(),
  /** Electron's powerMonitor: a test emits 'resume' as the OS does after a sleep. */
  powerMonitor: new EventEmitter(),
  safeStorage: new FakeSafeStorage(),
  /** How the next utilityProcess.fork behaves; set by each test. */
  onFork: (_child: FakeUtilityProcess): void => undefined,
  forks: [] as FakeUtilityProcess[],
  dialogs: [] as Array<{ title: string; content: string }>,
  ipcHandlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  ipcListeners: new Map<string, (event: unknown, ...args: unknown[]) => void>(),
  reset(): void {
    this.app.removeAllListeners();
    this.powerMonitor.removeAllListeners();
    this.app.quit.mockClear();
    this.app.exit.mockClear();
    this.app.requestSingleInstanceLock.mockImplementation(() => true);
    this.app.quitted = 0;
    this.onFork = () => undefined;
    this.forks = [];
    this.dialogs = [];
    this.ipcHandlers.clear();
    this.ipcListeners.clear();
    this.safeStorage.available = true;
    this.safeStorage.encrypted.length = 0;
    FakeWindow.all = [];
    FakeTray.all = [];
  },
};

export const fakeElectron = {
  app: fake.app,
  powerMonitor: fake.powerMonitor,
  safeStorage: fake.safeStorage,
  BrowserWindow: FakeWindow,
  Tray: FakeTray,
  Menu: { buildFromTemplate: (items: FakeMenuItem[]) => ({ items }) },
  nativeImage: { createFromPath: (path: string) => ({ path }) },
  dialog: { showErrorBox: (title: string, content: string) => fake.dialogs.push({ title, content }) },
  shell: { openExternal: vi.fn(async () => undefined) },
  session: {
    defaultSession: {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest: { onHeadersReceived: vi.fn() },
    },
  },
  ipcMain: {
    handle: (channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) => fake.ipcHandlers.set(channel, handler),
    removeHandler: (channel: string) => fake.ipcHandlers.delete(channel),
    on: (channel: string, listener: (event: unknown, ...args: unknown[]) => void) => fake.ipcListeners.set(channel, listener),
    off: (channel: string) => fake.ipcListeners.delete(channel),
  },
  utilityProcess: {
    fork: (modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) => {
      const child = new FakeUtilityProcess(modulePath, args, options);
      fake.forks.push(child);
      // Asynchronously, as a real process starts after fork() returns.
      setImmediate(() => fake.onFork(child));
      return child;
    },
  },
};
