// Terminals end to end in Chromium, as the acceptance reads: a local shell echoes what is typed; an SSH
// shell to the test sshd (host key accepted in the prompt) follows the browser's size (`tput cols` prints the
// xterm's width); `yes` for 5 s gives the prompt back within 500 ms of Ctrl-C without the renderer's heap growing
// by 50 MB; vim opens and quits back to the shell. Issue 11: a reloaded page and a second browser show a terminal's
// screen; "Send to terminal" pastes a multi-line step as one bracketed paste, a step that starts with its `# 1.`
// header comment pastes, also into a terminal reattached after a reload; the run page's dock is only its bar until a
// terminal opens. Real web host, real node-pty, real OpenSSH sshd on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, CDPSession, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERM_DATA_FRAME } from '../../shared/contract/wire.js';
import { fingerprintOf, makeClientKey, startSshd, type Sshd } from '../helpers/sshd.js';
import { artifacts, launchChromium, startApp, type RunningApp } from './harness.js';
import { addHostInUi } from './ui.js';

/** The local shell's prompt once the test has set it: short, and unlike anything `yes` or vim print. */
const PROMPT = 'e2e$';
const FLOOD_MS = 5_000;
const PROMPT_BACK_MS = 500;
const HEAP_GROWTH_MAX = 50 * 1024 * 1024;

let dir: string;
let sshd: Sshd;
let key: string;
let app: RunningApp;
let browser: Browser;
let page: Page;
let cdp: CDPSession;
/** Every contract call the page sent, in order: `term.resize` carries the xterm's own size. */
const sent: Array<{ method: string; input: Record<string, unknown> }> = [];
/** Bytes of `term.data` the page received, counted while `counting` is on (the flood). */
let received = 0;
let counting = false;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-term-'));
  key = join(dir, 'keys', 'id_ed25519');
  sshd = await startSshd({ authorizedKeys: [await makeClientKey(key)] });
  app = await startApp(join(dir, 'data'));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  page.on('websocket', (ws) => {
    ws.on('framesent', ({ payload }) => {
      const message = JSON.parse(String(payload)) as { kind?: string; method?: string; input?: Record<string, unknown> };
      if (message.kind === 'rpc' && message.method) sent.push({ method: message.method, input: message.input ?? {} });
    });
    ws.on('framereceived', ({ payload }) => {
      // Terminal output comes as binary frames (shared/contract/wire.ts).
      if (counting && typeof payload !== 'string' && payload[0] === TERM_DATA_FRAME) received += payload.length;
    });
  });
  cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  await page.goto(app.url);
  await page.goto(`${app.origin}/#/terminals`);
  await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await sshd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const screen = () => page.locator('[data-testid=terminal-screen]');

