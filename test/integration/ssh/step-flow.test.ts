// Flow control of a remote step's output through a real host and a real sshd: a window that never acknowledges pauses
// the SSH channel (the remote command blocks once the channel's window and buffers are full) with the emitted output
// near the high watermark; closing it lets the step finish with every char recorded. Same with a second window that
// acknowledges everything: the slowest window holds the step back.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Prompt } from '../../../shared/contract/hosts.js';
import type { OutputChunk, RunDetail } from '../../../shared/contract/schemas.js';
import { callerFor } from '../../../electron/host/cli-run.js';
import { createHost, type Host } from '../../../electron/host/host.js';
import { HIGH_WATERMARK_BYTES } from '../../../electron/services/terminal/flow-control.js';
import { fingerprintOf, makeClientKey, startSshd, until, type Sshd } from '../../helpers/sshd.js';

/**
 * 20,000,000 chars: more than a paused channel holds on its way (ssh2's 2 MiB read buffer, its 2 MiB window, sshd's
 * and the pipes' buffers), so the remote command is still blocked while the test looks.
 */
const FLOOD_CHARS = 20_000_000;
/** The high watermark plus the batch that went over it (at most 32 Ki chars and one 32 KiB SSH packet). */
const PAUSED_BOUND = 200_000;

let dir: string;
let sshd: Sshd;
let host: Host;
let runbookId: string;
let sectionId: string;
let stepId: string;
/** `yes` with no end: only its timeout stops it. */
let endlessId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-ssh-flow-'));
  const key = join(dir, 'client', 'id_ed25519');
  sshd = await startSshd({ authorizedKeys: [await makeClientKey(key)] });
  host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
  const call = callerFor(host);
  const ours = fingerprintOf(sshd.hostPublicKey);
  host.subscribe((event, payload) => {
    if (event !== 'prompt.request') return;
    const p = payload as Prompt;
    const accept = p.kind === 'host-key' && p.fingerprint === ours;
    void call('prompts.answer', { id: p.id, answer: p.kind === 'host-key' ? { kind: 'host-key', accept } : { kind: 'cancel' } });
  });
  await call('hosts.save', { name: 'web-1', address: '127.0.0.1', port: sshd.port, user: sshd.user, identityFile: key, identityAgent: null, jump: [], tags: ['web'], notes: '', forwardAgent: false });
  const file = join(dir, 'flood.md');
  writeFileSync(file, ['# Flood', '', '## Print a lot', '', '```bash', `yes | head -c ${FLOOD_CHARS}`, '```', '', '```bash', 'yes', '```', ''].join('\n'));
  runbookId = (await call('runbooks.import', { path: file })).runbookId;
  const section = (await call('runbooks.get', { id: runbookId })).document.sections[0]!.sections[0]!;
  sectionId = section.id;
  stepId = section.steps[0]!.id;
  endlessId = section.steps[1]!.id;
}, 60_000);

afterAll(async () => {
  await host?.close();
  await sshd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function startFlood(onChunk: (chunk: OutputChunk) => void = () => undefined, step: { id?: string; timeoutSec?: number } = {}) {
  const call = callerFor(host);
  const runId = (await call('runs.start', { runbookId, sectionId })).run.id;
  const seen = { chars: 0 };
  const unsubscribe = host.subscribe((event, payload) => {
    if (event !== 'step.output') return;
    const chunk = payload as OutputChunk;
    if (chunk.runId !== runId) return;
    seen.chars += chunk.data.length;
    onChunk(chunk);
  });
  const id = step.id ?? stepId;
  const timeout = step.timeoutSec ? { timeoutSec: step.timeoutSec } : {};
  const detail = await call('steps.run', { runId, stepId: id, params: {}, target: { kind: 'host', host: 'web-1' }, ...timeout });
  const attemptId = detail.steps.find((s) => s.stepId === id)!.attempts.at(-1)!.id;
  const status = async (): Promise<string> => ((await call('runs.get', { runId })) as RunDetail).steps.find((s) => s.stepId === id)!.status;
  const stdout = async (): Promise<string> => (await call('runs.output', { runId, attemptId })).filter((c) => c.stream === 'stdout').map((c) => c.data).join('');
  const ended = async (): Promise<void> => {
    await until('the step to end', async () => (await status()) !== 'running', 60_000);
    unsubscribe();
  };
  return {
    seen,
    status,
    stdout,
    ended,
    async expectPaused() {
      await until('output past the high watermark', () => seen.chars > HIGH_WATERMARK_BYTES, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      expect(seen.chars).toBeGreaterThan(HIGH_WATERMARK_BYTES);
      expect(seen.chars).toBeLessThan(PAUSED_BOUND);
      expect(await status()).toBe('running');
    },
    async expectComplete() {
      await ended();
      expect(await status()).toBe('succeeded');
      const text = await stdout();
      expect(text).toHaveLength(FLOOD_CHARS);
      expect(text).toBe('y\n'.repeat(FLOOD_CHARS / 2));
    },
  };
}

describe('flow control of a remote step through the host', () => {
  it('pauses the channel behind a window that never acknowledges; closing it lets the step finish with all its output', async () => {
    const stuck = host.openWindow({ acks: true });
    const flood = await startFlood();
    try {
      await flood.expectPaused();
    } finally {
      stuck.close();
    }
    await flood.expectComplete();
  }, 90_000);

  it('is held back by the slowest of two windows; closing it resumes the step', async () => {
    const drawing = host.openWindow({ acks: true });
    const stuck = host.openWindow({ acks: true });
    const flood = await startFlood((chunk) => setImmediate(() => drawing.ack(chunk.data.length, chunk.attemptId)));
    try {
      await flood.expectPaused();
    } finally {
      stuck.close();
    }
    await flood.expectComplete();
    drawing.close();
  }, 90_000);

  it('still times out while paused behind a window that never acknowledges, with what it printed recorded', async () => {
    const stuck = host.openWindow({ acks: true });
    const endless = await startFlood(undefined, { id: endlessId, timeoutSec: 3 });
    try {
      await endless.expectPaused();
      await endless.ended();
    } finally {
      stuck.close();
    }
    expect(await endless.status()).toBe('timed_out');
    const text = await endless.stdout();
    expect(text.length).toBeGreaterThan(HIGH_WATERMARK_BYTES);
    expect(text).toBe('y\n'.repeat(text.length / 2));
  }, 90_000);
});
