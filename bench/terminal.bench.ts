// Terminal benchmark in Debian's Chromium against the real web host (`opsdeck serve`), anchors measured in this run.
// 1. Throughput: `cat` of a 50 MB log file in a local terminal, from Enter until the line after it is drawn, against
//    raw xterm.js in the same browser writing the same bytes (as the pty delivers them) in 64 KB chunks to a fresh
//    Terminal with the same size, font, scrollback and DOM renderer. Rounds alternate so noise falls on both alike.
// 2. Keystroke to echo, over a local pty and over SSH to a real sshd on 127.0.0.1: from the keydown until the
//    character reached the renderer (the WebSocket message) and until it is on screen (xterm's next frame).
// Everything is timed on the page's own clock. Needs a current build (`npm run bench` builds first).
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { fingerprintOf, makeClientKey, startSshd, type Sshd } from '../test/helpers/sshd.js';
import { launchChromium, startApp, type RunningApp } from '../test/e2e/harness.js';
import { fmt, stats } from './ssh-bench-helpers.js';
import {
  activeLook, armThroughput, ECHO_PROBE, openLocalShell, openSshShell, PROMPT, rawWrite, serveRawPage, WS_HOOK,
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

    await throughput(log, browser, page, file, bytes, ptyText);
    await echo(log, page, app.origin, sshd, keyFile);
  } finally {
    await browser?.close().catch(() => undefined);
    await app?.stop();
    await sshd?.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function throughput(log: Log, browser: Browser, page: Page, file: string, bytes: number, ptyText: string): Promise<void> {
  const opsdeck: Array<{ ms: number; arrivedMs: number; wireChars: number }> = [];
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
      if (Date.now() > deadline) throw new Error(`the cat did not finish drawing in ${CAT_TIMEOUT_MS / 1000} s (${fmt(probe.dataChars / MB)} MB arrived)`);
      await page.waitForTimeout(250);
    }
    opsdeck.push({ ms: probe.doneAt - probe.keyAt, arrivedMs: probe.lastDataAt - probe.keyAt, wireChars: probe.dataChars });
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
    + `${fmt(median(opsdeck.map((r) => r.wireChars)) / MB)} MB of term.data messages`);
  log(`  raw xterm.js, 64 KB writes, until drawn                 ${rate(rawMs).padStart(11)}   (${raw.map((r) => fmt(r.drawnMs / 1000)).join(', ')} s; `
    + `last write callback after ${fmt(median(raw.map((r) => r.writtenMs)) / 1000)} s)`);
  log(`  Opsdeck / raw xterm.js: ${(rawMs / opsMs).toFixed(2)}   [goal: at least 0.8]`);
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
