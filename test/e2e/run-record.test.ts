// What a run's record says, as an operator meets it (issue 11): Finish with steps left lists them and asks why, the
// run is recorded incomplete (not completed) and History tells the two apart; output panes are as tall as their
// output up to a cap, then scroll; a run left open when the host was killed (-9) is interrupted, and Resume carries
// it on; the shell session a section's steps carry, and which command of a step failed. Screenshots are kept in
// test-artifacts/e2e.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchChromium, startApp, type RunningApp } from './harness.js';

const VIEWPORT = { width: 1400, height: 900 };

const runbook = `# Record Drill

A runbook for the run record's end-to-end test.

## Deploy

- [ ] Announce the deploy
- [ ] Dashboard is green
- [ ] Backup confirmed

\`\`\`bash
# 1. One line
echo "just one line"

# 2. Five hundred lines
seq 1 500

# 3. Wait a while
sleep 30
\`\`\`

## Long List

- [ ] Check 01
- [ ] Check 02
- [ ] Check 03
- [ ] Check 04
- [ ] Check 05
- [ ] Check 06
- [ ] Check 07
- [ ] Check 08
- [ ] Check 09
- [ ] Check 10
- [ ] Check 11
- [ ] Check 12
- [ ] Check 13
- [ ] Check 14

## Quick

- [ ] The only check

## Carry

\`\`\`bash
# Set up
export RELEASE=v42
NOTE="kept, not exported"
export API_TOKEN="<api-token>"
cd /tmp

# Use it
echo "release $RELEASE in $(pwd)"

# Break
echo before
false
echo after

# Loose
# opsdeck: fresh-shell, no-errexit, no-pipefail
echo "release=\${RELEASE:-unset}"
false
echo survived
\`\`\`
`;

