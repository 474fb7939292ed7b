/**
 * A command step as text to paste into a terminal, its parameter values written in literally. Running a step puts
 * values in environment variables (shared/exec/substitute.ts); a pasted command has no such side channel, so each
 * value is quoted for exactly where it lands. The step goes through substituteParams first: it finds every
 * occurrence, follows it into shells that read it again, refuses what cannot be placed safely, and quotes the value for
 * those inner shells. This module then replaces each environment reference in that output with the value, quoted for
 * the step's own shell: what renders is what would run.
 *
 * Quoting for a person's interactive shell: single quotes wherever `!` could trigger history expansion (inside "..."
 * a value with `!` leaves the double quotes for a moment). Refused on top of what substituteParams refuses: secret
 * values (pasted text is shown, kept in shell history and recorded), control characters (a pasted tab completes,
 * ESC starts a key sequence), a heredoc line that would contain its own delimiter, and inside backticks a value whose
 * quoting would need a backslash or a backtick. `$VAR` parameters that a nested shell reads (`bash -c 'echo $VAR'`,
 * `${VAR:-x}`) cannot be filled in place: an `export VAR='value'` line in front sets them, in the operator's shell too.
 * Assumes a POSIX-like interactive shell (bash, zsh, dash).
 *
 * The comment lines a step starts with (its header, `# 1. Check health`, which names it in the checklist) are left
 * out: they would make a one-line command two lines, which a shell without bracketed paste runs line by line (so the
 * renderer will not paste it), and zsh without `interactive_comments` runs `#` as a command.
 */
import { ContractError } from '../../../shared/contract/errors.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import { singleQuote, substituteParams } from '../../../shared/exec/substitute.js';
import type { ShellNode, ShellParser } from '../../../shared/runbook/shell.js';
import { sectionSteps } from '../runs/run-state.js';

export interface RenderRequest {
  stepId: string;
  params: Record<string, string>;
  useRemoteHint?: boolean | undefined;
}

/** C0 and C1 controls and DEL: a terminal acts on them instead of inserting them (line breaks are refused by substituteParams). */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}
const REFERENCE = /^\$(?:\{(\w+)\}|(\w+))$/;
const ENV_PREFIX = /OPSDECK_P\d/;

type Where = 'bare' | 'double' | 'heredoc' | 'arith';

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** A value that cannot be written in literally where it lands; `culprit` tells which values are to blame. */
class Unplaceable extends Error {
  constructor(message: string, readonly culprit: (value: string) => boolean) {
    super(message);
  }
}

export function renderStep(detail: RunDetail, request: RenderRequest, parser: ShellParser): string {
  const step = sectionSteps(detail.section).find((s) => s.id === request.stepId);
  if (!step) throw new ContractError('not_found', `no step ${request.stepId} in section "${detail.section.title}"`);
  if (step.kind !== 'command') throw new ContractError('invalid_input', `"${step.title}" is a ${step.kind} step: only command steps render`);
  if (request.useRemoteHint && !step.remote) throw new ContractError('invalid_input', `"${step.title}" has no ssh command to run on a host`);
  const source = request.useRemoteHint && step.remote ? step.remote.command : step.script;
  const specs = detail.params
    .filter((p) => step.params.includes(p.name))
    .map((p) => ({ name: p.name, kind: p.kind, secret: p.secret, texts: [...new Set(p.occurrences.filter((o) => o.stepId === step.id).map((o) => o.text))] }));
  const values = Object.fromEntries(Object.entries(request.params).filter(([k]) => step.params.includes(k)));

  const secrets = specs.filter((s) => s.secret).map((s) => s.name);
  if (secrets.length > 0) {
    throw new ContractError('invalid_param', `${secrets.join(', ')}: secret values are not pasted into terminals, where they would be shown, kept in `
      + 'shell history and recorded. Run the step instead, or type the secret where the command asks for it.');
  }
  const sub = substituteParams(source, specs, values, parser);
  if (!sub.ok) {
    if (sub.code === 'missing_params') throw new ContractError('missing_params', `Fill in ${sub.names.join(', ')} to render this step.`);
    throw new ContractError(sub.code, sub.message);
  }
  const controls = specs.filter((s) => hasControl(values[s.name] ?? '')).map((s) => s.name);
  if (controls.length > 0) {
    throw new ContractError('invalid_param', `A value pasted into a terminal cannot hold control characters (tab, escape...): ${controls.join(', ')}.`);
  }
  const { script, env } = sub.value;
  if (Object.keys(env).some((n) => ENV_PREFIX.test(n)) && ENV_PREFIX.test(source)) {
    throw new ContractError('invalid_param', 'The step uses variables named OPSDECK_P..., which Opsdeck reserves for parameter values.');
  }

  const tree = parser.parse(script);
  let text: string;
  try {
    const edits: Edit[] = [];
    for (const node of tree.rootNode.descendantsOfType(['simple_expansion', 'expansion'])) {
      const m = node ? REFERENCE.exec(node.text) : null;
      const name = m ? (m[1] ?? m[2] ?? '') : '';
      if (node && Object.hasOwn(env, name)) edits.push(literalEdit(node, env[name] ?? ''));
    }
    text = applyEdits(script, edits);
  } catch (error) {
    if (!(error instanceof Unplaceable)) throw error;
    const names = specs.filter((s) => error.culprit(values[s.name] ?? '')).map((s) => s.name);
    throw new ContractError('invalid_param', `${names.length > 0 ? `${names.join(', ')}: ` : ''}${error.message}`);
  } finally {
    tree.delete();
  }

  const check = parser.parse(text);
  try {
    if (check.rootNode.hasError) throw new ContractError('invalid_param', 'The filled-in step does not parse as shell.');
  } finally {
    check.delete();
  }
  // `$VAR` parameters read where no reference was visible (`bash -c 'echo $VAR'`, `${VAR:-x}`, `(( VAR > 1 ))`): the
  // running step has them in its environment, so the pasted text sets them first.
  const exports = specs
    .filter((s) => s.kind === 'variable' && new RegExp(`(?<![A-Za-z0-9_])${s.name}(?![A-Za-z0-9_])`).test(text))
    .map((s) => `export ${s.name}=${singleQuote(values[s.name] ?? '')}\n`);
  return exports.join('') + withoutLeadingComments(text);
}

