/**
 * Parses runbooks in a worker thread, so that a big import never stalls the main thread's event loop: one worker,
 * started on first use, kept for the next import and unref'd while idle (it never keeps a CLI process alive). A
 * worker that crashes fails the imports it held with ImportError `parse_failed`; the next import starts a new one.
 * resolveImportWorker(base) finds the entry: import-worker.js beside `base` or one folder up (dist/import-worker.js
 * from dist/cli.js or dist/chunks/*.js), else, running from the TypeScript source, import-worker.ts through tsx.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { ImportInput, ImportOutcome } from '../../../shared/runbook/import.js';
import { createDocumentAssembler, type DocumentAssembler, type WorkerReply, type WorkerRequest } from './import-wire.js';
import { ImportError } from './runbook-service.js';

export interface ImportWorkerEntry {
  url: URL;
  /** The TypeScript source (tests, `node --import tsx`), run through tsx, rather than the bundled file. */
  typescript: boolean;
}

/** Where the worker's entry is, seen from `base`: the caller's `import.meta.url`, by default this module's. */
export function resolveImportWorker(base: string | URL = import.meta.url): ImportWorkerEntry {
  for (const candidate of ['./import-worker.js', '../import-worker.js']) {
    const url = new URL(candidate, base);
    if (existsSync(url)) return { url, typescript: false };
  }
  const source = new URL('./import-worker.ts', import.meta.url);
  if (existsSync(source)) return { url: source, typescript: true };
  throw new Error(`no import-worker.js beside ${String(base)} or one folder up, and no import-worker.ts source`);
}

export type ParseProgressListener = (done: number, total: number) => void;

export interface ImportParser {
  /** Resolves to the importer's outcome; rejects with ImportError `parse_failed` if the worker fails. */
  parse(input: ImportInput, onProgress?: ParseProgressListener): Promise<ImportOutcome>;
  /** Stops the worker; imports still running reject. */
  dispose(): Promise<void>;
}

export interface ImportParserOptions {
  /** Default: resolveImportWorker(). */
  worker?: ImportWorkerEntry;
  /** The worker's heap limits; by default node's, sized from the machine's memory. */
  resourceLimits?: ResourceLimits;
}

interface Pending {
  resolve(outcome: ImportOutcome): void;
  reject(error: ImportError): void;
  assembler: DocumentAssembler;
  onProgress: ParseProgressListener | undefined;
}

export function createImportParser(options: ImportParserOptions = {}): ImportParser {
  let worker: Worker | null = null;
  let disposed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const settle = (id: number): void => {
    pending.delete(id);
    if (pending.size === 0) worker?.unref();
  };

  /** Everything the worker held fails; the next parse starts a new worker. */
  const lose = (lost: Worker, error: ImportError): void => {
    if (worker !== lost) return;
    worker = null;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const onReply = (from: Worker, reply: WorkerReply): void => {
    // Asked for after a turn of the event loop, or node would hand the next batch over within this same turn; and
    // even when the request has failed here, so that the worker moves on to the next one.
    if (reply.type === 'parts' && !reply.last) setImmediate(() => from.postMessage({ type: 'next', id: reply.id } satisfies WorkerRequest));
    const p = pending.get(reply.id);
    if (!p) return;
    try {
      switch (reply.type) {
        case 'progress':
          p.onProgress?.(reply.done, reply.total);
          return;
        case 'parts':
          p.assembler.add(reply.parts);
          if (!reply.last) return;
          settle(reply.id);
          p.resolve({ ok: true, runbook: p.assembler.finish() });
          return;
        case 'refused':
          settle(reply.id);
          p.resolve({ ok: false, error: reply.error });
          return;
        case 'failed':
          settle(reply.id);
          p.reject(new ImportError('parse_failed', `could not be parsed: ${reply.message}`));
          return;
        default:
          assertNever(reply);
      }
    } catch (error) {
      settle(reply.id);
      p.reject(new ImportError('parse_failed', `could not be parsed: ${describe(error)}`, { cause: error }));
    }
  };

  const start = (): Worker => {
    const started = spawn(options.worker ?? resolveImportWorker(), options.resourceLimits);
    started.on('message', (reply: WorkerReply) => onReply(started, reply));
    started.on('error', (error) => lose(started, new ImportError('parse_failed', crashMessage(error), { cause: error })));
    started.on('exit', (code) => lose(started, new ImportError('parse_failed', `could not be parsed: the importer stopped (exit code ${code})`)));
    return started;
  };

  return {
    parse(input, onProgress) {
      return new Promise((resolve, reject) => {
        if (disposed) return reject(new ImportError('parse_failed', 'could not be parsed: the importer has been shut down'));
        let current: Worker;
        try {
          current = worker ??= start();
        } catch (error) {
          return reject(new ImportError('parse_failed', `could not be parsed: cannot start the importer: ${describe(error)}`, { cause: error }));
        }
        const id = nextId++;
        pending.set(id, { resolve, reject, assembler: createDocumentAssembler(), onProgress });
        current.ref();
        // A view into a larger buffer (pooled Buffers) would be cloned with all of that buffer: send only the bytes.
        const { bytes } = input;
        const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
        current.postMessage({ type: 'parse', id, path: input.path, bytes: own } satisfies WorkerRequest);
      });
    },
    async dispose() {
      disposed = true;
      const stopping = worker;
      worker = null;
      for (const p of pending.values()) p.reject(new ImportError('parse_failed', 'could not be parsed: the importer was shut down'));
      pending.clear();
      if (stopping) await stopping.terminate();
    },
  };
}

function spawn(entry: ImportWorkerEntry, resourceLimits: ResourceLimits | undefined): Worker {
  // None of this process's node options: they were for its own entry (`--input-type` breaks a file's, say).
  const limits = { execArgv: [], ...(resourceLimits ? { resourceLimits } : {}) };
  if (!entry.typescript) return new Worker(entry.url, limits);
  // `--import tsx` reaches worker threads only from Node 22.14, so the worker registers tsx's loader itself.
  const boot = `import(${JSON.stringify(tsxApiUrl())}).then(({ register }) => { register(); return import(${JSON.stringify(entry.url.href)}); });`;
  return new Worker(boot, { ...limits, eval: true });
}

/**
 * tsx's ESM API (`tsx/esm/api`), found as `import` would find it, from its package.json exports: not through
 * import.meta.resolve, which the CommonJS Electron bundles lack (only a development fallback needs this).
 */
function tsxApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports?: Record<string, { import?: { default?: string } } | string> };
  const api = manifest.exports?.['./esm/api'];
  const file = typeof api === 'string' ? api : api?.import?.default;
  if (file === undefined) throw new Error('the installed tsx has no ESM API (tsx/esm/api) to run import-worker.ts with');
  return pathToFileURL(join(dirname(manifestPath), file)).href;
}

function crashMessage(error: Error): string {
  if ((error as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') return 'could not be parsed: the importer ran out of memory';
  return `could not be parsed: the importer crashed (${error.message})`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function assertNever(x: never): never {
  throw new Error(`unexpected reply from the import worker: ${JSON.stringify(x)}`);
}
