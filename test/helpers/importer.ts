// Test helper: a real tree-sitter bash parser (read from node_modules) and a one-call import of Markdown text.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Runbook, Section, Step } from '../../shared/model/runbook.js';
import { createShellParser, importRunbook, type ShellParser } from '../../shared/runbook/index.js';

let parser: Promise<ShellParser> | undefined;

export function shellParser(): Promise<ShellParser> {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve('tree-sitter-bash/package.json'));
  parser ??= createShellParser({ bashWasm: new Uint8Array(readFileSync(join(dir, 'tree-sitter-bash.wasm'))) });
  return parser;
}

export async function importText(markdown: string | Uint8Array, path = 'fixture.md'): Promise<Runbook> {
  const bytes = typeof markdown === 'string' ? new TextEncoder().encode(markdown) : markdown;
  const outcome = importRunbook({ path, bytes }, await shellParser());
  if (!outcome.ok) throw new Error(`import refused: ${outcome.error.message}`);
  return outcome.runbook;
}

export function allSections(sections: Section[]): Section[] {
  return sections.flatMap((s) => [s, ...allSections(s.sections)]);
}

export function allSteps(runbook: Runbook): Step[] {
  return allSections(runbook.sections).flatMap((s) => s.steps);
}

export function findSection(runbook: Runbook, title: string): Section {
  const s = allSections(runbook.sections).find((x) => x.title === title);
  if (!s) throw new Error(`no section "${title}" in ${allSections(runbook.sections).map((x) => x.title).join(', ')}`);
  return s;
}
