// The cockpit end to end, as an operator uses it: import a runbook of ours through the file picker, open a
// section, start a run, tick a check, fill a parameter, run a command and watch its output stream, confirm a
// destructive step, cancel `sleep 600`, reload and find the same state. Screenshots are kept in test-artifacts/e2e.
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchChromium, root, startApp, type RunningApp } from './harness.js';

let app: RunningApp;
let browser: Browser;
let page: Page;

const scratch = '/tmp/opsdeck-getting-started';

beforeAll(async () => {
  app = await startApp();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (app) rmSync(app.dataDir, { recursive: true, force: true });
});

const step = (title: string): Locator => page.locator('[data-testid=step]', { hasText: title }).first();

async function paneText(s: Locator): Promise<string> {
  const pane = s.locator('[data-testid=output-pane]');
  await pane.scrollIntoViewIfNeeded();
  return (await pane.locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ');
}

async function waitForText(s: Locator, needle: string, timeout = 10_000): Promise<string> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const text = await paneText(s);
    if (text.includes(needle)) return text;
    if (Date.now() > deadline) throw new Error(`"${needle}" never appeared in the output; it shows:\n${text}`);
    await page.waitForTimeout(50);
  }
}

describe('the cockpit in Chromium', () => {
  it('imports, runs, confirms, cancels and survives a reload', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.locator('[data-testid=connection-status]').getAttribute('data-state')).toBe('connected');

    // Library: import through the file picker.
    await page.setInputFiles('[data-testid=import-file-input]', join(root, 'resources/runbooks/getting-started.md'));
    const item = page.locator('[data-testid=runbook-item][data-title="Getting Started with Opsdeck"]');
    await item.waitFor();
    await expect.poll(() => item.innerText()).toMatch(/1 destructive/);
    await page.screenshot({ path: join(artifacts, 'library.png') });

    // Runbook view: open the section, start a run.
    await item.locator('[data-testid=runbook-open]').click();
    await page.locator('[data-testid=section-item][data-title="Morning Check"]').click();
    await expect.poll(() => page.locator('[data-testid=step]').count()).toBe(6);
    await page.screenshot({ path: join(artifacts, 'runbook.png') });
    await page.locator('[data-testid=start-run]').click();
    await page.waitForURL(/#\/run\//);
    const runUrl = page.url();

    // Tick a check.
    const check = step('Dashboard reviewed');
    await check.locator('[data-testid=step-tick]').click();
    await expect.poll(() => check.getAttribute('data-status')).toBe('done');

    // Fill a parameter and run a command: the value reaches it verbatim, never as code.
    const hello = step('Say hello');
    await hello.locator('[data-testid=param-input][data-name="env"]').fill('staging $(id)');
    await hello.locator('[data-testid=step-run]').click();
    const helloOut = await waitForText(hello, 'colours work');
    expect(helloOut).toContain('Checking staging $(id) from');
    await expect.poll(() => hello.getAttribute('data-status')).toBe('succeeded');
    await expect.poll(() => hello.locator('[data-testid=step-exit]').innerText()).toMatch(/exit 0/);

    // Output streams while the command runs: "tick 1" is on screen before "tick 3" was printed.
    const count = step('Count to three');
    await count.locator('[data-testid=step-run]').click();
    const early = await waitForText(count, 'tick 1');
    expect(early).not.toContain('tick 3');
    await waitForText(count, 'tick 3');
    await expect.poll(() => count.getAttribute('data-status')).toBe('succeeded');

    // A destructive step runs only after typing the machine's name.
    mkdirSync(scratch, { recursive: true });
    const clean = step('Clean the scratch directory');
    await clean.locator('[data-testid=step-run]').click();
    const confirmRun = page.locator('[data-testid=confirm-run]');
    await expect.poll(() => confirmRun.isDisabled()).toBe(true);
    await page.locator('[data-testid=confirm-input]').fill('not-this-machine');
    expect(await confirmRun.isDisabled()).toBe(true);
    expect(existsSync(scratch)).toBe(true);
    await page.locator('[data-testid=confirm-input]').fill(hostname());
    await confirmRun.click();
    await expect.poll(() => clean.getAttribute('data-status')).toBe('succeeded');
    expect(existsSync(scratch)).toBe(false);

    // Cancel `sleep 600`.
    const wait = step('Wait for the deploy window');
    await wait.locator('[data-testid=step-run]').click();
    await expect.poll(() => wait.getAttribute('data-status')).toBe('running');
    const cancelledAt = Date.now();
    await wait.locator('[data-testid=step-cancel]').click();
    await expect.poll(() => wait.getAttribute('data-status'), { timeout: 10_000 }).toBe('cancelled');
    expect(Date.now() - cancelledAt).toBeLessThan(8_000);
    await page.screenshot({ path: join(artifacts, 'run.png'), fullPage: true });

    // Reload: the same state, from the history.
    await page.goto(runUrl);
    await page.reload();
    await expect.poll(() => step('Dashboard reviewed').getAttribute('data-status')).toBe('done');
    await expect.poll(() => step('Say hello').getAttribute('data-status')).toBe('succeeded');
    await expect.poll(() => step('Wait for the deploy window').getAttribute('data-status')).toBe('cancelled');
    await waitForText(step('Count to three'), 'tick 3');
    await expect.poll(() => page.locator('[data-testid=run-progress]').innerText()).toMatch(/4\s*\/\s*6/);
    await page.screenshot({ path: join(artifacts, 'run-after-reload.png'), fullPage: true });

    // History lists the run.
    await page.goto(`${app.origin}/#/history`);
    await expect.poll(() => page.locator('[data-testid=history-row]').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'history.png') });
  }, 120_000);
});
