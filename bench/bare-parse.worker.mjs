// Worker for bench/import.bench.ts: the bare, whole-document mdast parse (GFM), timed, in a thread the bench can
// stop when it runs past its budget.
import { parentPort, workerData } from 'node:worker_threads';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { gfm } from 'micromark-extension-gfm';
import { gfmFromMarkdown } from 'mdast-util-gfm';

const start = performance.now();
fromMarkdown(workerData, { extensions: [gfm()], mdastExtensions: [gfmFromMarkdown()] });
parentPort.postMessage(performance.now() - start);
