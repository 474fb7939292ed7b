/**
 * The importer: Markdown bytes in, a Runbook document model out. It walks the mdast tree once, keeping the heading
 * tree as sections, and hands every list and code block to the rules that make steps of them (see builder.ts).
 */
import { Runbook } from '../model/runbook.js';
import { createBuilder } from './builder.js';
import { sha256Hex } from './ids.js';
import { parseMarkdown } from './markdown.js';
import type { ShellParser } from './shell.js';
import { decodeRunbookBytes } from './text.js';

export interface ImportInput {
  /** Where the file came from, as the user named it (stored and shown; never read here). */
  path: string;
  bytes: Uint8Array;
}

export interface ImportRefusal {
  code: 'not_text' | 'too_large';
  message: string;
}

export type ImportOutcome = { ok: true; runbook: Runbook } | { ok: false; error: ImportRefusal };

/** Max input size: a runbook bigger than this is almost certainly not one, and parsing it would take seconds. */
export const MAX_RUNBOOK_BYTES = 20 * 1024 * 1024;

export interface ImportOptions {
  /**
   * Hears how far the import is, `done` of `total` units of work, growing to `total` (called often: throttle it).
   * The units are characters of the text, counted once as parsed and once as built, parsing weighted PARSE_WEIGHT.
   */
  onProgress?: (done: number, total: number) => void;
}

/** Parsing the Markdown takes about twice as long as building the model from its tree (measured on 1 MB runbooks). */
const PARSE_WEIGHT = 2;

export function importRunbook(input: ImportInput, shell: ShellParser, options: ImportOptions = {}): ImportOutcome {
  if (input.bytes.length > MAX_RUNBOOK_BYTES) {
    const mb = (input.bytes.length / 1024 / 1024).toFixed(1);
    return { ok: false, error: { code: 'too_large', message: `the file is ${mb} MB; runbooks over 20 MB are refused` } };
  }
  const decoded = decodeRunbookBytes(input.bytes);
  if (!decoded.ok) return { ok: false, error: { code: 'not_text', message: decoded.message } };
  const { onProgress } = options;
  const chars = decoded.text.length;
  const total = Math.max(1, (PARSE_WEIGHT + 1) * chars);
  const tree = parseMarkdown(decoded.text, undefined, onProgress && ((parsed) => onProgress(PARSE_WEIGHT * parsed, total)));
  const builder = createBuilder({ text: decoded.text, path: input.path, shell, warnings: decoded.warnings });
  const runbook = builder.build(tree, sha256Hex(input.bytes), onProgress && ((built) => onProgress(PARSE_WEIGHT * chars + built, total)));
  onProgress?.(total, total);
  return { ok: true, runbook: Runbook.parse(runbook) };
}
