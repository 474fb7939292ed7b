/**
 * Desktop notifications of scheduled runs (electron/main/notifications.ts): what the owner's `schedule.notice`
 * shows, where the platform has notifications and where it has none, and, through the desktop app with a mocked
 * 'electron' and a daemon on a real owner socket, that a notice sent by the owner reaches the desktop and a click
 * brings the window forward.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const notifications = vi.hoisted(() => {
  class FakeNotification {
    static supported = true;
    static shown: FakeNotification[] = [];
    static isSupported(): boolean {
      return FakeNotification.supported;
    }
    readonly listeners = new Map<string, Array<() => void>>();
    visible = false;
    constructor(readonly options: { title?: string; body?: string }) {}
    on(event: string, listener: () => void): this {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    show(): void {
      this.visible = true;
      FakeNotification.shown.push(this);
    }
    /** The user clicks it. */
    click(): void {
      for (const listener of this.listeners.get('click') ?? []) listener();
    }
  }
  return { FakeNotification };
});
const { FakeNotification } = notifications;

vi.mock('electron', async () => ({ ...(await import('./fake-electron.js')).fakeElectron, Notification: notifications.FakeNotification }));

import { startDesktopApp } from '../../../../electron/main/desktop-app.js';
import { scheduleNoticeListener } from '../../../../electron/main/notifications.js';
import type { ScheduleNotice } from '../../../../shared/contract/schedules.js';
import { fake, FakeWindow } from './fake-electron.js';
import { startFakeOwner, writeOwnerJson, type FakeOwner } from './fake-owner.js';

const notice: ScheduleNotice = {
  scheduleId: '0190a1b2-0000-7000-8000-000000000001',
  runId: '0190a1b2-0000-7000-8000-000000000002',
  status: 'failed',
  title: 'Nightly backup failed',
  body: 'Dump the database: exit 2 (host db1)',
};

beforeEach(() => {
  FakeNotification.supported = true;
  FakeNotification.shown = [];
});

describe('schedule notices as desktop notifications', () => {
  it('shows the title and body of each schedule.notice, and nothing for other events', () => {
    const listener = scheduleNoticeListener(() => FakeNotification);
    listener('run.updated', { id: 'r1', status: 'failed' });
    listener('schedules.changed', { scheduleId: notice.scheduleId });
    listener('schedule.notice', notice);
    listener('schedule.notice', { ...notice, runId: 'r2', title: 'Morning health check completed', body: '12 steps succeeded' });
    expect(FakeNotification.shown.map((n) => n.options)).toEqual([
      { title: 'Nightly backup failed', body: 'Dump the database: exit 2 (host db1)' },
      { title: 'Morning health check completed', body: '12 steps succeeded' },
    ]);
  });

  it('shows nothing where the platform has no notifications', () => {
    FakeNotification.supported = false;
    scheduleNoticeListener(() => FakeNotification)('schedule.notice', notice);
    expect(FakeNotification.shown).toEqual([]);
  });

  it('ignores a notice that is not shaped as the contract says, rather than showing "undefined"', () => {
    const listener = scheduleNoticeListener(() => FakeNotification);
    listener('schedule.notice', null);
    listener('schedule.notice', { ...notice, title: 42 });
    listener('schedule.notice', 'Nightly backup failed');
    expect(FakeNotification.shown).toEqual([]);
  });

  it('tells who asked when a notification is clicked, with the notice it showed', () => {
    const clicked: ScheduleNotice[] = [];
    scheduleNoticeListener(() => FakeNotification, { onClick: (n) => clicked.push(n) })('schedule.notice', notice);
    FakeNotification.shown[0]?.click();
    expect(clicked).toEqual([notice]);
  });
});

describe('the desktop app shows what its owner notices', { timeout: 20_000 }, () => {
  let tmp: string;
  let daemon: FakeOwner | undefined;

  beforeEach(() => {
    fake.reset();
    vi.spyOn(console, 'log').mockImplementation(() => undefined);
    tmp = mkdtempSync(join(tmpdir(), 'opsdeck-notices-'));
  });

  afterEach(async () => {
    if (fake.app.quitted === 0) {
      fake.app.quit();
      await vi.waitFor(() => expect(fake.app.quitted).toBe(1), { timeout: 10_000 });
    }
    await daemon?.close();
    vi.restoreAllMocks();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('a scheduled run noticed by a daemon becomes a desktop notification, and clicking it brings the window back', async () => {
    const dataDir = join(tmp, 'data');
    const bundleDir = join(tmp, 'dist', 'electron');
    mkdirSync(bundleDir, { recursive: true });
    writeFileSync(join(bundleDir, 'owner-process.cjs'), '');
    daemon = await startFakeOwner(tmp, 'daemon');
    writeOwnerJson(dataDir, 'daemon', { socket: daemon.socket });
    await startDesktopApp({ appRoot: '/opt/Opsdeck/resources/app', bundleDir, dataDir, showsTray: async () => true }).started;
    await vi.waitFor(() => expect(daemon?.clients).toBe(1));

    // The window was closed: the app lives on in the tray, and the notice still reaches the desktop.
    FakeWindow.getAllWindows()[0]?.close();
    fake.app.emit('window-all-closed');
    daemon.emit('schedule.notice', notice);
    await vi.waitFor(() => expect(FakeNotification.shown).toHaveLength(1));
    expect(FakeNotification.shown[0]?.options).toEqual({ title: notice.title, body: notice.body });

    FakeNotification.shown[0]?.click();
    expect(FakeWindow.getAllWindows()).toHaveLength(1);
  });
});
