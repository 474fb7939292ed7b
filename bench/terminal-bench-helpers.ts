/**
 * Pieces of the terminal benchmark (terminal.bench.ts): the test file it cats, the page scripts that time things
 * inside Chromium (on the page's own clock, so the driver's round trips are not measured), the raw xterm.js page it
 * is compared against, and driving the Terminals page. Page code is kept as strings: the bench compiles without DOM
 * types, and these run in the browser, not here.
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { root } from '../test/e2e/harness.js';

/** The prompt the bench's shells get: short, and unlike anything in the test file. */
export const PROMPT = 'bench$';

/**
 * Writes `bytes` of log-like ASCII lines (~90 bytes each, varied like real logs) to `file`; returns the text as a pty
 * delivers it (onlcr: every LF becomes CR LF), for the raw xterm.js side.
 */
export async function writeLogFile(file: string, bytes: number): Promise<string> {
  const methods = ['GET', 'POST', 'PUT', 'DELETE'];
  const levels = ['INFO ', 'INFO ', 'INFO ', 'WARN ', 'DEBUG', 'ERROR'];
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const ms = String(i % 1000).padStart(3, '0');
    const line = `2026-11-24T06:${String((i >> 10) % 60).padStart(2, '0')}:${String((i >> 4) % 60).padStart(2, '0')}.${ms}Z ${levels[i % 6]} worker-${i % 8} `
      + `${methods[i % 4]} /api/v1/items/${(i * 7919) % 100000} status=${i % 17 === 0 ? 500 : 200} took=${(i * 31) % 997}ms\n`;
    const fitted = size + line.length > bytes ? `${line.slice(0, bytes - size - 1)}\n` : line;
    lines.push(fitted);
    size += fitted.length;
  }
  const text = lines.join('');
  await new Promise<void>((resolve, reject) => {
    const out = createWriteStream(file);
    out.once('error', reject);
    out.end(text, () => resolve());
  });
  return text.replace(/\n/g, '\r\n');
}

/**
 * Installed before the app loads: every WebSocket also reports its messages to `window.__benchWs` (when set), so the
 * bench can tell when output reached the renderer, before xterm parses and draws it.
 */
export const WS_HOOK = `(() => {
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => window.__benchWs?.(event.data));
    }
  };
})()`;

/**
 * Page script: the size in bytes of a WebSocket message if it is terminal output (a binary `term.data` frame, see
 * shared/contract/wire.ts), else 0.
 */
const TERM_DATA_BYTES = `(data) => data instanceof ArrayBuffer && data.byteLength > 1 && new Uint8Array(data, 0, 1)[0] === 1 ? data.byteLength : 0`;

/** Page script: the lines of the active terminal's rows, trimmed, for `lastLine`. */
export const LAST_LINE = `(rows) => {
  for (let i = rows.children.length - 1; i >= 0; i--) {
    const line = rows.children[i].textContent.replace(/\\u00a0/g, ' ').trimEnd();
    if (line !== '') return line;
  }
  return '';
}`;

/**
 * Page script for the Terminals page: the next Enter starts the clock; it stops at the first frame whose rows show
 * `marker`. Also counts the term.data characters that arrive meanwhile and when the last arrived.
 */
export function armThroughput(marker: string): string {
  return `(() => {
    const rows = document.querySelector('[data-testid=terminal-screen] .xterm-rows');
    const probe = (window.__tp = { keyAt: 0, lastDataAt: 0, dataBytes: 0, doneAt: 0 });
    const onKey = (event) => {
      if (event.key !== 'Enter') return;
      probe.keyAt = performance.now();
      document.removeEventListener('keydown', onKey, true);
    };
    document.addEventListener('keydown', onKey, true);
    const termDataBytes = ${TERM_DATA_BYTES};
    window.__benchWs = (data) => {
      const bytes = termDataBytes(data);
      if (probe.keyAt === 0 || probe.doneAt !== 0 || bytes === 0) return;
      probe.dataBytes += bytes;
      probe.lastDataAt = performance.now();
    };
    const observer = new MutationObserver(() => {
      if (probe.keyAt === 0 || !rows.textContent.includes(${JSON.stringify(marker)})) return;
      probe.doneAt = performance.now();
      observer.disconnect();
    });
    observer.observe(rows, { childList: true, subtree: true, characterData: true });
  })()`;
}

export interface ThroughputProbe {
  keyAt: number;
  lastDataAt: number;
  /** Bytes of term.data frames, headers included. */
  dataBytes: number;
  doneAt: number;
}

