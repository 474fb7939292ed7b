// Helpers of bench/import.bench.ts: the many-small-sections runbook, the import worker to measure (the built one
// when `npm run build` has made it), and the worst event-loop stall of this thread while an operation runs.
import { existsSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { resolveImportWorker, type ImportWorkerEntry } from '../electron/services/runbooks/import-parser.js';

/** `count` sections of a heading, a sentence and a one-line bash block: ~95 bytes each, 1.1 MB for 12,000. */
export function manySections(count: number): string {
  const parts = ['# Many sections\n\n'];
  for (let i = 0; i < count; i++) {
    parts.push(`## Section ${i}\n\nSome text about section ${i}, what it checks and why.\n\n\`\`\`bash\necho ${i}\n\`\`\`\n\n`);
  }
  return parts.join('');
}

/** dist/import-worker.js, what ships, when built; else the TypeScript source through tsx. */
export function importWorkerForBench(): { entry: ImportWorkerEntry; label: string } {
  const built = new URL('../dist/cli.js', import.meta.url);
  if (existsSync(built)) {
    try {
      return { entry: resolveImportWorker(built), label: 'dist/import-worker.js' };
    } catch {
      // An older build without the worker: measure the source instead.
    }
  }
  return { entry: resolveImportWorker(), label: 'import-worker.ts through tsx' };
}

/** How long the idle loop is watched first, for the machine's own scheduling noise to compare with. */
const IDLE_WATCH_MS = 2000;

interface LoopWatch {
  ms: number;
  /** The longest the loop was late, 1 ms resolution. */
  maxMs: number;
  /** The longest garbage collection pause of this thread meanwhile: the part of a stall the document's objects cost. */
  gcMs: number;
}

const loopDelay = async (ms: number, op: (() => Promise<void>) | null): Promise<LoopWatch> => {
  const h = monitorEventLoopDelay({ resolution: 1 });
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs = Math.max(gcMs, entry.duration);
  });
  await new Promise((r) => setTimeout(r, 20));
  gc.observe({ entryTypes: ['gc'] });
  h.enable();
  const start = performance.now();
  if (op) await op();
  else await new Promise((r) => setTimeout(r, ms));
  const took = performance.now() - start;
  // One more turn of the loop, so that a stall at the very end is counted.
  await new Promise((r) => setTimeout(r, 5));
  h.disable();
  gc.disconnect();
  return { ms: took, maxMs: h.max / 1e6, gcMs };
};

export interface Stall {
  ms: number;
  stallMs: number;
  gcMs: number;
  /** The same watch over IDLE_WATCH_MS of doing nothing, just before: this machine's own scheduling noise. */
  idleStallMs: number;
}

/** The worst stall of this thread's event loop while `op` runs, and idle just before. */
export async function worstStall(op: () => Promise<void>): Promise<Stall> {
  const idle = await loopDelay(IDLE_WATCH_MS, null);
  const busy = await loopDelay(0, op);
  return { ms: busy.ms, stallMs: busy.maxMs, gcMs: busy.gcMs, idleStallMs: idle.maxMs };
}
