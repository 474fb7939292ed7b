// Scheduling in Chromium (issue 12): "Schedule this" on seed 001's Morning Health Check hint opens a dialog prefilled
// with the hint's cron and zone, whose preview shows the next occurrences at 09:00 New York time (EST or EDT, with
// the offset) even in a browser set to Berlin; creating it opens the Schedules page, where Run now records a started
// outcome in the strip that links to its run, and edit, pause and resume change what the card says. Screenshots are kept
// in test-artifacts/e2e/schedules-*.png. A section with a destructive step is scheduled only once its text is
// approved, and a new version that changes that text pauses the schedule with a banner until it is approved again.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchChromium, root, startApp, type RunningApp } from './harness.js';

let app: RunningApp;
let browser: Browser;
let page: Page;
let folder: string;

const SEED = join(root, 'test/fixtures/seeds/001.md');
const SECTION = 'Morning Health Check Runbook';
/** A New York wall clock of 09:00, with its zone's name and offset, as the dialog and the page show it. */
const NINE_IN_NEW_YORK = /^\w{3} \d{4}-\d{2}-\d{2} 09:00 (EST UTC-05:00|EDT UTC-04:00)$/;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-schedules-'));
  app = await startApp();
  browser = await launchChromium();
  // Not New York: the zone shown must be the hint's, not the browser's.
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, timezoneId: 'Europe/Berlin' });
  page = await context.newPage();
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  if (app) rmSync(app.dataDir, { recursive: true, force: true });
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const cleanup = (target: string): string => `# Nightly Cleanup

## Clean scratch

Removes what the nightly jobs left behind.

\`\`\`bash
rm -rf ${target}
\`\`\`
`;

async function importByPath(file: string): Promise<void> {
  await page.goto(`${app.origin}/#/`);
  await page.locator('[data-testid=import-path-input]').fill(file);
  await page.locator('[data-testid=import-path-button]').click();
}

async function occurrenceTexts(list: ReturnType<Page['locator']>): Promise<string[]> {
  const items = list.locator('[data-testid=occurrence]');
  const texts: string[] = [];
  for (let i = 0; i < (await items.count()); i++) {
    const cells = await items.nth(i).locator('span').allInnerTexts();
    texts.push(cells.filter((cell) => cell !== '').join(' '));
  }
  return texts;
}

