/** The tray (electron/main/tray.ts): its menu, its icon, and whether this desktop will show one at all. */
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', async () => (await import('./fake-electron.js')).fakeElectron);

import { createTray, PAUSE_SCHEDULES_LABEL, platformShowsTray, statusNotifierAvailable, trayIconPath, trayMenuTemplate } from '../../../../electron/main/tray.js';
import { methods } from '../../../../shared/contract/methods.js';
import { fake, FakeTray } from './fake-electron.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));

beforeEach(() => fake.reset());

describe('the tray menu', () => {
  it('offers Open Opsdeck, Pause schedules and Quit, in that order', () => {
    const items = trayMenuTemplate({ open: vi.fn(), quit: vi.fn(), pauseSchedules: vi.fn() });
    expect(items.map((i) => i.label ?? i.type)).toEqual(['Open Opsdeck', PAUSE_SCHEDULES_LABEL, 'separator', 'Quit']);
  });

  it('opens the window and quits from the menu', () => {
    const actions = { open: vi.fn(), quit: vi.fn(), pauseSchedules: vi.fn() };
    const tray = createTray('/opt/Opsdeck/dist/electron/tray-icon.png', actions, 'linux') as unknown as FakeTray;
    const item = (label: string) => tray.menu.find((i) => i.label === label);
    item('Open Opsdeck')?.click?.({});
    expect(actions.open).toHaveBeenCalledTimes(1);
    item('Quit')?.click?.({});
    expect(actions.quit).toHaveBeenCalledTimes(1);
    expect(tray.tooltip).toBe('Opsdeck');
    expect(tray.image).toEqual({ path: '/opt/Opsdeck/dist/electron/tray-icon.png' });
    // A click on the icon itself (Windows) opens the window too.
    tray.emit('click');
    expect(actions.open).toHaveBeenCalledTimes(2);
  });

  it('offers Pause schedules as a checkbox whose click asks for the state it was flipped to', () => {
    expect(Object.keys(methods)).toContain('schedules.suspend');
    const pauseSchedules = vi.fn();
    const pause = trayMenuTemplate({ open: vi.fn(), quit: vi.fn(), pauseSchedules }).find((i) => i.label === PAUSE_SCHEDULES_LABEL);
    expect(pause).toMatchObject({ type: 'checkbox', checked: false });
    expect(pause?.enabled).not.toBe(false);
    // Electron flips `checked` and then calls click with the item.
    pause?.click?.({ checked: true } as never, undefined, {} as never);
    pause?.click?.({ checked: false } as never, undefined, {} as never);
    expect(pauseSchedules.mock.calls).toEqual([[true], [false]]);
  });

  it('uses icons that are in resources/ (copied beside the bundles at build), a template image on macOS', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const icon = basename(trayIconPath('/opt/Opsdeck/dist/electron', platform));
      expect(existsSync(join(root, 'resources', icon))).toBe(true);
      expect(existsSync(join(root, 'resources', icon.replace('.png', '@2x.png')))).toBe(true);
    }
    expect(trayIconPath('/b', 'darwin')).toBe(join('/b', 'tray-iconTemplate.png'));
    expect(trayIconPath('/b', 'win32')).toBe(join('/b', 'tray-icon.png'));
  });
});

describe('whether there is a tray to show', () => {
  it('asks the session bus for a StatusNotifier watcher on Linux', async () => {
    const run = vi.fn(async (_file: string, _args: string[], _timeoutMs: number) => '   boolean true\n');
    expect(await statusNotifierAvailable(run)).toBe(true);
    expect(run.mock.calls[0]?.[0]).toBe('dbus-send');
    expect(run.mock.calls[0]?.[1]).toContain('string:org.kde.StatusNotifierWatcher');
    expect(await statusNotifierAvailable(async () => '   boolean false\n')).toBe(false);
  });

  it('takes no bus, no dbus-send, or no answer for no tray', async () => {
    const error = Object.assign(new Error('spawn dbus-send ENOENT'), { code: 'ENOENT' });
    expect(await statusNotifierAvailable(async () => Promise.reject(error))).toBe(false);
  });

  it('has a tray on Windows and macOS without asking, and asks on Linux', async () => {
    const probe = vi.fn(async () => false);
    expect(await platformShowsTray('win32', probe)).toBe(true);
    expect(await platformShowsTray('darwin', probe)).toBe(true);
    expect(probe).not.toHaveBeenCalled();
    expect(await platformShowsTray('linux', probe)).toBe(false);
    expect(probe).toHaveBeenCalledTimes(1);
  });
});
