/**
 * The import worker's entry (started by import-parser.ts; bundled as dist/import-worker.js): parses runbooks off
 * the main thread. It loads the bash grammar once, then answers each request in turn: progress while it parses,
 * then the document in batches, each sent when the main thread asks for the next (see import-wire.ts).
 */
import { parentPort } from 'node:worker_threads';
import { importRunbook } from '../../../shared/runbook/import.js';
import { splitDocument, type ParseRequest, type WorkerReply, type WorkerRequest } from './import-wire.js';
import { loadShellParser } from './shell-grammar.js';

/** Least time between two progress messages: smoother bars against messages the main thread must handle. */
const PROGRESS_EVERY_MS = 50;

const port = parentPort;
if (port === null) throw new Error('import-worker runs as a worker thread: start it through createImportParser()');

const shell = loadShellParser();
// A grammar that fails to load is reported to each request; it must not also end the worker as unhandled.
shell.catch(() => undefined);

const post = (reply: WorkerReply): void => port.postMessage(reply);
const asked = new Map<number, () => void>();
const askedForNext = (id: number): Promise<void> => new Promise((resolve) => asked.set(id, resolve));

async function answer({ id, path, bytes }: ParseRequest): Promise<void> {
  try {
    const parser = await shell;
    let last = performance.now();
    const outcome = importRunbook({ path, bytes }, parser, {
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - last < PROGRESS_EVERY_MS) return;
        last = now;
        post({ id, type: 'progress', done, total });
      },
    });
    if (!outcome.ok) return post({ id, type: 'refused', error: outcome.error });
    const batches = splitDocument(outcome.runbook);
    for (const [i, parts] of batches.entries()) {
      const isLast = i === batches.length - 1;
      const next = isLast ? null : askedForNext(id);
      post({ id, type: 'parts', parts, last: isLast });
      if (next) await next;
    }
  } catch (error) {
    post({ id, type: 'failed', message: error instanceof Error ? error.message : String(error) });
  }
}

// One request at a time: a second parse must not run while the first waits to send its next batch.
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  if (request.type === 'next') {
    asked.get(request.id)?.();
    asked.delete(request.id);
  } else {
    queue = queue.then(() => answer(request));
  }
});