/**
 * Page script for the Terminals page: times keystroke echoes. `arm(expected)` before a key press; the keydown starts
 * the clock, the first term.data after it is "reached the renderer", and the first frame whose cursor line reads
 * `expected` is "on screen". `result()` resolves with both, in ms after the keydown.
 */
export const ECHO_PROBE = `(() => {
  const lastLine = ${LAST_LINE};
  const rows = document.querySelector('[data-testid=terminal-screen] .xterm-rows');
  const termDataBytes = ${TERM_DATA_BYTES};
  let state = null;
  const check = () => {
    if (!state || state.keyAt === 0 || state.screenAt !== 0 || lastLine(rows) !== state.expected) return;
    state.screenAt = performance.now();
    state.resolve({ ws: state.wsAt - state.keyAt, screen: state.screenAt - state.keyAt });
  };
  document.addEventListener('keydown', () => {
    if (state && state.keyAt === 0) state.keyAt = performance.now();
  }, true);
  window.__benchWs = (data) => {
    if (state && state.keyAt !== 0 && state.wsAt === 0 && termDataBytes(data) > 0) {
      state.wsAt = performance.now();
    }
  };
  new MutationObserver(check).observe(rows, { childList: true, subtree: true, characterData: true });
  window.__echo = {
    arm(expected) {
      let resolve;
      const done = new Promise((r) => (resolve = r));
      state = { expected, keyAt: 0, wsAt: 0, screenAt: 0, resolve, done };
    },
    result: () => Promise.race([
      state.done,
      new Promise((_, reject) => setTimeout(() => reject(new Error('no echo: wanted "' + state.expected + '", the line reads "' + lastLine(rows) + '"')), 5000)),
    ]),
  };
})()`;

/** The raw xterm.js page, served from a made-up origin by Playwright's router: xterm, its CSS, Unicode 11, the data. */
export async function serveRawPage(page: Page, data: string): Promise<string> {
  const origin = 'http://raw-xterm.invalid';
  const xterm = join(root, 'node_modules/@xterm');
  await page.route(`${origin}/**`, async (route) => {
    const path = new URL(route.request().url()).pathname;
    if (path === '/') {
      return route.fulfill({
        contentType: 'text/html',
        body: '<!doctype html><html><head><link rel="stylesheet" href="/xterm.css"><script src="/xterm.js"></script>'
          + '<script src="/unicode11.js"></script></head><body style="margin:0;background:#0b0e12"><div id="t"></div></body></html>',
      });
    }
    if (path === '/xterm.css') return route.fulfill({ path: join(xterm, 'xterm/css/xterm.css'), contentType: 'text/css' });
    if (path === '/xterm.js') return route.fulfill({ path: join(xterm, 'xterm/lib/xterm.js'), contentType: 'text/javascript' });
    if (path === '/unicode11.js') return route.fulfill({ path: join(xterm, 'addon-unicode11/lib/addon-unicode11.js'), contentType: 'text/javascript' });
    if (path === '/data') return route.fulfill({ body: data, contentType: 'text/plain; charset=utf-8' });
    return route.fulfill({ status: 404, body: '' });
  });
  return `${origin}/`;
}

export interface TerminalLook {
  cols: number;
  rows: number;
  fontSize: number;
  fontFamily: string;
  scrollback: number;
}

/**
 * Page script for the raw page: a fresh Terminal like the app's (size, font, scrollback, Unicode 11, DOM renderer)
 * is fed the data in 64 KB writes, at most 1 MB in flight (xterm throws data away past 50 MB queued), and timed
 * from the first write to the first frame showing `marker` (the data's last line), as on the Terminals page.
 */
export function rawWrite(look: TerminalLook, marker: string): string {
  return `(async () => {
    const look = ${JSON.stringify(look)};
    const text = await (await fetch('/data')).text();
    const el = document.getElementById('t');
    const term = new Terminal({ ...look, allowProposedApi: true, cursorBlink: true });
    term.loadAddon(new Unicode11Addon.Unicode11Addon());
    term.unicode.activeVersion = '11';
    term.open(el);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    const rows = el.querySelector('.xterm-rows');
    const CHUNK = 64 * 1024;
    const IN_FLIGHT = 16;
    return await new Promise((resolve) => {
      const start = performance.now();
      let writtenAt = 0;
      let offset = 0;
      let inFlight = 0;
      const observer = new MutationObserver(() => {
        if (!rows.textContent.includes(${JSON.stringify(marker)})) return;
        observer.disconnect();
        resolve({ chars: text.length, drawnMs: performance.now() - start, writtenMs: writtenAt - start });
      });
      observer.observe(rows, { childList: true, subtree: true, characterData: true });
      const pump = () => {
        while (inFlight < IN_FLIGHT && offset < text.length) {
          const chunk = text.slice(offset, offset + CHUNK);
          offset += CHUNK;
          const last = offset >= text.length;
          inFlight++;
          term.write(chunk, () => {
            inFlight--;
            if (last) writtenAt = performance.now();
            pump();
          });
        }
      };
      pump();
    });
  })()`;
}