describe('schedules in Chromium', () => {
  it('schedules a hint, shows it in New York time, runs it now and records the outcome', async () => {
    await page.goto(app.url);
    await expect.poll(() => page.locator('[data-testid=connection-status]').getAttribute('data-state')).toBe('connected');

    // Import seed 001 and open the Morning Health Check.
    await page.setInputFiles('[data-testid=import-file-input]', SEED);
    const item = page.locator('[data-testid=runbook-item][data-title="Operational Runbooks - Agent Lab"]');
    await item.waitFor();
    await item.locator('[data-testid=runbook-open]').click();
    await page.locator(`[data-testid=section-item][data-title="${SECTION}"]`).click();
    const hint = page.locator('[data-testid=schedule-hint][data-text="Daily, 9:00 AM EST"]');
    await hint.waitFor();
    await page.screenshot({ path: join(artifacts, 'schedules-runbook-hint.png') });

    // "Schedule this": the hint's cron and zone, and a preview of 09:00 in New York.
    await hint.locator('[data-testid=schedule-this]').click();
    const dialog = page.locator('[data-testid=schedule-dialog]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-testid=schedule-expr]').inputValue()).toBe('0 9 * * *');
    expect(await dialog.locator('[data-testid=schedule-timezone]').inputValue()).toBe('America/New_York');
    const preview = dialog.locator('[data-testid=schedule-preview-list]');
    await expect.poll(() => preview.locator('[data-testid=occurrence]').count()).toBe(5);
    const previewed = await occurrenceTexts(preview);
    for (const text of previewed) expect(text).toMatch(NINE_IN_NEW_YORK);

    // An impossible calendar says why, then the hint's comes back.
    await dialog.locator('[data-testid=schedule-expr]').fill('0 25 * * *');
    await expect.poll(() => dialog.locator('[data-testid=schedule-preview-problem]').count()).toBe(1);
    expect(await dialog.locator('[data-testid=schedule-preview-problem]').innerText()).not.toBe('');
    await dialog.locator('[data-testid=schedule-expr]').fill('0 9 * * *');
    await expect.poll(() => preview.locator('[data-testid=occurrence]').count()).toBe(5);

    // The section's commands use two placeholders: values that fail fast (no such names), so the run ends soon.
    await dialog.locator('[data-testid=schedule-param][data-name="agent-lab.your-domain.com"]').fill('agent-lab.invalid');
    await dialog.locator('[data-testid=schedule-param][data-name="user@server"]').fill('nobody@host.invalid');
    await page.screenshot({ path: join(artifacts, 'schedules-dialog.png'), fullPage: true });
    await dialog.locator('[data-testid=schedule-save]').click();

    // The Schedules page: the card with the same five occurrences in New York time, and the agenda.
    await page.waitForURL(/#\/schedules$/);
    const card = page.locator(`[data-testid=schedule-card][data-title="${SECTION}"]`);
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('active');
    await expect.poll(() => card.locator('[data-testid=schedule-next] [data-testid=occurrence]').count()).toBe(5);
    expect(await occurrenceTexts(card.locator('[data-testid=schedule-next]'))).toEqual(previewed);
    const id = await card.getAttribute('data-id');
    await expect.poll(() => page.locator(`[data-testid=agenda-entry][data-id="${id}"]`).count()).toBeGreaterThan(0);
    expect(await card.locator('[data-testid=outcome]').count()).toBe(0);
    await page.screenshot({ path: join(artifacts, 'schedules-page.png'), fullPage: true });

    // Run now: a started outcome appears in the strip, links to its run, and shows how the run went.
    await card.locator('[data-testid=schedule-run-now]').click();
    const started = card.locator('[data-testid=outcome][data-kind=started]');
    await expect.poll(() => started.count(), { timeout: 15_000 }).toBe(1);
    expect(await started.getAttribute('href')).toMatch(/^#\/run\//);
    expect(await started.getAttribute('aria-label')).toMatch(/^Run /);
    await expect
      .poll(() => started.getAttribute('data-run-status'), { timeout: 30_000 })
      .toMatch(/^(completed|failed|incomplete|aborted)$/);
    expect(await card.locator('[data-testid=schedule-last-outcome]').getAttribute('data-kind')).toBe('started');
    await page.screenshot({ path: join(artifacts, 'schedules-run-now.png'), fullPage: true });

    // Edit: the same dialog, filled with what the schedule holds; a change shows on the card.
    await card.locator('[data-testid=schedule-edit]').click();
    const editing = page.locator('[data-testid=schedule-dialog]');
    await editing.waitFor();
    expect(await editing.locator('[data-testid=schedule-param][data-name="agent-lab.your-domain.com"]').inputValue()).toBe('agent-lab.invalid');
    await editing.locator('[data-testid=schedule-jitter]').fill('5m');
    await editing.locator('[data-testid=schedule-save]').click();
    await expect.poll(() => editing.count()).toBe(0);
    await expect.poll(() => card.innerText()).toContain('jitter up to 5m');

    // Pause with a reason, then resume.
    await card.locator('[data-testid=schedule-pause]').click();
    await page.locator('[data-testid=schedule-pause-reason]').fill('database migration tonight');
    await page.locator('[data-testid=schedule-pause-confirm]').click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('paused');
    expect(await card.locator('[data-testid=schedule-reason]').innerText()).toContain('database migration tonight');
    await card.locator('[data-testid=schedule-resume]').click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('active');

    // The strip links to the run the schedule started.
    await started.click();
    await page.waitForURL(/#\/run\//);
    await page.locator('[data-testid=step]').first().waitFor();
  });
  it('schedules destructive steps only once approved, and pauses when a new version changes them', async () => {
    const file = join(folder, 'cleanup.md');
    writeFileSync(file, cleanup('/tmp/opsdeck-e2e-scratch/old'));
    await importByPath(file);
    const item = page.locator('[data-testid=runbook-item][data-title="Nightly Cleanup"]');
    await item.waitFor();
    await item.locator('[data-testid=runbook-open]').click();
    await page.locator('[data-testid=section-item][data-title="Clean scratch"]').click();

    // No hint: "Schedule…" by hand, in the browser's zone, shown and editable.
    await page.locator('[data-testid=schedule-this]').click();
    const dialog = page.locator('[data-testid=schedule-dialog]');
    await dialog.waitFor();
    expect(await dialog.locator('[data-testid=schedule-expr]').inputValue()).toBe('');
    expect(await dialog.locator('[data-testid=schedule-timezone]').inputValue()).toBe('Europe/Berlin');
    await dialog.locator('[data-testid=schedule-expr]').fill('15 0 * * *');
    await expect.poll(() => dialog.locator('[data-testid=schedule-preview-list] [data-testid=occurrence]').count()).toBe(5);
    expect((await occurrenceTexts(dialog.locator('[data-testid=schedule-preview-list]')))[0]).toMatch(/ 00:15 UTC\+01:00$/);

    // The destructive step is listed; without the approval the owner refuses and the dialog says why.
    const approval = dialog.locator('[data-testid=schedule-destructive]');
    expect(await approval.innerText()).toContain('rm -rf /tmp/opsdeck-e2e-scratch/old');
    await dialog.locator('[data-testid=schedule-save]').click();
    await expect.poll(() => dialog.locator('[data-testid=schedule-save-error]').innerText()).toMatch(/destructive/);
    await dialog.locator('[data-testid=schedule-approve-destructive]').check();
    await page.screenshot({ path: join(artifacts, 'schedules-approve-dialog.png'), fullPage: true });
    await dialog.locator('[data-testid=schedule-save]').click();
    await page.waitForURL(/#\/schedules$/);
    const card = page.locator('[data-testid=schedule-card][data-title="Clean scratch"]');
    await card.waitFor();
    expect(await card.getAttribute('data-state')).toBe('active');

    // A new version changes the step: the schedule waits for approval of the new text, and says which step. A
    // Schedules page open in another tab shows it without a reload.
    const watcher = await page.context().newPage();
    await watcher.goto(`${app.origin}/#/schedules`);
    const watched = watcher.locator('[data-testid=schedule-card][data-title="Clean scratch"]');
    await expect.poll(() => watched.getAttribute('data-state')).toBe('active');
    writeFileSync(file, cleanup('/tmp/opsdeck-e2e-scratch/older'));
    await importByPath(file);
    await expect.poll(() => page.locator('[data-testid=toast]').last().innerText()).toMatch(/version 2/);
    await expect.poll(() => watched.getAttribute('data-state')).toBe('needs_approval');
    await watcher.close();
    await page.goto(`${app.origin}/#/schedules`);
    await expect.poll(() => card.getAttribute('data-state')).toBe('needs_approval');
    const banner = page.locator(`[data-testid=schedule-banner][data-kind=needs-approval][data-id="${await card.getAttribute('data-id')}"]`);
    expect(await banner.innerText()).toContain('Removes what the nightly jobs left behind.');
    await page.screenshot({ path: join(artifacts, 'schedules-needs-approval.png'), fullPage: true });
    await banner.locator('[data-testid=schedule-approve]').click();
    await expect.poll(() => card.getAttribute('data-state')).toBe('active');
    expect(await banner.count()).toBe(0);

    // Remove asks first; then the card is gone.
    await card.locator('[data-testid=schedule-remove]').click();
    await page.locator('[data-testid=schedule-remove-confirm]').click();
    await expect.poll(() => card.count()).toBe(0);
  });
});
