// The library's identity and Remove in Chromium (issue 11): a runbook uploaded through the file picker and then
// imported by path is one entry, which gains the path; Remove asks first, saying runs stay in History, then the entry
// is gone while its run still opens from History. Screenshots are kept in test-artifacts/e2e.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchChromium, startApp, type RunningApp } from './harness.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let folder: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-library-'));
  app = await startApp();
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (app) rmSync(app.dataDir, { recursive: true, force: true });
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const runbook = `# Release Train

## Roll out

- [ ] Tell the channel
- [ ] Watch the dashboard
`;

describe('the library in Chromium', () => {
  it('keeps one entry for a runbook uploaded and imported by path, and removes it while its run stays in History', async () => {
    const file = join(folder, 'release-train.md');
    writeFileSync(file, runbook);
    await page.goto(app.url);
    await expect.poll(() => page.locator('[data-testid=connection-status]').getAttribute('data-state')).toBe('connected');

    const items = page.locator('[data-testid=runbook-item]');
    const item = page.locator('[data-testid=runbook-item][data-title="Release Train"]');
    await page.setInputFiles('[data-testid=import-file-input]', file);
    await item.waitFor();
    expect(await item.locator('.library-path').innerText()).toBe('upload:release-train.md');
    expect(await item.locator('[data-testid=runbook-refresh]').isDisabled()).toBe(true);

    await page.locator('[data-testid=import-path-input]').fill(file);
    await page.locator('[data-testid=import-path-button]').click();
    await expect.poll(() => item.locator('.library-path').innerText()).toBe(file);
    await expect.poll(() => page.locator('[data-testid=toast]').last().innerText()).toMatch(/unchanged, now refreshable from its file/);
    expect(await items.count()).toBe(1);
    expect(await item.locator('[data-testid=runbook-refresh]').isDisabled()).toBe(false);
    expect(await page.locator('.page-head .count').innerText()).toBe('1 runbook');

    // Uploading it again still finds the one entry.
    await page.setInputFiles('[data-testid=import-file-input]', file);
    await expect.poll(() => page.locator('[data-testid=toast]').last().innerText()).toMatch(/unchanged/i);
    expect(await items.count()).toBe(1);

    // A run of it, with one check ticked.
    await item.locator('[data-testid=runbook-open]').click();
    await page.locator('[data-testid=section-item][data-title="Roll out"]').click();
    await page.locator('[data-testid=start-run]').click();
    await page.waitForURL(/#\/run\//);
    const check = page.locator('[data-testid=step]', { hasText: 'Tell the channel' }).first();
    await check.locator('[data-testid=step-tick]').click();
    await expect.poll(() => check.getAttribute('data-status')).toBe('done');

    // Remove: a confirmation that says what stays; cancelling keeps it.
    await page.goto(`${app.origin}/#/`);
    await item.waitFor();
    await item.locator('[data-testid=runbook-remove]').click();
    const dialog = page.locator('[data-testid=runbook-remove-dialog]');
    await dialog.waitFor();
    expect(await dialog.innerText()).toMatch(/Remove “Release Train”\?[\s\S]*runs stay in History/);
    // The run started above is still going: the dialog says so.
    expect(await dialog.locator('[data-testid=runbook-remove-running]').count()).toBe(1);
    await page.screenshot({ path: join(artifacts, 'library-remove-dialog.png') });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await items.count()).toBe(1);

    const runbookId = await item.getAttribute('data-id');
    await item.locator('[data-testid=runbook-remove]').click();
    await page.locator('[data-testid=runbook-remove-confirm]').click();
    await expect.poll(() => items.count()).toBe(0);
    expect(await page.locator('.page-head .count').innerText()).toBe('0 runbooks');
    await page.reload();
    await expect.poll(() => page.locator('.empty').innerText()).toMatch(/No runbooks yet/);
    expect(await items.count()).toBe(0);

    // Its run still opens from History, as it was.
    await page.goto(`${app.origin}/#/history`);
    const row = page.locator('[data-testid=history-row]');
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.innerText()).toContain('Release Train');
    await row.click();
    await page.waitForURL(/#\/run\//);
    await expect.poll(() => page.locator('[data-testid=step]', { hasText: 'Tell the channel' }).first().getAttribute('data-status')).toBe('done');
    await expect.poll(() => page.locator('[data-testid=run-progress]').innerText()).toMatch(/1\s*\/\s*2/);
    await page.screenshot({ path: join(artifacts, 'library-removed-run.png') });
    // Its page still opens, saying it was removed and how to bring it back.
    await page.goto(`${app.origin}/#/runbook/${encodeURIComponent(runbookId ?? '')}`);
    await expect.poll(() => page.locator('[data-testid=runbook-archived]').innerText()).toMatch(/Removed from the library[\s\S]*Import its file again/);

    // Importing the file again brings it back, the same runbook with its run.
    await page.goto(`${app.origin}/#/`);
    await page.locator('[data-testid=import-path-input]').fill(file);
    await page.locator('[data-testid=import-path-button]').click();
    await item.waitFor();
    expect(await items.count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid=toast]').last().innerText()).toMatch(/back in the library/);
    await expect.poll(() => item.locator('.library-last-run').innerText()).not.toMatch(/never run/);
  }, 120_000);
});