export interface RawResult {
  chars: number;
  drawnMs: number;
  writtenMs: number;
}

/** The active terminal's size and look as the app drew it, to give the raw Terminal the same. */
export async function activeLook(page: Page, scrollback: number): Promise<TerminalLook> {
  return page.evaluate(`(() => {
    const root = document.querySelector('[data-testid=terminal-screen]');
    const width = root.querySelector('.xterm-screen').getBoundingClientRect().width;
    const cell = root.querySelector('.xterm-helper-textarea').getBoundingClientRect().width;
    const style = getComputedStyle(root.querySelector('.xterm-rows'));
    return {
      cols: Math.round(width / cell),
      rows: root.querySelector('.xterm-rows').children.length,
      fontSize: parseFloat(style.fontSize),
      fontFamily: style.fontFamily,
      scrollback: ${scrollback},
    };
  })()`);
}

async function activeLastLine(page: Page): Promise<string> {
  return page.evaluate(`(${LAST_LINE})(document.querySelector('[data-testid=terminal-screen] .xterm-rows'))`);
}

export async function waitForLastLine(page: Page, what: string, check: (line: string) => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = await activeLastLine(page);
    if (check(line)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the last line reads "${line}"`);
    await page.waitForTimeout(50);
  }
}

/** Opens a local shell on the Terminals page: bash without rc files, prompt `PROMPT`; returns its tab id. */
export async function openLocalShell(page: Page): Promise<string> {
  const before = await page.locator('[data-testid=terminal-tab]').count();
  await page.locator('[data-testid=terminal-open-local]').click();
  for (let waited = 0; (await page.locator('[data-testid=terminal-tab]').count()) <= before; waited += 50) {
    if (waited > 15_000) throw new Error('no new terminal tab');
    await page.waitForTimeout(50);
  }
  await waitForLastLine(page, 'the login shell prompt', (line) => /[$#]$/.test(line));
  await page.locator('[data-testid=terminal-screen]').click();
  await page.keyboard.type(`exec env PS1='${PROMPT} ' bash --norc --noprofile`);
  await page.keyboard.press('Enter');
  await waitForLastLine(page, 'the bench prompt', (line) => line === PROMPT);
  return (await page.locator('[data-testid=terminal-tab][data-active=true]').getAttribute('data-id')) ?? '';
}

export interface SshLogin {
  port: number;
  user: string;
  keyFile: string;
  fingerprint: string;
}

/** Adds `name` in the Hosts page, opens an SSH shell to it from the Terminals page and accepts its host key. */
export async function openSshShell(page: Page, origin: string, name: string, login: SshLogin): Promise<void> {
  await page.goto(`${origin}/#/hosts`);
  await page.locator('[data-testid=host-add]').click();
  const field = (f: string) => page.locator(`[data-testid=host-field][data-name="${f}"]`);
  await field('name').fill(name);
  await field('address').fill('127.0.0.1');
  await field('port').fill(String(login.port));
  await field('user').fill(login.user);
  await field('identityFile').fill(login.keyFile);
  await page.locator('[data-testid=host-save]').click();
  await page.locator(`[data-testid=host-row][data-name="${name}"]`).waitFor();
  await page.goto(`${origin}/#/terminals`);
  await page.locator(`[data-testid=terminal-open-ssh] option[value="${name}"]`).waitFor({ state: 'attached' });
  await page.locator('[data-testid=terminal-open-ssh]').selectOption(name);
  const prompt = page.locator('[data-testid=prompt-dialog][data-kind="host-key"]');
  await prompt.waitFor({ timeout: 15_000 });
  const shown = await prompt.locator('[data-testid=prompt-fingerprint]').innerText();
  if (!shown.includes(login.fingerprint)) throw new Error(`the host-key prompt shows ${shown}, not ${login.fingerprint}`);
  await prompt.locator('[data-testid=prompt-accept]').click();
  await page.locator('[data-testid=terminal-tab][data-kind=ssh][data-active=true]').waitFor({ timeout: 15_000 });
  // The test user's shell is dash: prompt "$".
  await waitForLastLine(page, 'the remote prompt', (line) => line === '$');
  await page.locator('[data-testid=terminal-screen]').click();
}
