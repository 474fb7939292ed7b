import type { Runbook } from '../model/runbook.js';
import type { ShellParser } from './shell.js';

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

/** Max input size: a runbook bigger than this is almost certainly not one. */
export const MAX_RUNBOOK_BYTES = 20 * 1024 * 1024;

export function importRunbook(_input: ImportInput, _shell: ShellParser): ImportOutcome {
  throw new Error('importer under construction');
}
