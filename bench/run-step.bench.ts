// Step overhead benchmark: running a `true` step through Opsdeck (the in-process host: dispatch, store, exec, events),
// from the `steps.run` request to the `run.updated` event that carries its recorded exit, against spawning
// `bash -c true` directly and awaiting its exit, measured side by side in this run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImportReport, RunbookDetail, RunDetail } from '../shared/contract/schemas.js';
import type { Section } from '../shared/model/runbook.js';
import { createHost, type Host } from '../electron/host/host.js';

/** Timed repetitions of each side: enough for a stable median and a meaningful p95, in a few seconds. */
const N = 100;
/** Untimed repetitions first, so JIT, SQLite's page cache and the process spawn path are warm for both sides. */
const WARMUP = 20;

async function call<T>(host: Host, method: string, input: unknown): Promise<T> {
  const r = await host.dispatch(method, input, { origin: 'cli' });
  if (!r.ok) throw new Error(`${method}: ${r.error.code}: ${r.error.message}`);
  return r.result as T;
}

function bashTrue(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', 'true'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.once('error', reject);
    child.once('exit', () => resolve());
  });
}

function allSections(sections: readonly Section[]): Section[] {
  return sections.flatMap((s) => [s, ...allSections(s.sections)]);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function stats(samples: readonly number[]): { median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95) };
}

export async function run(log: (line: string) => void): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), 'opsdeck-bench-step-'));
  let host: Host | undefined;
  try {
    host = await createHost({ dataDir: join(tmp, 'data'), mode: 'cli', version: 'bench' });
    const h = host;
    const path = join(tmp, 'true.md');
    writeFileSync(path, '# Bench\n\n## Nothing\n\n```bash\ntrue\n```\n');
    const imported = await call<ImportReport>(h, 'runbooks.import', { path });
    const runbook = await call<RunbookDetail>(h, 'runbooks.get', { id: imported.runbookId });
    const section = allSections(runbook.document.sections).find((s) => s.steps.some((st) => st.kind === 'command'));
    const stepId = section?.steps.find((st) => st.kind === 'command')?.id;
    if (!section || !stepId) throw new Error('the bench runbook has no command step');
    const started = await call<RunDetail>(h, 'runs.start', { runbookId: imported.runbookId, sectionId: section.id });
    const runId = started.run.id;

    // Settles the waiter when a run.updated shows this run's step with `attempts` attempts, the last one ended.
    let waiter: { attempts: number; resolve: () => void; reject: (e: Error) => void } | null = null;
    h.subscribe((event, payload) => {
      if (event !== 'run.updated' || !waiter) return;
      const detail = payload as RunDetail;
      if (detail.run.id !== runId) return;
      const attempts = detail.steps.find((s) => s.stepId === stepId)?.attempts ?? [];
      const last = attempts.at(-1);
      if (attempts.length === waiter.attempts && last?.status !== 'running') {
        if (last?.status === 'succeeded') waiter.resolve();
        else waiter.reject(new Error(`the true step ended ${last?.status} (exit ${last?.exitCode})`));
      }
    });
    let count = 0;
    const opsdeckTrue = async (): Promise<void> => {
      count++;
      const exitRecorded = new Promise<void>((resolve, reject) => (waiter = { attempts: count, resolve, reject }));
      await call(h, 'steps.run', { runId, stepId, params: {} });
      await exitRecorded;
      waiter = null;
    };

    const timeEach = async (fn: () => Promise<void>, n: number): Promise<number[]> => {
      const samples: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        await fn();
        samples.push(performance.now() - t);
      }
      return samples;
    };

    for (let i = 0; i < WARMUP; i++) {
      await bashTrue();
      await opsdeckTrue();
    }
    // Interleaved halves, so drift in the machine's load over the run falls on both sides alike.
    const stepSamples: number[] = [];
    const bashSamples: number[] = [];
    for (let half = 0; half < 2; half++) {
      bashSamples.push(...(await timeEach(bashTrue, N / 2)));
      stepSamples.push(...(await timeEach(opsdeckTrue, N / 2)));
    }
    const step = stats(stepSamples);
    const bash = stats(bashSamples);
    log(
      `run a 'true' step: median ${step.median.toFixed(1)} ms (p95 ${step.p95.toFixed(1)}) vs bash -c true ${bash.median.toFixed(1)} ms ` +
        `(p95 ${bash.p95.toFixed(1)}) -> overhead ratio ${(step.median / bash.median).toFixed(2)}x, ` +
        `+${(step.median - bash.median).toFixed(1)} ms a step (n=${N} each, ${WARMUP} warm-up)`,
    );
  } finally {
    await host?.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
