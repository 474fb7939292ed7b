import { beforeEach, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({ shell: { openExternal: vi.fn(async (_url: string) => undefined) } }));
vi.mock('electron', () => electron);

import type { Session, WebContents } from 'electron';
import { APP_CSP, hardenSession, hardenWebContents, isAppUrl, openExternalSafely, safeExternalUrl } from '../../../../electron/main/security.js';

const INDEX = 'file:///opt/Opsdeck/resources/app/dist/renderer/index.html';

beforeEach(() => {
  electron.shell.openExternal.mockClear();
});

describe('the external link allowlist', () => {
  it('allows http and https links', () => {
    expect(safeExternalUrl('https://example.com/docs?q=1#top')?.href).toBe('https://example.com/docs?q=1#top');
    expect(safeExternalUrl('http://grafana.internal:3000/d/abc')?.href).toBe('http://grafana.internal:3000/d/abc');
    expect(safeExternalUrl('HTTPS://EXAMPLE.COM')?.href).toBe('https://example.com/');
  });

  it.each([
    'file:///etc/passwd',
    'file://server/share/evil.exe',
    'javascript:alert(1)',
    ' javascript:alert(1)',
    'JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'smb://attacker.example/share',
    'ms-settings:network',
    'vscode://file/etc/passwd',
    'ssh://host',
    'mailto:a@example.com',
    'https://bank.example@evil.example/',
    'http://',
    'not a url',
    '//example.com/protocol-relative',
    '',
  ])('refuses %j', (raw) => {
    expect(safeExternalUrl(raw)).toBeNull();
  });

  it('refuses what is not a string, and very long links', () => {
    expect(safeExternalUrl(undefined)).toBeNull();
    expect(safeExternalUrl({ href: 'https://example.com' })).toBeNull();
    expect(safeExternalUrl(`https://example.com/${'a'.repeat(9000)}`)).toBeNull();
  });

  it('hands only allowed links to shell.openExternal', async () => {
    expect(await openExternalSafely('https://example.com/a')).toBe(true);
    expect(await openExternalSafely('file:///etc/passwd')).toBe(false);
    expect(await openExternalSafely('smb://attacker.example/share')).toBe(false);
    expect(electron.shell.openExternal.mock.calls).toEqual([['https://example.com/a']]);
  });
});

describe('hardenSession', () => {
  function fakeSession() {
    return {
      setPermissionRequestHandler: vi.fn(),
      setPermissionCheckHandler: vi.fn(),
      setDevicePermissionHandler: vi.fn(),
      webRequest: { onHeadersReceived: vi.fn() },
    };
  }

  it('denies every permission request and check', () => {
    const session = fakeSession();
    hardenSession(session as unknown as Session);
    const request = session.setPermissionRequestHandler.mock.calls[0]?.[0] as (wc: unknown, p: string, cb: (ok: boolean) => void) => void;
    for (const permission of ['media', 'notifications', 'clipboard-read', 'geolocation', 'openExternal']) {
      const callback = vi.fn();
      request({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
    }
    const check = session.setPermissionCheckHandler.mock.calls[0]?.[0] as (wc: unknown, p: string) => boolean;
    expect(check(null, 'media')).toBe(false);
    const device = session.setDevicePermissionHandler.mock.calls[0]?.[0] as (details: unknown) => boolean;
    expect(device({ deviceType: 'usb' })).toBe(false);
  });

  it('puts our CSP on every response, replacing any other', () => {
    const session = fakeSession();
    hardenSession(session as unknown as Session);
    const listener = session.webRequest.onHeadersReceived.mock.calls[0]?.[0] as (d: unknown, cb: (r: unknown) => void) => void;
    const callback = vi.fn();
    listener({ url: INDEX, responseHeaders: { 'content-security-policy': ['default-src *'], 'X-Other': ['1'] } }, callback);
    expect(callback).toHaveBeenCalledWith({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [APP_CSP] } });
    expect(APP_CSP).toMatch(/^default-src 'self'/);
  });
});

describe('hardenWebContents', () => {
  function harden() {
    const listeners = new Map<string, (event: { url?: string; preventDefault: () => void }) => void>();
    let openHandler: ((details: { url: string }) => { action: string }) | undefined;
    const contents = {
      on: vi.fn((name: string, listener: (event: { url?: string; preventDefault: () => void }) => void) => listeners.set(name, listener)),
      setWindowOpenHandler: vi.fn((handler: typeof openHandler) => (openHandler = handler)),
    };
    hardenWebContents(contents as unknown as WebContents, INDEX);
    const fire = (name: string, url?: string) => {
      const event = { url, preventDefault: vi.fn() };
      listeners.get(name)?.(event);
      return event.preventDefault.mock.calls.length > 0;
    };
    return { fire, open: (url: string) => openHandler?.({ url }) };
  }

  it('prevents navigation to a foreign page and opens http(s) ones in the browser instead', () => {
    const { fire } = harden();
    expect(fire('will-navigate', 'https://evil.example/phish')).toBe(true);
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://evil.example/phish');
    electron.shell.openExternal.mockClear();
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(fire('will-navigate', 'file:///opt/Opsdeck/resources/app/dist/renderer/other.html')).toBe(true);
    expect(electron.shell.openExternal).not.toHaveBeenCalled();
    expect(fire('will-redirect', 'https://evil.example/')).toBe(true);
  });

  it('lets our own page reload, with any hash', () => {
    const { fire } = harden();
    expect(fire('will-navigate', INDEX)).toBe(false);
    expect(fire('will-navigate', `${INDEX}#/runs/1`)).toBe(false);
  });

  it('denies every new window; http(s) goes to the browser, other schemes nowhere', () => {
    const { open } = harden();
    expect(open('https://example.com/runbook')).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal.mock.calls).toEqual([['https://example.com/runbook']]);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://x/y', 'opsdeck://evil', INDEX]) {
      expect(open(url)).toEqual({ action: 'deny' });
    }
    expect(electron.shell.openExternal).toHaveBeenCalledTimes(1);
  });

  it('refuses to attach a <webview>', () => {
    expect(harden().fire('will-attach-webview')).toBe(true);
  });

  it('recognises our page only by its exact file path', () => {
    expect(isAppUrl(`${INDEX}?x=1#y`, INDEX)).toBe(true);
    expect(isAppUrl('file:///tmp/index.html', INDEX)).toBe(false);
    expect(isAppUrl('http://127.0.0.1/opt/Opsdeck/resources/app/dist/renderer/index.html', INDEX)).toBe(false);
    expect(isAppUrl('garbage', INDEX)).toBe(false);
  });
});
