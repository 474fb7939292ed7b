/**
 * Fills a step's parameters before it runs. Values are never pasted into the script: each occurrence becomes a
 * reference to an environment variable holding the value, written for the quoting it lands in (see placement.ts),
 * so a value can never become code and never splits or joins arguments.
 *
 * What the caller can rely on:
 * - `"${OPSDECK_P1}"` for a bare word or part of one, `${OPSDECK_P1}` inside "..." and unquoted heredocs,
 *   `'"${OPSDECK_P1}"'` inside '...'; occurrences in comments stay as written.
 * - When another shell parses the text again (`ssh host "..."`, `bash -c`, `su -c`, `eval`, `watch`, `trap`, a heredoc
 *   or here-string fed to a shell), the variable holds the value already quoted for that shell, once per extra level.
 * - `$VAR` parameters keep their own name in the environment and are only rewritten where another shell re-reads them.
 * - Refused: missing or empty values; values holding a line break or NUL; values inside quoted heredocs (<<'EOF':
 *   nothing expands there, even when the heredoc is plain data), `$'...'`, `${...}`, names of variables or functions;
 *   non-integers where bash evaluates arithmetic, non-names where it reads a variable name; a leading `-` for ssh
 *   destinations and host parameters; values echoed into a shell, captured by `$(...)` whose output a shell runs, or
 *   fed to crontab; more than three nested shells; steps that do not parse. `$VAR` names bash reads as code (BASH_ENV,
 *   PATH, LD_*, ...) cannot be set. Elsewhere a value starting with `-` arrives as exactly one argument, which the
 *   command may read as an option; a value in command position names the program to run, as the runbook intends.
 * - Limits: other languages are not quoted for (`python -c`, `psql -c`, `awk` programs, a heredoc fed to python get
 *   the value as text); a value stored in a variable and later `eval`ed, or written to a file that is later run, is not
 *   followed; expansions the step's own shell performs inside a twice-read argument are assumed to produce no quotes.
 *   Remote shells are assumed to be POSIX-like (sh, bash, zsh, dash). A value sent through ssh is on the remote
 *   command line, visible to `ps` there.
 */
import type { ParamKind } from '../model/runbook.js';
import type { ShellParser } from '../runbook/shell.js';
import { placeMarker, Refused, type Context } from './placement.js';

export interface Substitution {
  script: string;
  env: Record<string, string>;
}

export type SubstituteResult =
  | { ok: true; value: Substitution }
  | { ok: false; code: 'missing_params' | 'invalid_param'; message: string; names: string[] };

export interface StepParam {
  name: string;
  kind: ParamKind;
  secret: boolean;
  /** Occurrences exactly as written in the step (`<run-id>`, `${{ secrets.X }}`, `$INSTANCE_ID`). */
  texts: string[];
}

const ENV_PREFIX = 'OPSDECK_P';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const INTEGER = /^[+-]?[0-9]+$/;
const ALNUM = /^[A-Za-z0-9]$/;
/** Names whose value bash or the loader runs as code or uses to find code; a runbook variable may not set them. */
const UNSAFE_ENV = /^(BASH_ENV|ENV|SHELLOPTS|BASHOPTS|PS4|PROMPT_COMMAND|IFS|PATH|CDPATH|GLOBIGNORE|EXECIGNORE|BASH_XTRACEFD|LD_\w*|DYLD_\w*|BASH_FUNC_\w*|OPSDECK_\w*)$/;
/** Kinds whose values are host names, which never start with `-`. */
const HOST_KINDS: ReadonlySet<ParamKind> = new Set(['ssh-target', 'example-host']);

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}

