// Terminal benchmark in Debian's Chromium against the real web host (`opsdeck serve`), anchors measured in this run.
// 1. Throughput: `cat` of a 50 MB log file in a local terminal, from Enter until the line after it is drawn, against
//    raw xterm.js in the same browser writing the same bytes (as the pty delivers them) in 64 KB chunks to a fresh
//    Terminal with the same size, font, scrollback and DOM renderer. Rounds alternate so noise falls on both alike.
//    Then the same cat in a page of a Chromium that Playwright does not drive (bare-chromium.ts): Playwright's DevTools
//    session reports every WebSocket frame with its payload, a cost only the Opsdeck side pays and no user does.
// 2. Keystroke to echo, over a local pty and over SSH to a real sshd on 127.0.0.1: from the keydown until the
//    character reached the renderer (the WebSocket message) and until it is on screen (xterm's next frame).
// Everything is timed on the page's own clock. Needs a current build (`npm run bench` builds first).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fingerprintOf, makeClientKey, startSshd, type Sshd } from '../test/helpers/sshd.js';
import { launchChromium, startApp, type RunningApp } from '../test/e2e/harness.js';
import { openBarePage } from './bare-chromium.js';
import { fmt, stats } from './ssh-bench-helpers.js';
import {
  activeLook, armThroughput, ECHO_PROBE, LAST_LINE, openLocalShell, openSshShell, PROMPT, rawWrite, serveRawPage, WS_HOOK,
  writeLogFile, type RawResult, type TerminalLook, type ThroughputProbe,
} from './terminal-bench-helpers.js';

/** The issue's size. The whole run stays under ~3 minutes on a 2-core machine (the two sides take ~2 and ~7 s a round). */
const FILE_BYTES = 50 * 1024 * 1024;
/** Throughput rounds per side, alternating; the median is reported. More rounds: steadier, ~10-20 s each. */
const ROUNDS = 3;
/** The app's default scrollback (renderer/stores/terminal-settings.ts); the raw Terminal gets the same. */
const SCROLLBACK = 10_000;
/** A cat that has not drawn its end by then is a hang, not a slow sample: the bench stops and says so. */
const CAT_TIMEOUT_MS = 150_000;
const ECHO_SAMPLES = 50;
/** Untimed keystrokes first: JIT, readline's and sshd's first wakeups. */
const ECHO_WARMUP = 5;

type Log = (line: string) => void;
const MB = 1024 * 1024;

