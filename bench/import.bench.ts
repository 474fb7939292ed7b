// Importer benchmark: importing a 1 MB and a 10 MB runbook against the bare mdast parse of the same text,
// measured side by side in this run (goal: under 2x), and files per second over the five seed runbooks.
// The bare whole-document parse is quadratic in micromark, so it runs in a worker with a time budget; the importer
// parses in pieces (shared/runbook/markdown.ts), and the same piecewise parse is printed as a second anchor.
// A 1 MB runbook of 12,000 small sections is also imported through the import worker, with the worst stall of
// this (the main) thread's event loop meanwhile (goal < 20 ms) beside the same measure taken idle just before.
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { join } from 'node:path';
import { parseMarkdown } from '../shared/runbook/markdown.js';
import { importRunbook } from '../shared/runbook/import.js';
import { loadShellParser } from '../electron/services/runbooks/shell-grammar.js';
import { importWorkerForBench, manySections, worstStall } from './import-bench-helpers.js';
import { createImportParser } from '../electron/services/runbooks/import-parser.js';

const seedsDir = join(import.meta.dirname, '../test/fixtures/seeds');
const seeds = readdirSync(seedsDir).filter((f) => f.endsWith('.md')).map((f) => readFileSync(join(seedsDir, f)));
const corpus = seeds.map((b) => b.toString('utf8')).join('\n\n');
const shell = await loadShellParser();

function runbookOf(size: number): string {
  let text = '# Generated runbook\n\n';
  for (let i = 0; text.length < size; i++) text += corpus.replace(/^# /gm, `## [${i}] `) + '\n\n';
  return text;
}

function time(fn: () => void, repeats: number): number {
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Bare fromMarkdown (GFM) of the whole text in a worker; null when it does not finish within the budget. */
async function bareWholeParse(text: string, budgetMs: number): Promise<number | null> {
  const worker = new Worker(new URL('./bare-parse.worker.mjs', import.meta.url), { workerData: text, execArgv: [] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve(null);
    }, budgetMs);
    worker.once('message', (ms: number) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(ms);
    });
    worker.once('error', reject);
  });
}

/** How long the bare whole-document parse may take before the bench stops waiting for it. */
const BARE_BUDGET_MS = 90_000;
/** Imports through the worker: the worst stall varies with what else the machine runs, so each round is printed. */
const WORKER_ROUNDS = 3;

/** The 12,000-section case: in this thread against the bare parse, then through the worker, watching the loop. */
async function manySectionsCase(log: (line: string) => void): Promise<void> {
  const count = 12_000;
  const text = manySections(count);
  const bytes = new TextEncoder().encode(text);
  const mb = (bytes.length / 1e6).toFixed(2);
  const full = time(() => {
    const outcome = importRunbook({ path: 'sections.md', bytes }, shell);
    if (!outcome.ok) throw new Error(outcome.error.message);
  }, 3);
  const pieces = time(() => parseMarkdown(text), 3);
  const bare = await bareWholeParse(text, BARE_BUDGET_MS);
  const perSection = `${(full / count).toFixed(3)} ms per section`;
  log(
    bare === null
      ? `import ${count} sections (${mb} MB): ${full.toFixed(0)} ms (${perSection}); bare mdast parse did not finish in ${BARE_BUDGET_MS / 1000} s`
      : `import ${count} sections (${mb} MB): ${full.toFixed(0)} ms (${perSection}) vs bare mdast parse ${bare.toFixed(0)} ms -> ratio ${(full / bare).toFixed(2)}x (goal < 2x)`,
  );
  log(`import ${count} sections: ${full.toFixed(0)} ms vs the same mdast parse in pieces ${pieces.toFixed(0)} ms -> ratio ${(full / pieces).toFixed(2)}x`);

  const { entry, label } = importWorkerForBench();
  const parser = createImportParser({ worker: entry });
  try {
    const warm = performance.now();
    await parser.parse({ path: 'warm.md', bytes: seeds[0]! }); // start the worker: its grammar, its JIT
    const startMs = performance.now() - warm;
    let runbook: unknown = null;
    for (let round = 1; round <= WORKER_ROUNDS; round++) {
      let progress = 0;
      const { ms, stallMs, gcMs, idleStallMs } = await worstStall(async () => {
        const outcome = await parser.parse({ path: 'sections.md', bytes }, () => progress++);
        if (!outcome.ok) throw new Error(outcome.error.message);
        runbook = outcome.runbook;
      });
      log(
        `import ${count} sections through the worker (${label}), round ${round}: ${ms.toFixed(0)} ms, ${progress} progress messages; ` +
          `worst main-thread stall ${stallMs.toFixed(1)} ms (goal < 20 ms), longest main-thread GC pause ${gcMs.toFixed(1)} ms; ` +
          `idle just before: worst stall ${idleStallMs.toFixed(1)} ms`,
      );
    }
    log(`  worker start and first seed: ${startMs.toFixed(0)} ms`);
    const stringify = time(() => JSON.stringify(runbook), 3);
    log(`  still on the main thread after the parse: the store's JSON.stringify of that document, ${stringify.toFixed(0)} ms`);
  } finally {
    await parser.dispose();
  }
}

export async function run(log: (line: string) => void): Promise<void> {
  importRunbook({ path: 'warm.md', bytes: seeds[0]! }, shell); // warm up JIT and the wasm module
  await manySectionsCase(log);
  for (const [label, size, repeats] of [['1 MB', 1_000_000, 3], ['10 MB', 10_000_000, 1]] as const) {
    const text = runbookOf(size);
    const bytes = new TextEncoder().encode(text);
    const pieces = time(() => parseMarkdown(text), repeats);
    const full = time(() => {
      const outcome = importRunbook({ path: 'big.md', bytes }, shell);
      if (!outcome.ok) throw new Error(outcome.error.message);
    }, repeats);
    const bare = await bareWholeParse(text, BARE_BUDGET_MS);
    const mb = (bytes.length / 1e6).toFixed(1);
    log(
      bare === null
        ? `import ${label} (${mb} MB): ${full.toFixed(0)} ms; bare mdast parse of the whole text did not finish in ${BARE_BUDGET_MS / 1000} s -> ratio < ${(full / BARE_BUDGET_MS).toFixed(3)}x (goal < 2x)`
        : `import ${label} (${mb} MB): ${full.toFixed(0)} ms vs bare mdast parse ${bare.toFixed(0)} ms -> ratio ${(full / bare).toFixed(2)}x (goal < 2x)`,
    );
    log(`import ${label}: ${full.toFixed(0)} ms vs the same mdast parse in pieces ${pieces.toFixed(0)} ms -> ratio ${(full / pieces).toFixed(2)}x (what steps, params and danger analysis add)`);
  }
  const rounds = 20;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const bytes of seeds) importRunbook({ path: 'seed.md', bytes }, shell);
  const seconds = (performance.now() - start) / 1000;
  log(`seeds: ${((rounds * seeds.length) / seconds).toFixed(1)} files/s (${seeds.length} seeds x ${rounds} rounds)`);
}
