/**
 * How a command step's shell runs (errexit, pipefail, a fresh shell or the section's carried session), read from the
 * runbook's front matter and from the step's header comment. There is no YAML or TOML library here on purpose: only
 * these few `key: value` lines matter, and a runbook's front matter is otherwise left alone.
 *
 * Front matter, for every command step of the runbook (YAML `key: value`, or TOML `key = value`):
 *   opsdeck-errexit: false     a failing command does not end the step (default true: it does)
 *   opsdeck-pipefail: false    a pipeline fails only when its last command does (default true: when any part does)
 *   opsdeck-session: fresh     each step runs in a new shell (default `carried`: the section's session goes on)
 * or the same keys without the prefix in an `opsdeck:` map (YAML, indented or `{ ... }`), an `[opsdeck]` table or
 * `opsdeck.errexit = false` (TOML). Booleans: true/false, yes/no, on/off.
 *
 * A step's header comment (the comment lines its script starts with) overrides them for that step:
 *   # opsdeck: no-errexit, no-pipefail, fresh-shell
 * words separated by spaces or commas; `errexit`, `pipefail` and `carried-shell` undo a front-matter default; a
 * later word wins over an earlier one. The line stays in the script (it is a comment). Unknown keys, values and words,
 * and a directive below the header (where it would do nothing), give import warnings.
 */
import type { ImportWarning, StepShell } from '../model/runbook.js';

type Setting = Partial<StepShell>;

const KEYS = ['errexit', 'pipefail', 'session'] as const;
type Key = (typeof KEYS)[number];

const WORDS: ReadonlyMap<string, Setting> = new Map([
  ['no-errexit', { errexit: false }],
  ['errexit', { errexit: true }],
  ['no-pipefail', { pipefail: false }],
  ['pipefail', { pipefail: true }],
  ['fresh-shell', { fresh: true }],
  ['carried-shell', { fresh: false }],
]);

const TRUE = /^(true|yes|on)$/i;
const FALSE = /^(false|no|off)$/i;

/** Lower-case only: "# Opsdeck: ..." in a comment is more likely prose about the tool than a directive. */
const DIRECTIVE = /^\s*#+\s*opsdeck\s*:(.*)$/;

