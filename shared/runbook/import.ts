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

export function importRunbook(input: ImportInput, shell: ShellParser): ImportOutcome {
  if (input.bytes.length > MAX_RUNBOOK_BYTES) {
    const mb = (input.bytes.length / 1024 / 1024).toFixed(1);
    return { ok: false, error: { code: 'too_large', message: `the file is ${mb} MB; runbooks over 20 MB are refused` } };
  }
  const decoded = decodeRunbookBytes(input.bytes);
  if (!decoded.ok) return { ok: false, error: { code: 'not_text', message: decoded.message } };
  const tree = parseMarkdown(decoded.text);
  const builder = createBuilder({ text: decoded.text, path: input.path, shell, warnings: decoded.warnings });
  const runbook = builder.build(tree, sha256Hex(input.bytes));
  return { ok: true, runbook: Runbook.parse(runbook) };
}