export async function run(log: Log): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-term-'));
  let sshd: Sshd | null = null;
  let app: RunningApp | null = null;
  let browser: Browser | null = null;
  try {
    const file = join(tmp, 'big.log');
    const t0 = performance.now();
    const ptyText = await writeLogFile(file, FILE_BYTES);
    const bytes = statSync(file).size;
    log(`test file: ${fmt(bytes / MB)} MB of log lines (${fmt((ptyText.length - bytes) / 1000)}k of them, CR LF after the pty), written in ${fmt((performance.now() - t0) / 1000)} s`);

    const keyFile = join(tmp, 'client', 'id_ed25519');
    sshd = await startSshd({ authorizedKeys: [await makeClientKey(keyFile)] });
    app = await startApp(join(tmp, 'data'));
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.addInitScript(WS_HOOK);
    await page.goto(app.url);
    await page.goto(`${app.origin}/#/terminals`);
    await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();

    const rawMs = await throughput(log, browser, page, file, bytes, ptyText);
    // The host sends terminal output to every window: Playwright's page leaves the app meanwhile.
    await page.goto('about:blank');
    await bareThroughput(log, app, file, bytes, rawMs);
    await page.goto(`${app.origin}/#/terminals`);
    await page.locator('[data-testid=connection-status][data-state=connected]').waitFor();
    await echo(log, page, app.origin, sshd, keyFile);
  } finally {
    await browser?.close().catch(() => undefined);
    await app?.stop();
    await sshd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Returns the raw side's median time, for the comparison without DevTools' network reporting. */
async function throughput(log: Log, browser: Browser, page: Page, file: string, bytes: number, ptyText: string): Promise<number> {
  const opsdeck: Array<{ ms: number; arrivedMs: number; wireBytes: number }> = [];
  const raw: RawResult[] = [];
  let look: TerminalLook | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    // Opsdeck: a fresh local shell each round, the file and then an end line the command line itself does not show.
    await openLocalShell(page);
    look ??= await activeLook(page, SCROLLBACK);
    const marker = `END-${round}-${Date.now().toString(36)}`;
    const [head, tail] = [marker.slice(0, 4), marker.slice(4)];
    await page.keyboard.type(`cat ${file}; printf '${head}%s\\n' ${tail}`);
    await page.evaluate(armThroughput(marker));
    await page.keyboard.press('Enter');
    const deadline = Date.now() + CAT_TIMEOUT_MS;
    let probe = (await page.evaluate('window.__tp')) as ThroughputProbe;
    for (; probe.doneAt === 0; probe = (await page.evaluate('window.__tp')) as ThroughputProbe) {
      if (Date.now() > deadline) throw new Error(`the cat did not finish drawing in ${CAT_TIMEOUT_MS / 1000} s (${fmt(probe.dataBytes / MB)} MB arrived)`);
      await page.waitForTimeout(250);
    }
    opsdeck.push({ ms: probe.doneAt - probe.keyAt, arrivedMs: probe.lastDataAt - probe.keyAt, wireBytes: probe.dataBytes });
    await page.locator('[data-testid=terminal-tab][data-active=true] [data-testid=terminal-close]').click();

    // Raw xterm.js: a page of its own in the same browser, the same bytes with the same end line.
    const rawPage = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await rawPage.goto(await serveRawPage(rawPage, `${ptyText}${marker}\r\n`));
    raw.push((await rawPage.evaluate(rawWrite(look, marker))) as RawResult);
    await rawPage.close();
  }

  const median = (values: number[]): number => stats(values).median;
  const opsMs = median(opsdeck.map((r) => r.ms));
  const rawMs = median(raw.map((r) => r.drawnMs));
  const rate = (ms: number): string => `${fmt(bytes / MB / (ms / 1000))} MB/s`;
  log(`throughput: cat of ${fmt(bytes / MB)} MB into a ${look?.cols}x${look?.rows} terminal (DOM renderer, scrollback ${SCROLLBACK}), ${ROUNDS} rounds each, median`);
  log(`  Opsdeck, pty -> host -> WebSocket -> xterm, until drawn   ${rate(opsMs).padStart(11)}   (${opsdeck.map((r) => fmt(r.ms / 1000)).join(', ')} s)`);
  log(`    last output reached the page after                      ${fmt(median(opsdeck.map((r) => r.arrivedMs)) / 1000)} s; `
    + `${fmt(median(opsdeck.map((r) => r.wireBytes)) / MB)} MB of term.data frames`);
  log(`  raw xterm.js, 64 KB writes, until drawn                 ${rate(rawMs).padStart(11)}   (${raw.map((r) => fmt(r.drawnMs / 1000)).join(', ')} s; `
    + `last write callback after ${fmt(median(raw.map((r) => r.writtenMs)) / 1000)} s)`);
  log(`  Opsdeck / raw xterm.js: ${(rawMs / opsMs).toFixed(2)}   [goal: at least 0.8]`);
  return rawMs;
}

/**
 * The same cat in a Chromium page that Playwright does not drive (bare-chromium.ts): Playwright's DevTools session
 * reports every WebSocket frame of its pages, payload included, which costs the Opsdeck side (and only it) dearly.
 */