function unquote(value: string): string {
  const v = value.trim();
  const quoted = /^(["'])(.*)\1$/.exec(v);
  return quoted ? (quoted[2] ?? '') : v.replace(/(^|\s+)#.*$/, '').trim();
}

/** One `key` = `value` of the opsdeck settings into `into`; a warning for a key or value it does not know. */
function apply(key: string, raw: string, line: number, shown: string, into: Setting, warnings: ImportWarning[]): void {
  const value = unquote(raw);
  const k = key.toLowerCase() as Key;
  if (!KEYS.includes(k)) {
    warnings.push({ line, message: `front matter "${shown}": unknown opsdeck setting "${key}" (known: ${KEYS.join(', ')})` });
    return;
  }
  if (k === 'session') {
    if (/^fresh$/i.test(value)) into.fresh = true;
    else if (/^carried$/i.test(value)) into.fresh = false;
    else warnings.push({ line, message: `front matter "${shown}": ${key} must be fresh or carried; the section's session is carried` });
    return;
  }
  if (TRUE.test(value)) into[k] = true;
  else if (FALSE.test(value)) into[k] = false;
  else warnings.push({ line, message: `front matter "${shown}": ${key} must be true or false; ${k} stays on` });
}

/** `{ a: 1, b: 2 }` (YAML flow map) or `{ a = 1, b = 2 }` (TOML inline table) as key/value pairs. */
function inlineMap(value: string, sep: ':' | '='): Array<[string, string]> | null {
  const m = /^\{(.*)\}\s*(?:#.*)?$/.exec(value.trim());
  if (!m) return null;
  return (m[1] ?? '')
    .split(',')
    .map((pair) => pair.split(sep))
    .filter((kv) => kv.length >= 2 && (kv[0] ?? '').trim() !== '')
    .map((kv) => [(kv[0] ?? '').trim(), kv.slice(1).join(sep)]);
}

/**
 * The opsdeck settings of a front matter block (`text` without its fences), whose first line is `firstLine` of the
 * file. Lines that are not opsdeck settings are ignored.
 */
export function readFrontMatterShell(text: string, format: 'yaml' | 'toml', firstLine: number): { shell: Setting; warnings: ImportWarning[] } {
  const shell: Setting = {};
  const warnings: ImportWarning[] = [];
  const sep = format === 'yaml' ? ':' : '=';
  /** Inside `opsdeck:` (YAML, indented lines) or `[opsdeck]` (TOML, until the next table). */
  let inMap = false;
  /** Inside another TOML table, where `opsdeck-errexit` would be that table's key, not ours. */
  let inOther = false;
  text.split('\n').forEach((line, i) => {
    const lineNo = firstLine + i;
    if (line.trim() === '' || /^\s*#/.test(line)) return;
    if (format === 'toml' && /^\s*\[/.test(line)) {
      inMap = /^\s*\[\s*opsdeck\s*\]\s*(#.*)?$/.test(line);
      inOther = !inMap;
      return;
    }
    // Indentation means nesting in YAML only; TOML tables end at the next [table].
    const indented = format === 'yaml' && /^\s/.test(line);
    if (format === 'yaml' && !indented) inMap = false;
    const kv = new RegExp(`^\\s*([\\w.-]+)\\s*${sep}\\s?(.*)$`).exec(line);
    if (!kv) return;
    const key = kv[1] ?? '';
    const value = kv[2] ?? '';
    const shown = line.trim();
    if (inMap && (format === 'toml' || indented)) {
      apply(key, value, lineNo, shown, shell, warnings);
      return;
    }
    if (indented || inOther) return;
    const prefixed = /^opsdeck[-.](.+)$/i.exec(key);
    if (prefixed?.[1]) {
      apply(prefixed[1], value, lineNo, shown, shell, warnings);
    } else if (/^opsdeck$/i.test(key)) {
      const pairs = inlineMap(value, sep);
      if (pairs) pairs.forEach(([k, v]) => apply(k, v, lineNo, shown, shell, warnings));
      else if (format === 'yaml' && unquote(value) === '') inMap = true;
    }
  });
  return { shell, warnings };
}

export interface StepDirectives {
  shell: Setting;
  /** Rows (in the script) and texts of words that are not directives, and of directives outside the header. */
  problems: Array<{ row: number; message: string }>;
}

/** The `# opsdeck: ...` directives in the comment lines a step's script starts with (blank lines among them allowed). */
export function readStepDirectives(script: string): StepDirectives {
  const shell: Setting = {};
  const problems: StepDirectives['problems'] = [];
  let header = true;
  script.split('\n').forEach((line, row) => {
    if (header && line.trim() !== '' && !/^\s*#/.test(line)) header = false;
    const m = DIRECTIVE.exec(line);
    if (!m) return;
    if (!header) {
      problems.push({ row, message: `"${line.trim()}" is ignored: opsdeck directives work only in the comment lines a step starts with` });
      return;
    }
    const words = (m[1] ?? '').split(/[\s,]+/).filter((w) => w !== '');
    const unknown = words.filter((w) => !WORDS.has(w.toLowerCase()));
    for (const w of words) Object.assign(shell, WORDS.get(w.toLowerCase()) ?? {});
    if (unknown.length > 0) {
      const list = unknown.map((w) => `"${w}"`).join(', ');
      problems.push({ row, message: `unknown opsdeck directive ${list} (known: ${[...WORDS.keys()].join(', ')})` });
    }
  });
  return { shell, problems };
}

/** Is this comment line an opsdeck directive rather than prose (so never a step's title)? */
export function isDirective(comment: string): boolean {
  return DIRECTIVE.test(comment);
}