/** The active terminal's visible rows, as text (xterm's DOM renderer draws spaces as no-break spaces). */
async function screenText(): Promise<string> {
  return (await screen().locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ');
}

function lastLine(text: string): string {
  return text.split('\n').map((line) => line.trimEnd()).filter((line) => line !== '').at(-1) ?? '';
}

async function waitForScreen(what: string, check: (text: string) => boolean, timeout = 10_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await screenText();
    if (check(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the terminal shows:\n${text}`);
    await page.waitForTimeout(50);
  }
}

/** Types a command line into the focused terminal, as keystrokes. */
async function typeLine(line: string): Promise<void> {
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

/** The xterm's columns as drawn: the screen's width over one cell's (xterm sizes its input textarea to a cell). */
async function drawnCols(): Promise<number> {
  return page.evaluate(`(() => {
    const root = document.querySelector('[data-testid=terminal-screen]');
    const width = root.querySelector('.xterm-screen').getBoundingClientRect().width;
    const cell = root.querySelector('.xterm-helper-textarea').getBoundingClientRect().width;
    return Math.round(width / cell);
  })()`);
}

/** The columns the renderer last reported for terminal `id` (xterm's onResize, sent as `term.resize`), or its opening size. */
function reportedCols(id: string): number | undefined {
  for (let i = sent.length - 1; i >= 0; i--) {
    const { method, input } = sent[i] as (typeof sent)[number];
    if (method === 'term.resize' && input.id === id) return input.cols as number;
  }
  return undefined;
}

/** Opens a local shell tab and gives it a known prompt, in a bash that reads no rc files. */
async function openLocalShell(): Promise<string> {
  const before = await page.locator('[data-testid=terminal-tab]').count();
  await page.locator('[data-testid=terminal-open-local]').click();
  await expect.poll(() => page.locator('[data-testid=terminal-tab]').count()).toBe(before + 1);
  const tab = page.locator('[data-testid=terminal-tab][data-active=true]');
  expect(await tab.getAttribute('data-kind')).toBe('local');
  // The login shell's own prompt first (root's rc files take a moment), then one without surprises.
  await waitForScreen('the login shell prompt', (text) => /[$#]$/.test(lastLine(text)));
  await screen().click();
  await typeLine(`exec env PS1='${PROMPT} ' bash --norc --noprofile`);
  await waitForScreen('the test prompt', (text) => lastLine(text) === PROMPT);
  return (await tab.getAttribute('data-id')) ?? '';
}

describe('terminals in Chromium', () => {
  it('a local shell echoes what is typed', async () => {
    await openLocalShell();
    await typeLine('echo hello');
    const text = await waitForScreen('hello', (t) => t.split('\n').some((line) => line.trimEnd() === 'hello'));
    expect(text).toContain(`${PROMPT} echo hello\nhello\n${PROMPT}`);
    await page.screenshot({ path: join(artifacts, 'terminal-local.png') });
  }, 30_000);

  it('an SSH shell to an inventory host, host key accepted, follows the window size', async () => {
    await addHostInUi(page, app.origin, { name: 'lab1', port: sshd.port, user: sshd.user, identityFile: key });

    await page.goto(`${app.origin}/#/terminals`);
    await page.locator('[data-testid=terminal-open-ssh] option[value="lab1"]').waitFor({ state: 'attached' });
    await page.locator('[data-testid=terminal-open-ssh]').selectOption('lab1');
    const prompt = page.locator('[data-testid=prompt-dialog][data-kind="host-key"]');
    await prompt.waitFor({ timeout: 15_000 });
    expect(await prompt.locator('[data-testid=prompt-fingerprint]').innerText()).toContain(fingerprintOf(sshd.hostPublicKey));
    await prompt.locator('[data-testid=prompt-accept]').click();

    const tab = page.locator('[data-testid=terminal-tab][data-kind=ssh]');
    await tab.waitFor({ timeout: 15_000 });
    expect(await tab.getAttribute('data-active')).toBe('true');
    // Titled with who logged in where.
    expect(await tab.getAttribute('data-title')).toBe(`${sshd.user}@lab1`);
    const id = (await tab.getAttribute('data-id')) ?? '';
    // The test user's shell is /bin/sh (dash): its prompt is "$".
    await waitForScreen('the remote prompt', (text) => lastLine(text) === '$', 15_000);
    await screen().click();
    await typeLine('echo "remote $(whoami) on port ${SSH_CONNECTION##* }"');
    await waitForScreen('the remote echo', (text) => text.includes(`remote ${sshd.user} on port ${sshd.port}`));

    const colsBefore = await drawnCols();
    await page.setViewportSize({ width: 1000, height: 760 });
    // Fitted after the panel's resize debounce; the new size goes to the host as `term.resize`.
    await expect.poll(drawnCols, { timeout: 5_000 }).toBeLessThan(colsBefore - 20);
    await expect.poll(async () => reportedCols(id) === (await drawnCols()), { timeout: 5_000 }).toBe(true);
    const cols = await drawnCols();

    await typeLine('tput cols');
    const text = await waitForScreen('the output of tput cols', (t) => /\$ tput cols\n\d+\n\$/.test(t));
    expect(Number(/\$ tput cols\n(\d+)\n\$/.exec(text)?.[1])).toBe(cols);
    await page.screenshot({ path: join(artifacts, 'terminal-ssh.png') });
    await page.setViewportSize({ width: 1400, height: 900 });
  }, 60_000);

  it('Ctrl-C stops a flood of output at once, and the renderer does not pile it up', async () => {
    await openLocalShell();
    const heap = async (): Promise<number> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      return metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? NaN;
    };
    const heapBefore = await heap();

    // In the page: the time of the Ctrl-C keydown, and of the first frame that shows the prompt on the last line.
    await page.evaluate(`(() => {
      const rows = document.querySelector('[data-testid=terminal-screen] .xterm-rows');
      const probe = (window.__flood = { keyAt: 0, promptAt: 0 });
      document.addEventListener('keydown', (event) => {
        if (event.ctrlKey && event.key === 'c' && probe.keyAt === 0) probe.keyAt = performance.now();
      }, true);
      const observer = new MutationObserver(() => {
        if (probe.keyAt === 0) return;
        const lines = [...rows.children].map((row) => row.textContent.replace(/\\u00a0/g, ' ').trimEnd()).filter((line) => line !== '');
        if (lines.at(-1) === ${JSON.stringify(PROMPT)}) {
          probe.promptAt = performance.now();
          observer.disconnect();
        }
      });
      observer.observe(rows, { childList: true, subtree: true, characterData: true });
    })()`);

    received = 0;
    counting = true;
    await typeLine('yes');
    await page.waitForTimeout(FLOOD_MS);
    counting = false;
    const during = await screenText();
    await page.screenshot({ path: join(artifacts, 'terminal-flood.png') });
    await page.keyboard.press('Control+c');
    await expect.poll(() => page.evaluate('window.__flood.promptAt'), { timeout: 10_000 }).toBeGreaterThan(0);
    const { keyAt, promptAt } = (await page.evaluate('window.__flood')) as { keyAt: number; promptAt: number };
    const heapAfter = await heap();

    // It did flood: the screen was all `y`, and megabytes went through in the 5 s.
    expect(during.split('\n').filter((line) => line.trim() !== '').slice(-20).every((line) => line.trimEnd() === 'y')).toBe(true);
    expect(received).toBeGreaterThan(1024 * 1024);
    expect(promptAt - keyAt).toBeLessThan(PROMPT_BACK_MS);
    expect(heapAfter - heapBefore).toBeLessThan(HEAP_GROWTH_MAX);
    console.log(
      `flood: ${(received / 1024 / 1024).toFixed(1)} MB of term.data in ${FLOOD_MS / 1000} s; prompt back ${(promptAt - keyAt).toFixed(0)} ms after Ctrl-C; `
        + `heap ${(heapBefore / 1024 / 1024).toFixed(1)} -> ${(heapAfter / 1024 / 1024).toFixed(1)} MB`,
    );
    // The shell is usable again.
    await typeLine('echo after-flood');
    await waitForScreen('the echo after the flood', (t) => t.includes(`\nafter-flood\n${PROMPT}`));
  }, 60_000);

  it('vim opens full screen and quits back to the shell', async () => {
    await openLocalShell();
    const file = join(dir, 'opsdeck-e2e-vim.txt');
    await typeLine(`vim -u NONE ${file}`);
    const inVim = await waitForScreen('vim', (t) => t.includes(`"${file}"`) && t.split('\n').filter((line) => line.trimEnd() === '~').length > 10);
    // The alternate screen: the command line typed before is not shown while vim is.
    expect(inVim).not.toContain(`${PROMPT} vim`);
    await page.screenshot({ path: join(artifacts, 'terminal-vim.png') });
    await typeLine(':q!');
    const back = await waitForScreen('the prompt after vim', (t) => lastLine(t) === PROMPT && !t.includes('~\n'));
    expect(back).toContain(`${PROMPT} vim -u NONE ${file}\n${PROMPT}`);
  }, 30_000);
});


