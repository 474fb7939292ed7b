// Flow control of a command step's output through a real host (contract, run service, local bash, SQLite): a window
// that draws output and never acknowledges it pauses the step near the high watermark, whatever other windows do;
// closing it lets the step run to its end with every char of its output recorded. Nobody acknowledging (no window,
// a CLI client) never holds a step back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputChunk, RunDetail } from '../../../shared/contract/schemas.js';
import { callerFor } from '../../../electron/host/cli-run.js';
import { createHost, type Host } from '../../../electron/host/host.js';
import { HIGH_WATERMARK_BYTES } from '../../../electron/services/terminal/flow-control.js';

/** 5,000,000 chars, far past the high watermark (100,000) and every pipe buffer. */
const FLOOD = 'yes | head -c 5000000';
const FLOOD_CHARS = 5_000_000;
/**
 * Emitted output of a paused step stays below this: the high watermark, plus the batch that went over it (at most
 * one batch, 32 Ki chars, and one 64 KiB pipe read: output-batcher.ts).
 */
const PAUSED_BOUND = 200_000;

let dir: string;
let host: Host;
let runbookId: string;
let sectionId: string;
let stepId: string;
/** `yes` with no end: only its timeout stops it. */
let endlessId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-step-flow-'));
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  const file = join(dir, 'flood.md');
  writeFileSync(file, ['# Flood', '', '## Print a lot', '', '```bash', FLOOD, '```', '', '```bash', 'yes', '```', ''].join('\n'));
  const call = callerFor(host);
  runbookId = (await call('runbooks.import', { path: file })).runbookId;
  const section = (await call('runbooks.get', { id: runbookId })).document.sections[0]!.sections[0]!;
  sectionId = section.id;
  stepId = section.steps[0]!.id;
  endlessId = section.steps[1]!.id;
});

afterAll(async () => {
  await host?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Starts the flood in a new run; counts the chars of its `step.output` events as the host emits them. */
async function startFlood(onChunk: (chunk: OutputChunk) => void = () => undefined, step: { id?: string; timeoutSec?: number } = {}) {
  const call = callerFor(host);
  const run = await call('runs.start', { runbookId, sectionId });
  const runId = run.run.id;
  const seen = { chars: 0 };
  const unsubscribe = host.subscribe((event, payload) => {
    if (event !== 'step.output') return;
    const chunk = payload as OutputChunk;
    if (chunk.runId !== runId) return;
    seen.chars += chunk.data.length;
    onChunk(chunk);
  });
  const id = step.id ?? stepId;
  const detail = await call('steps.run', { runId, stepId: id, params: {}, ...(step.timeoutSec ? { timeoutSec: step.timeoutSec } : {}) });
  const attemptId = detail.steps.find((s) => s.stepId === id)!.attempts.at(-1)!.id;
  const status = async (): Promise<string> => ((await call('runs.get', { runId })) as RunDetail).steps.find((s) => s.stepId === id)!.status;
  const output = async (): Promise<string> => (await call('runs.output', { runId, attemptId })).map((c) => c.data).join('');
  const finished = async (): Promise<void> => {
    await until('the step to end', async () => (await status()) !== 'running');
    unsubscribe();
  };
  return { runId, attemptId, seen, status, output, finished };
}

/** Waits until the step has sent more than the high watermark, then a while: a paused step sends no more. */
async function expectPaused(flood: Awaited<ReturnType<typeof startFlood>>): Promise<void> {
  await until('output past the high watermark', () => flood.seen.chars > HIGH_WATERMARK_BYTES);
  await new Promise((r) => setTimeout(r, 500));
  expect(flood.seen.chars).toBeGreaterThan(HIGH_WATERMARK_BYTES);
  expect(flood.seen.chars).toBeLessThan(PAUSED_BOUND);
  expect(await flood.status()).toBe('running');
}

async function expectComplete(flood: Awaited<ReturnType<typeof startFlood>>): Promise<void> {
  await flood.finished();
  expect(await flood.status()).toBe('succeeded');
  expect(flood.seen.chars).toBe(FLOOD_CHARS);
  const text = await flood.output();
  expect(text).toHaveLength(FLOOD_CHARS);
  expect(text).toBe('y\n'.repeat(FLOOD_CHARS / 2));
}

describe('flow control of a local step through the host', () => {
  it('pauses behind a window that never acknowledges; closing it lets the step finish with all its output recorded', async () => {
    const stuck = host.openWindow({ acks: true });
    const flood = await startFlood();
    try {
      await expectPaused(flood);
    } finally {
      stuck.close();
    }
    await expectComplete(flood);
  });

  it('is held back by the slowest of two windows, not by the sum of their acks', async () => {
    const drawing = host.openWindow({ acks: true });
    const stuck = host.openWindow({ acks: true });
    // A tab that draws everything and acknowledges it, twice over: acks are never summed across windows.
    const flood = await startFlood((chunk) => setImmediate(() => drawing.ack(chunk.data.length * 2, chunk.attemptId)));
    try {
      await expectPaused(flood);
    } finally {
      stuck.close();
    }
    await expectComplete(flood);
    drawing.close();
  });

  it('runs at full speed while the only window acknowledges everything, or no window acknowledges at all', async () => {
    const drawing = host.openWindow({ acks: true });
    const cli = host.openWindow({ acks: false });
    await expectComplete(await startFlood((chunk) => setImmediate(() => drawing.ack(chunk.data.length, chunk.attemptId))));
    drawing.close();
    await expectComplete(await startFlood());
    cli.close();
  });

  it('still times out while paused behind a window that never acknowledges, with what it printed recorded', async () => {
    const stuck = host.openWindow({ acks: true });
    const endless = await startFlood(undefined, { id: endlessId, timeoutSec: 3 });
    try {
      await expectPaused(endless);
      await endless.finished();
    } finally {
      stuck.close();
    }
    expect(await endless.status()).toBe('timed_out');
    const text = await endless.output();
    expect(text).toHaveLength(endless.seen.chars);
    expect(text).toBe('y\n'.repeat(text.length / 2));
  });
});
