/**
 * A Chromium page driven over a bare DevTools connection, for the terminal benchmark: Playwright enables DevTools'
 * Network domain on every page it drives, and that reports every WebSocket frame, payload included (base64 for
 * binary), from the page's main thread to the driver. A page that streams megabytes over its WebSocket pays for that
 * as no user does (on this machine it cost raw xterm.js fed over a WebSocket a third or more of its throughput).
 * This page is created and driven with Page, Runtime and Input only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';

export interface BarePage {
  goto(url: string): Promise<void>;
  /** Evaluates `expression` in the page (awaiting a promise) and returns its value. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Types text as an IME would (trusted input events), into whatever has focus. */
  type(text: string): Promise<void>;
  pressEnter(): Promise<void>;
  close(): Promise<void>;
}

/** Starts Debian's Chromium with the harness's flags and one page of the given size. */
export async function openBarePage(width: number, height: number): Promise<BarePage> {
  const profile = mkdtempSync(join(tmpdir(), 'opsdeck-bench-chromium-'));
  const chrome: ChildProcess = spawn(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, 'about:blank',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  const endpoint = await new Promise<string>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 20_000);
    chrome.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /DevTools listening on (ws:\S+)/.exec(err);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
  const ws = new WebSocket(endpoint, { perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let nextId = 1;
  const waiting = new Map<number, (message: { result?: unknown; error?: { message: string } }) => void>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown; error?: { message: string } };
    if (message.id !== undefined) waiting.get(message.id)?.(message);
    if (message.id !== undefined) waiting.delete(message.id);
  });
  const send = <T>(method: string, params: object = {}, sessionId?: string): Promise<T> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      waiting.set(id, (m) => (m.error ? reject(new Error(`${method}: ${m.error.message}`)) : resolve(m.result as T)));
      ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  const { targetId } = await send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = await send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
  const page = <T>(method: string, params: object = {}): Promise<T> => send<T>(method, params, sessionId);
  await page('Page.enable');
  await page('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
  return {
    async goto(url) {
      const loaded = new Promise<void>((resolve) => {
        const onMessage = (data: WebSocket.RawData): void => {
          const m = JSON.parse(String(data)) as { method?: string; sessionId?: string };
          if (m.method !== 'Page.loadEventFired' || m.sessionId !== sessionId) return;
          ws.off('message', onMessage);
          resolve();
        };
        ws.on('message', onMessage);
      });
      await page('Page.navigate', { url });
      await loaded;
    },
    async evaluate<T>(expression: string) {
      const r = await page<{ result: { value?: unknown }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
        'Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true });
      if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
      return r.result.value as T;
    },
    async type(text) {
      await page('Input.insertText', { text });
    },
    async pressEnter() {
      const key = { key: 'Enter', code: 'Enter', windowsVirtualKeyCode: 13 };
      await page('Input.dispatchKeyEvent', { type: 'rawKeyDown', ...key });
      await page('Input.dispatchKeyEvent', { type: 'char', text: '\r', ...key });
      await page('Input.dispatchKeyEvent', { type: 'keyUp', ...key });
    },
    async close() {
      const exited = new Promise((resolve) => chrome.once('exit', resolve));
      // Browser.close lets Chromium end its own processes; a kill would leave them writing to the profile.
      const killer = setTimeout(() => chrome.kill('SIGKILL'), 5_000);
      await send('Browser.close').catch(() => chrome.kill());
      await exited;
      clearTimeout(killer);
      ws.close();
      rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}