async function bareThroughput(log: Log, app: RunningApp, file: string, bytes: number, rawMs: number): Promise<void> {
  const page = await openBarePage(1400, 900);
  try {
    const lastLine = (): Promise<string> => page.evaluate(`(${LAST_LINE})(document.querySelector('[data-testid=terminal-screen] .xterm-rows') ?? { children: [] })`);
    const until = async (what: string, check: () => Promise<boolean>): Promise<void> => {
      for (const deadline = Date.now() + 15_000; !(await check());) {
        if (Date.now() > deadline) throw new Error(`bare page: timed out waiting for ${what}; the last line reads "${await lastLine()}"`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await page.goto(app.url);
    await page.evaluate(`location.hash = '#/terminals'`);
    await until('the connection', () => page.evaluate(`!!document.querySelector('[data-testid=connection-status][data-state=connected]')`));
    const times: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await page.evaluate(`document.querySelector('[data-testid=terminal-open-local]').click()`);
      await until('the login shell prompt', async () => /[$#]$/.test(await lastLine()));
      await page.evaluate(`document.querySelector('[data-testid=terminal-screen] .xterm-helper-textarea').focus()`);
      await page.type(`exec env PS1='${PROMPT} ' bash --norc --noprofile`);
      await page.pressEnter();
      await until('the bench prompt', async () => (await lastLine()) === PROMPT);
      const marker = `END-${round}-${Date.now().toString(36)}`;
      await page.type(`cat ${file}; printf '${marker.slice(0, 4)}%s\\n' ${marker.slice(4)}`);
      await page.evaluate(armThroughput(marker));
      await page.pressEnter();
      const deadline = Date.now() + CAT_TIMEOUT_MS;
      let probe = await page.evaluate<ThroughputProbe>('window.__tp');
      for (; probe.doneAt === 0; probe = await page.evaluate<ThroughputProbe>('window.__tp')) {
        if (Date.now() > deadline) throw new Error(`the cat did not finish drawing in ${CAT_TIMEOUT_MS / 1000} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
      times.push(probe.doneAt - probe.keyAt);
      await page.evaluate(`document.querySelector('[data-testid=terminal-tab][data-active=true] [data-testid=terminal-close]').click()`);
    }
    const ms = stats(times).median;
    log(`  Opsdeck in a page Playwright does not drive (no DevTools network reporting)   ${fmt(bytes / MB / (ms / 1000))} MB/s   (${times.map((t) => fmt(t / 1000)).join(', ')} s)`);
    log(`  Opsdeck there / raw xterm.js: ${(rawMs / ms).toFixed(2)}`);
  } finally {
    await page.close();
  }
}

async function echo(log: Log, page: Page, origin: string, sshd: Sshd, keyFile: string): Promise<void> {
  await openLocalShell(page);
  const local = await echoSamples(page, PROMPT);
  await openSshShell(page, origin, 'bench', { port: sshd.port, user: sshd.user, keyFile, fingerprint: fingerprintOf(sshd.hostPublicKey) });
  const ssh = await echoSamples(page, '$');
  log(`keystroke to echo: ${ECHO_SAMPLES} keys each after ${ECHO_WARMUP} warm-up, from keydown in the page`);
  for (const [label, samples] of [['local pty (bash)', local], ['SSH, loopback sshd (dash)', ssh]] as const) {
    const ws = stats(samples.map((s) => s.ws));
    const screen = stats(samples.map((s) => s.screen));
    log(`  ${label.padEnd(26)} reached the page p50 ${fmt(ws.median).padStart(5)} ms  p95 ${fmt(ws.p95).padStart(5)} ms   `
      + `on screen p50 ${fmt(screen.median).padStart(5)} ms  p95 ${fmt(screen.p95).padStart(5)} ms`);
  }
}

/** Types letters at `prompt`, one at a time, each timed until the cursor line reads the prompt and what was typed. */
async function echoSamples(page: Page, prompt: string): Promise<Array<{ ws: number; screen: number }>> {
  await page.evaluate(ECHO_PROBE);
  const samples: Array<{ ws: number; screen: number }> = [];
  let typed = '';
  for (let i = 0; i < ECHO_WARMUP + ECHO_SAMPLES; i++) {
    const key = String.fromCharCode(97 + (i % 26));
    typed += key;
    await page.evaluate(`window.__echo.arm(${JSON.stringify(`${prompt} ${typed}`)})`);
    await page.keyboard.press(key);
    const sample = (await page.evaluate('window.__echo.result()')) as { ws: number; screen: number };
    if (i >= ECHO_WARMUP) samples.push(sample);
  }
  await page.keyboard.press('Control+u');
  return samples;
}