const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-record-'));
const runbookPath = join(tmp, 'record-drill.md');
writeFileSync(runbookPath, runbook);
const apps: RunningApp[] = [];
let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: VIEWPORT });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const app of apps) await app.stop();
  for (const app of apps) rmSync(app.dataDir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

async function launch(dataDir?: string): Promise<RunningApp> {
  const app = await startApp(dataDir);
  apps.push(app);
  return app;
}

const step = (title: string): Locator => page.locator('[data-testid=step]', { hasText: title }).first();

async function connect(app: RunningApp): Promise<void> {
  await page.goto(app.url);
  await expect.poll(() => page.locator('[data-testid=connection-status]').getAttribute('data-state')).toBe('connected');
}

async function importRunbook(): Promise<void> {
  await page.setInputFiles('[data-testid=import-file-input]', runbookPath);
  await page.locator('[data-testid=runbook-item][data-title="Record Drill"]').waitFor();
}

/** Opens the runbook's section and starts a run of it; resolves with the run's id. */
async function startRun(app: RunningApp, section: string): Promise<string> {
  await page.goto(`${app.origin}/#/`);
  const item = page.locator('[data-testid=runbook-item][data-title="Record Drill"]');
  await item.locator('[data-testid=runbook-open]').click();
  await page.locator(`[data-testid=section-item][data-title="${section}"]`).click();
  await page.locator('[data-testid=start-run]').click();
  await page.waitForURL(/#\/run\//);
  const id = /#\/run\/([^/?]+)/.exec(page.url())?.[1];
  if (!id) throw new Error(`no run id in ${page.url()}`);
  await page.locator(`.run-page[data-run-id="${id}"]`).waitFor();
  return id;
}

async function runAndWait(title: string, status: string): Promise<Locator> {
  const s = step(title);
  await s.locator('[data-testid=step-run]').click();
  await expect.poll(() => s.getAttribute('data-status'), { timeout: 15_000 }).toBe(status);
  return s;
}

async function paneBox(s: Locator): Promise<{ height: number; y: number }> {
  const box = await s.locator('[data-testid=output-pane]').boundingBox();
  if (!box) throw new Error('the output pane is not on screen');
  return box;
}

/** The pane's visible rows as text, one entry a row, blanks dropped. */
async function visibleLines(s: Locator): Promise<string[]> {
  const text = (await s.locator('[data-testid=output-pane] .xterm-rows').innerText()).replace(/\u00a0/g, ' ');
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '');
}

const badge = (): Locator => page.locator('[data-testid=run-status]');

describe('the run record in Chromium', () => {
  it('finishes honestly: steps left are listed, a reason is asked, the run is incomplete, History tells it apart', async () => {
    const app = await launch();
    await connect(app);
    await importRunbook();

    // Finishing with nothing left stays one click: recorded completed.
    await startRun(app, 'Quick');
    await step('The only check').locator('[data-testid=step-tick]').click();
    await expect.poll(() => step('The only check').getAttribute('data-status')).toBe('done');
    await page.locator('[data-testid=run-finish]').click();
    await expect.poll(() => badge().getAttribute('data-status')).toBe('completed');
    expect(await page.locator('[data-testid=finish-dialog]').count()).toBe(0);

    // A long list: ten named, then "and 4 more".
    await startRun(app, 'Long List');
    await page.locator('[data-testid=run-finish]').click();
    const dialog = page.locator('[data-testid=finish-dialog]');
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('[data-testid=left-step]').count()).toBe(10);
    expect(await dialog.locator('[data-testid=left-more]').innerText()).toBe('and 4 more');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    expect(await badge().getAttribute('data-status')).toBe('running');

    // The deploy: tick one, run two, then Finish.
    await startRun(app, 'Deploy');
    await step('Announce the deploy').locator('[data-testid=step-tick]').click();
    await expect.poll(() => step('Announce the deploy').getAttribute('data-status')).toBe('done');

    // Output panes: one line is one row high; five hundred lines stop at the cap and scroll.
    const one = await runAndWait('One line', 'succeeded');
    await expect.poll(async () => (await visibleLines(one)).join('|')).toBe('just one line');
    const many = await runAndWait('Five hundred lines', 'succeeded');
    await expect.poll(async () => (await visibleLines(many)).at(-1)).toBe('500');
    const oneBox = await paneBox(one);
    expect(oneBox.height).toBeLessThan(40);
    // Capped at a share of the page's visible height (the window less the terminal dock), padding and border aside.
    const cap = VIEWPORT.height * 0.6 + 12;
    await expect.poll(async () => (await paneBox(many)).height).toBeGreaterThan(200);
    const manyBox = await paneBox(many);
    expect(manyBox.height).toBeLessThanOrEqual(cap);
    const lastRows = await visibleLines(many);
    expect(lastRows.length).toBeGreaterThan(10);
    expect(lastRows.length).toBeLessThan(500);
    const firstShown = Number(lastRows[0]);
    await many.locator('[data-testid=output-pane]').hover();
    await page.mouse.wheel(0, -3000);
    await expect.poll(async () => Number((await visibleLines(many))[0])).toBeLessThan(firstShown);
    await page.screenshot({ path: join(artifacts, 'record-output-panes.png'), fullPage: true });

    await page.locator('[data-testid=run-finish]').click();
    await dialog.waitFor();
    await expect.poll(() => dialog.locator('[data-testid=left-step]').allInnerTexts()).toEqual(['Dashboard is green', 'Backup confirmed', 'Wait a while']);
    expect(await dialog.locator('[data-testid=left-more]').count()).toBe(0);
    // No reason, no finish.
    expect(await dialog.locator('[data-testid=finish-submit]').isDisabled()).toBe(true);
    await dialog.locator('[data-testid=finish-reason]').fill('Maintenance window closed; the rest moves to tomorrow.');
    await page.screenshot({ path: join(artifacts, 'record-finish-dialog.png') });
    await dialog.locator('[data-testid=finish-submit]').click();
    await expect.poll(() => dialog.count()).toBe(0);

    await expect.poll(() => badge().getAttribute('data-status')).toBe('incomplete');
    expect(await badge().innerText()).toBe('incomplete');
    // Not the completed run's tone.
    expect(await badge().getAttribute('class')).not.toContain('tone-ok');
    expect(await page.locator('[data-testid=run-left-steps] [data-testid=left-step]').allInnerTexts()).toEqual([
      'Dashboard is green',
      'Backup confirmed',
      'Wait a while',
    ]);
    // In the checklist, the steps left say so rather than "pending".
    expect(await step('Backup confirmed').locator('[data-testid=step-status]').innerText()).toBe('left');
    expect(await step('Announce the deploy').locator('[data-testid=step-status]').innerText()).toBe('done');
    expect(await page.locator('[data-testid=run-end-reason]').innerText()).toContain('Maintenance window closed; the rest moves to tomorrow.');
    await page.locator('[data-testid=step]').first().scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'record-incomplete-run.png') });

    // History: incomplete apart from completed, and a filter for each.
    await page.goto(`${app.origin}/#/history`);
    const rows = page.locator('[data-testid=history-row]');
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.locator('[data-testid=history-row][data-status=incomplete]').count()).toBe(1);
    expect(await page.locator('[data-testid=history-row][data-status=completed]').count()).toBe(1);
    const incompleteRow = page.locator('[data-testid=history-row][data-status=incomplete]');
    expect(await incompleteRow.locator('[data-testid=history-outcome]').innerText()).toContain('3 steps left');
    const filter = (status: string): Locator => page.locator(`[data-testid=history-filter-button][data-status=${status}]`);
    await filter('incomplete').click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-status')).toBe('incomplete');
    await page.screenshot({ path: join(artifacts, 'record-history.png') });
    await filter('completed').click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-status')).toBe('completed');
    await filter('all').click();
    await expect.poll(() => rows.count()).toBe(3);
  }, 120_000);

  it('resumes a run left open when the host was killed: the interrupted step runs again, a system line says so', async () => {
    const first = await launch();
    await connect(first);
    await importRunbook();
    const runId = await startRun(first, 'Deploy');
    await step('Announce the deploy').locator('[data-testid=step-tick]').click();
    await expect.poll(() => step('Announce the deploy').getAttribute('data-status')).toBe('done');
    await runAndWait('Wait a while', 'running');

    await first.stop('SIGKILL');
    const second = await launch(first.dataDir);
    await page.goto(`${second.url}#/run/${runId}`);
    await expect.poll(() => page.locator('[data-testid=connection-status]').getAttribute('data-state')).toBe('connected');
    await expect.poll(() => badge().getAttribute('data-status')).toBe('interrupted');
    const wait = step('Wait a while');
    expect(await wait.getAttribute('data-status')).toBe('interrupted');
    expect(await wait.locator('[data-testid=step-run]').count()).toBe(0);
    const resume = page.locator('[data-testid=run-resume]');
    await resume.waitFor();
    await page.screenshot({ path: join(artifacts, 'record-interrupted.png') });

    await resume.click();
    await expect.poll(() => badge().getAttribute('data-status')).toBe('running');
    expect(await resume.count()).toBe(0);
    // The interrupted step waits for a new attempt; the rest are as they were.
    await expect.poll(() => wait.getAttribute('data-status')).toBe('pending');
    expect(await step('Announce the deploy').getAttribute('data-status')).toBe('done');
    expect(await step('Dashboard is green').getAttribute('data-status')).toBe('pending');
    const system = page.locator('[data-testid=run-notes] [data-testid=note][data-kind=system]');
    await expect.poll(() => system.count()).toBe(1);
    expect(await system.innerText()).toMatch(/Resumed by /);
    expect(await page.locator('[data-testid=run-notes] [data-testid=note][data-kind=note]').count()).toBe(0);
    await page.locator('[data-testid=run-notes]').screenshot({ path: join(artifacts, 'record-resumed-notes.png') });

    await wait.locator('[data-testid=step-run]').click();
    await expect.poll(() => wait.getAttribute('data-status')).toBe('running');
    await page.screenshot({ path: join(artifacts, 'record-resumed.png'), fullPage: true });
    await wait.locator('[data-testid=step-cancel]').click();
    await expect.poll(() => wait.getAttribute('data-status'), { timeout: 10_000 }).toBe('cancelled');
  }, 120_000);

  it('shows the shell session the steps carry, secrets aside, and the command that failed', async () => {
    const app = await launch();
    await connect(app);
    await importRunbook();
    await startRun(app, 'Carry');
    const secret = 'tok-4f9a2c7e1b';
    await step('Set up').locator('[data-testid=param-input][data-name="api-token"]').fill(secret);
    await runAndWait('Set up', 'succeeded');
    const use = await runAndWait('Use it', 'succeeded');
    await expect.poll(async () => (await visibleLines(use)).join('|')).toBe('release v42 in /tmp');

    const panel = page.locator('[data-testid=shell-sessions]');
    await panel.waitFor();
    const local = panel.locator('[data-testid=shell-session][data-where=local]');
    expect(await local.locator('[data-testid=session-cwd]').innerText()).toBe('/tmp');
    const release = local.locator('[data-testid=session-var][data-name=RELEASE]');
    expect(await release.innerText()).toMatch(/export RELEASE\s+v42/);
    expect(await local.locator('[data-testid=session-var][data-name=NOTE]').innerText()).toMatch(/^NOTE\s+kept, not exported$/);
    const token = local.locator('[data-testid=session-var][data-name=API_TOKEN]');
    expect(await token.getAttribute('data-redacted')).toBe('true');
    expect(await token.innerText()).toMatch(/API_TOKEN\s+••••••/);
    expect(await panel.innerText()).not.toContain(secret);
    await panel.screenshot({ path: join(artifacts, 'record-session-panel.png') });

    const broken = await runAndWait('Break', 'failed');
    const failedAt = broken.locator('[data-testid=attempt-failed-command]');
    await failedAt.waitFor();
    expect(await failedAt.innerText()).toBe('Failed at line 3: false');
    await failedAt.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(artifacts, 'record-failed-command.png') });

    // A step that opts out: a fresh shell (nothing carried), errexit and pipefail off, and its exit line says so.
    const loose = await runAndWait('Loose', 'succeeded');
    await expect.poll(async () => (await visibleLines(loose)).join('|')).toBe('release=unset|survived');
    expect(await loose.locator('[data-testid=attempt-shell]').innerText()).toBe('fresh shell · errexit off · pipefail off');
    expect(await loose.locator('[data-testid=attempt-failed-command]').count()).toBe(0);
    expect(await use.locator('[data-testid=attempt-shell]').count()).toBe(0);
  }, 120_000);
});