/** POSIX single quoting: the text as one word, nothing in it special. */
export function singleQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Text that, placed in `ctx` of a script a shell parses, yields exactly `text` (line breaks never reach here). */
function literal(ctx: Context, text: string): string {
  switch (ctx) {
    case 'bare':
      return singleQuote(text);
    case 'double':
      return `"${singleQuote(text)}"`;
    case 'single':
      return `'${singleQuote(text)}'`;
    case 'arith':
    case 'comment':
      return text;
    case 'heredoc':
      throw new Refused('it is inside a heredoc within a script that another shell runs');
    default:
      return assertNever(ctx);
  }
}

/** A reference to the environment variable `name`, written for `ctx` in the step's own script. */
function reference(ctx: Context, name: string): string {
  switch (ctx) {
    case 'bare':
      return `"\${${name}}"`;
    case 'single':
      return `'"\${${name}}"'`;
    case 'double':
    case 'heredoc':
    case 'arith':
      return `\${${name}}`;
    case 'comment':
      throw new Error('comments keep their text');
    default:
      return assertNever(ctx);
  }
}

interface Occurrence {
  param: number;
  /** The text as written, kept where nothing is substituted (comments, `$VAR` read by the step's own shell). */
  text: string;
  start: number;
  end: number;
}

/** Whether `script[start, end)` is a whole token, not the middle of a longer word (`CHANGEME` in `CHANGEMENOW`). */
function standsAlone(script: string, start: number, end: number): boolean {
  const edge = (inside: string | undefined, outside: string | undefined): boolean =>
    inside !== undefined && outside !== undefined && ALNUM.test(inside) && ALNUM.test(outside);
  return !edge(script[start], script[start - 1]) && !edge(script[end - 1], script[end]);
}

