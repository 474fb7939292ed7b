// The process model as an operator meets it: `opsdeck daemon` owns the data, `opsdeck ui` (what `npm start` runs
// where Electron is missing) serves its cockpit in Chromium, and a run started with `opsdeck run` in a terminal
// appears on the History page and streams on its run page while it runs, with no reload. Screenshots are kept.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifacts, launchChromium, root } from './harness.js';

const bin = join(root, 'bin/opsdeck.js');
const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-e2e-owner-'));
const dataDir = join(tmp, 'data');
const children: ChildProcess[] = [];
let browser: Browser;
let page: Page;

/** Starts `opsdeck ARGS` and resolves with it once its output matches `ready`. */
function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [bin, '--data-dir', dataDir, ...args], { cwd: tmp, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`opsdeck ${args.join(' ')} did not get ready: ${out}`)), 20_000);
    const hear = (d: Buffer): void => {
      out += d.toString();
      const match = ready.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match });
      }
    };
    child.stdout?.on('data', hear);
    child.stderr?.on('data', hear);
    child.once('exit', (code) => reject(new Error(`opsdeck ${args.join(' ')} exited ${code}: ${out}`)));
  });
}

beforeAll(async () => {
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  rmSync(tmp, { recursive: true, force: true });
});

describe('a CLI run watched live in the cockpit of a daemon', () => {
  it('appears in History and streams on its page while it runs', { timeout: 60_000 }, async () => {
    await start(['daemon'], /owns/);
    const { match } = await start(['ui', '--port', '0'], /running at (http:\/\/\S+)/);
    await page.goto(`${match[1]}`);
    await expect.poll(() => page.locator('[data-testid=connection-status]').getAttribute('data-state')).toBe('connected');
    await page.goto(new URL('/#/history', match[1]).href);
    await page.locator('text=No runs recorded yet.').waitFor();

    const file = join(tmp, 'nightly.md');
    writeFileSync(file, '# Nightly Check\n\n```bash\n# 1. Count to five, slowly\nfor i in 1 2 3 4 5; do echo "tick $i"; sleep 0.6; done\n```\n');
    const imported = spawnSync(process.execPath, [bin, '--data-dir', dataDir, 'import', file], { encoding: 'utf8' });
    expect(imported.status, imported.stderr).toBe(0);
    const run = start(['run', file], /\n(completed|failed) ·/);
    run.catch(() => undefined);
    const row = page.locator('[data-testid=history-row]').first();
    await row.waitFor({ timeout: 15_000 });
    await expect.poll(() => row.getAttribute('data-status')).toBe('running');
    await page.screenshot({ path: join(artifacts, 'owner-history-live.png') });
    await row.click();
    const pane = page.locator('[data-testid=output-pane]').first();
    await pane.waitFor();
    await expect.poll(async () => (await pane.locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' '), { timeout: 10_000 }).toContain('tick 2');
    await page.screenshot({ path: join(artifacts, 'owner-run-live.png') });
    expect((await run).match[1]).toBe('completed');
    await expect.poll(async () => (await pane.locator('.xterm-rows').innerText()).replace(/\u00a0/g, ' '), { timeout: 10_000 }).toContain('tick 5');
  });
});
