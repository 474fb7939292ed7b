/**
 * The runbook importer's public face: Markdown bytes in, a Runbook document model (or a clear refusal) out.
 */
export { importRunbook } from './import.js';
export type { ImportInput, ImportOptions, ImportOutcome, ImportRefusal } from './import.js';
export { createShellParser } from './shell.js';
export type { ShellParser, ShellGrammar } from './shell.js';
