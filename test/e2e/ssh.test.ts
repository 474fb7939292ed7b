// SSH end to end in Chromium: add a host in the Hosts page, run a runbook step on it, accept its unknown host key
// (the fingerprint shown is the server's), and see the output. A real OpenSSH sshd on 127.0.0.1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fingerprintOf, makeClientKey, startSshd, type Sshd } from '../helpers/sshd.js';
import { artifacts, launchChromium, startApp, type RunningApp } from './harness.js';
import { addHostInUi } from './ui.js';

let dir: string;
let sshd: Sshd;
let key: string;
let app: RunningApp;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-ssh-'));
  key = join(dir, 'keys', 'id_ed25519');
  sshd = await startSshd({ authorizedKeys: [await makeClientKey(key)] });
  app = await startApp(join(dir, 'data'));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a step on a remote host, in Chromium', () => {
  it('adds a host, accepts its key, runs a step there and shows the output', async () => {
    await page.goto(app.url);
    await addHostInUi(page, app.origin, { name: 'lab1', port: sshd.port, user: sshd.user, identityFile: key });
    await page.screenshot({ path: join(artifacts, 'ssh-hosts.png') });

    const runbook = join(dir, 'remote.md');
    writeFileSync(runbook, '# Remote\n\n## Who am I\n\n```bash\n# Report\necho "hello from $(whoami) on port $(echo $SSH_CONNECTION | cut -d" " -f4)"\n```\n');
    await page.goto(`${app.origin}/#/library`);
    await page.locator('[data-testid=import-path-input]').fill(runbook);
    await page.locator('[data-testid=import-path-button]').click();
    const item = page.locator('[data-testid=runbook-item][data-title="Remote"]');
    await item.locator('[data-testid=runbook-open]').click();
    await page.locator('[data-testid=section-item][data-title="Who am I"]').click();
    await page.locator('[data-testid=start-run]').click();
    await page.waitForURL(/#\/run\//);

    await page.locator('[data-testid=target-select]').selectOption('host:lab1');
    const step = page.locator('[data-testid=step]', { hasText: 'Report' }).first();
    await step.locator('[data-testid=step-run]').click();

    const prompt = page.locator('[data-testid=prompt-dialog][data-kind="host-key"]');
    await prompt.waitFor({ timeout: 15_000 });
    expect(await prompt.locator('[data-testid=prompt-fingerprint]').innerText()).toContain(fingerprintOf(sshd.hostPublicKey));
    await page.screenshot({ path: join(artifacts, 'ssh-host-key-prompt.png') });
    await prompt.locator('[data-testid=prompt-accept]').click();

    await expect.poll(() => step.getAttribute('data-status'), { timeout: 15_000 }).toBe('succeeded');
    const pane = step.locator('[data-testid=output-pane]');
    await pane.scrollIntoViewIfNeeded();
    await expect.poll(async () => (await pane.locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' ')).toContain(`hello from ${sshd.user} on port ${sshd.port}`);
    expect(await step.locator('[data-testid=attempt-host]').innerText()).toContain('lab1');
    await page.screenshot({ path: join(artifacts, 'ssh-run.png'), fullPage: true });
  }, 90_000);
});