/** `text` from its first line that is neither blank nor a comment; all of it when every line is one. */
export function withoutLeadingComments(text: string): string {
  const lines = text.split('\n');
  const first = lines.findIndex((line) => !/^\s*(?:#.*)?$/.test(line));
  return first <= 0 ? text : lines.slice(first).join('\n');
}

/** Where the reference `node` sits in the step's own shell, and the text that yields `value` there. */
function literalEdit(node: ShellNode, value: string): Edit {
  let where: Where | null = null;
  let string: ShellNode | null = null;
  let heredoc: ShellNode | null = null;
  let backticks = 0;
  /** Backticks inside "...": bash finds the end of the string first, reading `$(` and `${` even inside the backticks' quotes. */
  let quotedBackticks = false;
  for (let n = node.parent; n; n = n.parent) {
    if (n.type === 'command_substitution' && n.text.startsWith('`')) backticks += 1;
    if (backticks > 0 && n.type === 'string') quotedBackticks = true;
    if (where !== null) continue;
    if (n.type === 'string') {
      where = 'double';
      string = n;
    } else if (n.type === 'heredoc_body') {
      where = 'heredoc';
      heredoc = n.parent;
    } else if (n.type === 'arithmetic_expansion' || n.type === 'subscript' || n.type === 'c_style_for_statement' || (n.type === 'compound_statement' && n.child(0)?.text === '((')) {
      where = 'arith';
    } else if (n.type === 'command_substitution' || n.type === 'process_substitution') {
      where = 'bare';
    }
  }
  const edit = place(where ?? 'bare', node, value, string, heredoc);
  // Backticks undo a level of backslashes in their text before parsing it, which neither people nor tree-sitter
  // follow well: a value whose quoting needs a backslash or a backtick there is refused rather than escaped.
  if (backticks > 0 && (/[\\`]/.test(edit.text) || (quotedBackticks && edit.text.includes('$')))) {
    throw new Unplaceable('a value inside backticks (`...`) cannot hold quotes, backslashes, backticks or, within "...", a $ when pasted; '
      + 'the runbook could use $(...) instead', (v) => /['"\\`$!]/.test(v));
  }
  return edit;
}

function place(where: Where, node: ShellNode, value: string, string: ShellNode | null, heredoc: ShellNode | null): Edit {
  const at = { start: node.startIndex, end: node.endIndex };
  switch (where) {
    case 'bare':
      return { ...at, text: singleQuote(value) };
    case 'arith':
      // Only integers get here (substituteParams checks); parentheses keep `3-${N}` with N=-1 from reading as `3--1`.
      return { ...at, text: /^[+-]/.test(value) ? `(${value})` : value };
    case 'heredoc': {
      const delimiter = heredoc?.namedChildren.find((c) => c?.type === 'heredoc_start')?.text.replace(/^-/, '') ?? '';
      if (delimiter !== '' && value.includes(delimiter)) {
        throw new Unplaceable(`a value inside a heredoc cannot contain its end marker ${delimiter}`, (v) => v.includes(delimiter));
      }
      return { ...at, text: value.replace(/[\\`$]/g, '\\$&') };
    }
    case 'double':
      if (string && string.namedChildren.length === 1 && string.text === `"${node.text}"`) return alone(string, value);
      // Backslashes would do, except for `!`: interactive bash expands history inside "..." and keeps the backslash.
      return { ...at, text: value.includes('!') ? `"${singleQuote(value)}"` : value.replace(/[\\`$"]/g, '\\$&') };
    default:
      return assertNever(where);
  }
}

/** `"${P}"` standing alone becomes `'value'`, merged into single-quoted neighbours: `'pre '"${P}"' post'` -> `'pre value post'`. */
function alone(string: ShellNode, value: string): Edit {
  const adjacent = (n: ShellNode | null, at: number, end: 'start' | 'end'): boolean =>
    n?.type === 'raw_string' && (end === 'end' ? n.endIndex === at : n.startIndex === at);
  const before = adjacent(string.previousSibling, string.startIndex, 'end');
  const after = adjacent(string.nextSibling, string.endIndex, 'start');
  const inner = value.replaceAll("'", `'\\''`);
  return {
    start: string.startIndex - (before ? 1 : 0),
    end: string.endIndex + (after ? 1 : 0),
    text: `${before ? '' : "'"}${inner}${after ? '' : "'"}`,
  };
}

function applyEdits(text: string, edits: readonly Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of [...edits].sort((a, b) => a.start - b.start)) {
    if (e.start < at) throw new Error('overlapping edits while rendering a step');
    out += text.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + text.slice(at);
}

function assertNever(value: never): never {
  throw new Error(`unexpected ${String(value)}`);
}