/** Every occurrence of the params' texts, longest text first so `${{ secrets.X }}` is never half-replaced; overlaps skipped. */
function findTexts(script: string, params: readonly StepParam[]): Occurrence[] {
  const texts = params.flatMap((p, param) => (p.kind === 'variable' ? [] : p.texts.filter((t) => t !== '').map((text) => ({ param, text }))));
  texts.sort((a, b) => b.text.length - a.text.length);
  const found: Occurrence[] = [];
  for (const { param, text } of texts) {
    for (let at = script.indexOf(text); at >= 0; at = script.indexOf(text, at + 1)) {
      const end = at + text.length;
      if (!standsAlone(script, at, end) || found.some((o) => at < o.end && end > o.start)) continue;
      found.push({ param, text, start: at, end });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** A word made of letters and digits, absent from `script`, that stands in for value number `k` while parsing. */
function markerMaker(script: string): (k: number) => string {
  let prefix = 'QopsdeckMark';
  while (script.includes(prefix)) prefix += 'Q';
  return (k) => `${prefix}${k}Q`;
}

function replaceRanges(script: string, ranges: ReadonlyArray<{ start: number; end: number; with: string }>): string {
  let out = '';
  let at = 0;
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    out += script.slice(at, r.start) + r.with;
    at = r.end;
  }
  return out + script.slice(at);
}

/** `$NAME` and `${NAME}` expansions of variable parameters, found in the tree so `'$X'`, `\$X` and `$XY` are left alone. */
function findVariables(marked: string, params: readonly StepParam[], parser: ShellParser): Occurrence[] {
  const byName = new Map(params.flatMap((p, i) => (p.kind === 'variable' ? [[p.name, i] as const] : [])));
  if (byName.size === 0) return [];
  const tree = parser.parse(marked);
  try {
    const found: Occurrence[] = [];
    for (const node of tree.rootNode.descendantsOfType(['simple_expansion', 'expansion'])) {
      const name = node ? /^\$(?:\{(\w+)\}|(\w+))$/.exec(node.text) : null;
      const param = name ? byName.get(name[1] ?? name[2] ?? '') : undefined;
      if (node && param !== undefined) found.push({ param, text: node.text, start: node.startIndex, end: node.endIndex });
    }
    return found;
  } finally {
    tree.delete();
  }
}

const refusal = (code: 'missing_params' | 'invalid_param', message: string, names: string[]): SubstituteResult =>
  ({ ok: false, code, message, names });

/** Fills a step's parameters so that a value can never become code and never splits or joins arguments. */
export function substituteParams(
  script: string,
  params: Array<{ name: string; kind: ParamKind; secret: boolean; texts: string[] }>,
  values: Record<string, string>,
  parser: ShellParser,
): SubstituteResult {
  const valueOf = (p: StepParam): string => (Object.hasOwn(values, p.name) ? values[p.name] ?? '' : '');
  const missing = params.filter((p) => valueOf(p) === '').map((p) => p.name);
  if (missing.length > 0) return refusal('missing_params', `Fill in ${missing.join(', ')} before running this step.`, missing);
  const multiline = params.filter((p) => /[\n\r\0]/.test(valueOf(p))).map((p) => p.name);
  if (multiline.length > 0) {
    return refusal('invalid_param', `A value must be a single line without NUL characters: ${multiline.join(', ')}.`, multiline);
  }
  const badNames = params.filter((p) => p.kind === 'variable' && (!IDENTIFIER.test(p.name) || UNSAFE_ENV.test(p.name))).map((p) => p.name);
  if (badNames.length > 0) {
    return refusal('invalid_param', `These variables cannot be set for a step, bash would read them as code or paths to code: ${badNames.join(', ')}.`, badNames);
  }

  const env: Record<string, string> = {};
  for (const p of params) if (p.kind === 'variable') env[p.name] = valueOf(p);

  // Each occurrence becomes a marker word: the parse then sees what bash will see once references replace the markers.
  const marker = markerMaker(script);
  const texts = findTexts(script, params);
  const marked1 = replaceRanges(script, texts.map((o, k) => ({ ...o, with: marker(k) })));
  const variables = findVariables(marked1, params, parser);
  const occurrences = [...texts, ...variables];
  const marked = replaceRanges(marked1, variables.map((o, k) => ({ ...o, with: marker(texts.length + k) })));
  if (occurrences.length === 0) return { ok: true, value: { script, env } };

  const refused = new Map<string, string>();
  const names = new Map<string, string>();
  const replacements = new Map<string, string>();
  occurrences.forEach((o, k) => {
    const p = params[o.param];
    if (!p || refused.has(p.name)) return;
    const value = valueOf(p);
    try {
      const place = placeMarker(parser, marked, marker(k));
      const [outer = 'bare', ...inner] = place.chain;
      if (place.integer && !INTEGER.test(value)) throw new Refused('bash evaluates it as arithmetic there, so it must be a whole number');
      if (place.identifier && !IDENTIFIER.test(value)) throw new Refused('it names a variable there, so it must be letters, digits and _');
      if ((place.notOption || HOST_KINDS.has(p.kind)) && value.startsWith('-')) throw new Refused('a host name cannot start with "-"');
      if (outer === 'comment' || (p.kind === 'variable' && inner.length === 0)) {
        replacements.set(marker(k), o.text);
        return;
      }
      const held = inner.reduceRight((text, ctx) => literal(ctx, text), value);
      const key = `${o.param}\u0000${held}`;
      const name = names.get(key) ?? `${ENV_PREFIX}${names.size + 1}`;
      names.set(key, name);
      env[name] = held;
      replacements.set(marker(k), reference(outer, name));
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      refused.set(p.name, `${p.name}: ${error.message}.`);
    }
  });
  if (refused.size > 0) {
    return refusal('invalid_param', `Cannot place these values safely. ${[...refused.values()].join(' ')}`, [...refused.keys()]);
  }

  const out = occurrences.reduce((text, _o, k) => text.replace(marker(k), () => replacements.get(marker(k)) ?? ''), marked);
  const check = parser.parse(out);
  try {
    if (check.rootNode.hasError) return refusal('invalid_param', 'The filled-in step does not parse as shell.', params.map((p) => p.name));
  } finally {
    check.delete();
  }
  return { ok: true, value: { script: out, env } };
}