/** The visible rows of the active terminal in `p`, as text. */
async function screenTextOf(p: Page): Promise<string> {
  return (await p.locator('[data-testid=terminal-screen] .xterm-rows').innerText()).replace(/\u00a0/g, ' ');
}

async function waitForScreenOf(p: Page, what: string, check: (text: string) => boolean, timeout = 15_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await screenTextOf(p).catch(() => '');
    if (check(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; the terminal shows:\n${text}`);
    await p.waitForTimeout(50);
  }
}

const linesOf = (text: string): string[] => text.split('\n').map((line) => line.trimEnd());

/** A page in a browser context of its own (a second browser: no cookies, no sessionStorage), signed in, connected. */
async function newBrowserPage(setup: (p: Page) => void = () => undefined): Promise<Page> {
  const p = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  p.on('pageerror', (e) => console.error('page error:', e.message));
  setup(p);
  await p.goto(app.url);
  await p.locator('[data-testid=connection-status][data-state=connected]').waitFor();
  return p;
}

describe('terminals attached to again (issue 11)', () => {
  it('a reloaded page and a second browser show what the terminal shows', async () => {
    const id = await openLocalShell();
    await typeLine("printf 'reattach-%s\\n' alpha beta; echo $((6*7))-marker");
    await waitForScreen('the marker', (text) => linesOf(text).includes('42-marker') && lastLine(text) === PROMPT);

    await page.reload();
    await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();
    const tab = page.locator(`[data-testid=terminal-tab][data-id="${id}"]`);
    await tab.waitFor();
    await tab.locator('.term-tab-label').click();
    const restored = await waitForScreen('the restored screen', (text) => linesOf(text).includes('42-marker'));
    // Each line once: drawn from the owner's copy, not doubled by output that came meanwhile.
    expect(linesOf(restored).filter((line) => line === 'reattach-alpha')).toHaveLength(1);
    expect(linesOf(restored)).toEqual(expect.arrayContaining(['reattach-alpha', 'reattach-beta', '42-marker']));
    expect(lastLine(restored)).toBe(PROMPT);
    await page.screenshot({ path: join(artifacts, 'terminal-reattached.png') });
    // And it is live: typing still works, and what it prints follows the restored lines.
    await screen().click();
    await typeLine('echo after-reload');
    const after = await waitForScreen('the echo after the reload', (text) => linesOf(text).includes('after-reload'));
    expect(after.indexOf('42-marker')).toBeLessThan(after.indexOf('after-reload'));

    const second = await newBrowserPage();
    try {
      await second.goto(`${app.origin}/#/terminals`);
      const other = second.locator(`[data-testid=terminal-tab][data-id="${id}"]`);
      await other.waitFor();
      await other.locator('.term-tab-label').click();
      const shown = await waitForScreenOf(second, 'the terminal in the second browser', (text) => linesOf(text).includes('after-reload'));
      expect(linesOf(shown)).toEqual(expect.arrayContaining(['reattach-alpha', 'reattach-beta', '42-marker', 'after-reload']));
      await second.screenshot({ path: join(artifacts, 'terminal-second-browser.png') });
    } finally {
      await second.close();
    }
  }, 60_000);

  it('sends a multi-line step as one bracketed paste and a step that starts with "# 1." at all, also after a reload', async () => {
    const runbook = join(dir, 'paste-drill.md');
    writeFileSync(
      runbook,
      '# Paste Drill\n\n## Send steps\n\n```bash\n# 1. Two lines\necho first-pasted-line\necho second-pasted-line\n\n# 2. One line\necho one-line-step\n```\n',
    );
    // The first page lets go of its terminals: a fresh browser with none of its own sees the dock as a new user does.
    await page.close();
    // What the page sends to the pty (`term.input`), from its first WebSocket on.
    const inputs: string[] = [];
    const p = await newBrowserPage((fresh) =>
      fresh.on('websocket', (ws) => {
        ws.on('framesent', ({ payload }) => {
          const message = JSON.parse(String(payload)) as { kind?: string; method?: string; input?: { data?: string } };
          if (message.method === 'term.input' && typeof message.input?.data === 'string') inputs.push(message.input.data);
        });
      }));
    const stepOf = (title: string): Locator => p.locator('[data-testid=step]', { hasText: title }).first();
    try {
      await p.setInputFiles('[data-testid=import-file-input]', runbook);
      const item = p.locator('[data-testid=runbook-item][data-title="Paste Drill"]');
      await item.waitFor();
      await item.locator('[data-testid=runbook-open]').click();
      await p.locator('[data-testid=section-item][data-title="Send steps"]').click();
      await p.locator('[data-testid=start-run]').click();
      await p.waitForURL(/#\/run\//);
      await stepOf('Two lines').waitFor();

      // No terminal yet: the dock is only its bar.
      const layout = p.locator('[data-testid=run-layout]');
      expect(await layout.getAttribute('data-dock')).toBe('collapsed');
      const dockHeight = (await p.locator('.term-dock').boundingBox())?.height ?? Infinity;
      expect(dockHeight).toBeLessThan(60);
      await p.screenshot({ path: join(artifacts, 'run-dock-collapsed.png') });

      // A new shell opens for the step; the paste waits for its prompt.
      await stepOf('Two lines').locator('[data-testid=send-to-terminal]').click();
      await expect.poll(() => layout.getAttribute('data-dock')).not.toBe('collapsed');
      const pasted = await waitForScreenOf(p, 'the pasted step', (text) => text.includes('echo second-pasted-line'), 20_000);
      // Pasted, not run: no output yet, and the header comment stayed out.
      expect(linesOf(pasted)).not.toContain('first-pasted-line');
      expect(pasted).not.toContain('# 1. Two lines');
      expect(inputs).toContain('\x1b[200~echo first-pasted-line\recho second-pasted-line\x1b[201~');
      await p.keyboard.press('Enter');
      const ran = await waitForScreenOf(p, 'both lines run', (text) => linesOf(text).includes('second-pasted-line'));
      expect(linesOf(ran)).toContain('first-pasted-line');

      await stepOf('One line').locator('[data-testid=send-to-terminal]').click();
      await waitForScreenOf(p, 'the one-line step', (text) => text.includes('echo one-line-step'));
      await p.keyboard.press('Enter');
      await waitForScreenOf(p, 'the one-line step run', (text) => linesOf(text).includes('one-line-step'));

      // After a reload the terminal is attached to again, and still takes a multi-line paste as one.
      await p.reload();
      await p.locator('[data-testid=connection-status][data-state=connected]').waitFor();
      await waitForScreenOf(p, 'the restored dock', (text) => linesOf(text).includes('one-line-step'));
      const before = inputs.length;
      await stepOf('Two lines').locator('[data-testid=send-to-terminal]').click();
      await expect.poll(() => inputs.slice(before)).toContain('\x1b[200~echo first-pasted-line\recho second-pasted-line\x1b[201~');
      expect(await p.locator('[data-testid=toast]', { hasText: 'clipboard' }).count()).toBe(0);
      await p.screenshot({ path: join(artifacts, 'run-dock-reattached.png') });
    } finally {
      await p.close();
    }
  }, 90_000);

  it('lists the terminals nobody has open, to open here or to close', async () => {
    // Both pages before this one have closed: their terminals run on in the owner with no window.
    const p = await newBrowserPage();
    try {
      await p.goto(`${app.origin}/#/terminals`);
      const others = p.locator('[data-testid=terminal-other]');
      await others.first().waitFor();
      const count = await others.count();
      expect(count).toBeGreaterThanOrEqual(2);
      expect(await p.locator('[data-testid=terminal-tab]').count()).toBe(0);
      await expect.poll(() => others.first().innerText()).toMatch(/in no window since .* · Opsdeck closes it /);
      await p.screenshot({ path: join(artifacts, 'terminals-nobody-has-open.png') });

      const closing = (await others.nth(0).getAttribute('data-id')) ?? '';
      await others.nth(0).locator('[data-testid=terminal-other-close]').click();
      await expect.poll(() => others.count()).toBe(count - 1);
      // Gone from the owner too: asked again, the list no longer has it.
      await p.reload();
      await others.first().waitFor();
      expect(await p.locator(`[data-testid=terminal-other][data-id="${closing}"]`).count()).toBe(0);

      const opening = (await others.nth(0).getAttribute('data-id')) ?? '';
      await others.nth(0).locator('[data-testid=terminal-other-open]').click();
      await p.locator(`[data-testid=terminal-tab][data-id="${opening}"][data-active=true]`).waitFor();
      // Drawn from the owner's copy (whichever terminal it is, it has shown a prompt), not a blank screen.
      await waitForScreenOf(p, 'the adopted terminal', (text) => /[$#] /.test(text));
      expect(await others.count()).toBe(count - 2);
    } finally {
      await p.close();
    }
  }, 60_000);
});
