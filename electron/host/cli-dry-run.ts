/**
 * `opsdeck run --dry-run`: each step as its shell will receive it, from the same substitution the run service uses
 * (shared/exec/substitute.ts): the values as quoted environment assignments, then the script text as it will run.
 * A value never appears inside the command text, so a line copied from the preview cannot run a value as code.
 * Loaded only for a dry run: it brings the bash grammar (tree-sitter wasm) into the CLI process.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { singleQuote, substituteParams, type StepParam, type SubstituteResult } from '../../shared/exec/substitute.js';
import type { Param, Step } from '../../shared/model/runbook.js';
import { createShellParser, type ShellParser } from '../../shared/runbook/shell.js';
import type { CliIo, ParamValue } from './cli-run.js';

export interface DryRun {
  title: string;
  sectionTitle: string;
  /** The command steps that would run, in order, numbered among `total`. */
  steps: Array<{ step: Step; number: number }>;
  total: number;
  /** A resumed run's steps already done: not run again. */
  done: Step[];
  params: Param[];
  values: ReadonlyMap<string, ParamValue>;
  /** Parameters a run would read from the environment when not given (cli-run.ts fromEnvironment). */
  envNames: ReadonlySet<string>;
  /** Where the steps would run, as a sentence: "on this machine (box)", "on web-1". */
  where: string;
  /** On a host or a tag, `ssh user@server "cmd"` steps run `cmd` there. */
  remote: boolean;
  /** How a destructive step would be confirmed. */
  confirm: string;
}

/** Shown instead of a secret's value. */
const MASK = '••••';
/** Runs without a fresh-session or shell-options header use these (DEFAULT_STEP_SHELL, kept off zod's module here). */
const DEFAULT_SHELL = { errexit: true, pipefail: true, fresh: false };
const INTEGER = /^[+-]?[0-9]+$/;
/** Characters a terminal may act on (C0, DEL, C1) or that reorder what is shown (bidi controls): escaped, not printed. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what this finds
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Loads the bash grammar shipped in tree-sitter-bash, as the owner does (services/runbooks/shell-grammar.ts). */
async function loadParser(): Promise<ShellParser> {
  const packageJson = createRequire(import.meta.url).resolve('tree-sitter-bash/package.json');
  return createShellParser({ bashWasm: await readFile(join(dirname(packageJson), 'tree-sitter-bash.wasm')) });
}

/** A value as one shell word, safe to paste: single-quoted, or `$'...'` with escapes when it holds control characters. */
export function shellWord(value: string): string {
  if (!UNPRINTABLE.test(value)) return singleQuote(value);
  let out = "$'";
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\' || ch === "'") out += `\\${ch}`;
    else if (UNPRINTABLE.test(ch)) out += code < 0x80 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}'`;
}

/**
 * Stand-in values that can be told apart in the environment a substitution produces: fixed width, so one never holds
 * another; a whole number where the value is one (arithmetic accepts only those), a name otherwise.
 */
function tag(index: number, integer: boolean): string {
  const digits = String(index).padStart(6, '0');
  return integer ? `7${digits}7` : `Qopsdeck${digits}Q`;
}

interface Preview {
  script: string;
  /** Environment assignments as they would be made, secrets masked; missing values as comments. */
  lines: string[];
  missing: string[];
  /** Why the run service would refuse the step as filled in; null when it would run. */
  refused: string | null;
}

function previewStep(step: Step, source: string, params: readonly Param[], values: ReadonlyMap<string, ParamValue>, parser: ShellParser): Preview {
  const specs: StepParam[] = params
    .filter((p) => step.params.includes(p.name))
    .map((p) => ({ name: p.name, kind: p.kind, secret: p.secret, texts: [...new Set(p.occurrences.filter((o) => o.stepId === step.id).map((o) => o.text))] }));
  const valueOf = (p: StepParam): string => values.get(p.name)?.value ?? '';
  const missing = specs.filter((p) => valueOf(p) === '');
  const missingLines = missing.map((p) => `# missing: ${p.name} (${p.kind}${p.texts.length > 0 ? ` ${p.texts.join(', ')}` : ''})`);
  // Every value replaced by its stand-in: a name, or a whole number where the real value is one (or bash wants one).
  const integer = new Set(specs.filter((p) => INTEGER.test(valueOf(p))).map((p) => p.name));
  const tags = (): Record<string, string> => Object.fromEntries(specs.map((p, i) => [p.name, tag(i, integer.has(p.name))]));
  const withValues = (): SubstituteResult =>
    substituteParams(source, specs, { ...tags(), ...Object.fromEntries(specs.filter((p) => valueOf(p) !== '').map((p) => [p.name, valueOf(p)])) }, parser);
  let filled = withValues();
  const refusedMissing = filled.ok ? [] : filled.names.filter((n) => missing.some((p) => p.name === n));
  if (refusedMissing.length > 0) {
    for (const n of refusedMissing) integer.add(n);
    filled = withValues();
  }
  if (!filled.ok) return { script: source, lines: missingLines, missing: missing.map((p) => p.name), refused: filled.message };

  // The same substitution with every value a distinct stand-in says which variable holds which parameter.
  const stand = tags();
  const tagged = substituteParams(source, specs, stand, parser);
  const holder = (name: string): StepParam | undefined => {
    const held = tagged.ok ? tagged.value.env[name] : undefined;
    return held === undefined ? undefined : specs.find((p) => held.includes(stand[p.name] ?? '\u0000'));
  };
  const lines: string[] = [];
  const missingAs = new Map<StepParam, string[]>();
  for (const [name, value] of Object.entries(filled.value.env)) {
    const p = holder(name);
    if (p && missing.includes(p)) {
      if (p.name !== name) missingAs.set(p, [...(missingAs.get(p) ?? []), name]);
      continue;
    }
    // Not knowing which parameter a variable holds, a step with any secret shows every value masked.
    const secret = p ? p.secret : specs.some((s) => s.secret);
    const from = p ? values.get(p.name)?.from : undefined;
    const about = p ? `  # ${p.name}${p.name === name ? '' : ` (${p.texts.join(', ')})`}${secret ? ', secret' : ''}${from ? `, from ${from}` : ''}` : '';
    lines.push(`${name}=${secret ? MASK : shellWord(value)}${about}`);
  }
  const missingIn = missing.map((p, i) => `${missingLines[i] ?? ''}${missingAs.has(p) ? `, to be ${missingAs.get(p)?.join(', ')}` : ''}`);
  return { script: filled.value.script, lines: [...lines, ...missingIn], missing: missing.map((p) => p.name), refused: null };
}

export async function printDryRun(io: CliIo, plan: DryRun): Promise<void> {
  const parser = await loadParser();
  io.out(`Dry run: ${plan.title} › ${plan.sectionTitle}, ${plan.where} (nothing is run or recorded)\n`);
  if (plan.done.length > 0) io.out(`Resuming: ${plan.done.length} step${plan.done.length === 1 ? '' : 's'} already done, skipped: ${plan.done.map((s) => `"${s.title}"`).join(', ')}\n`);
  const missing = new Set<string>();
  let refused = 0;
  for (const { step, number } of plan.steps) {
    const danger = step.danger.level === 'safe' ? '' : `  [${step.danger.level}: ${step.danger.reasons.join('; ')}]`;
    io.out(`\n[${number}/${plan.total}] ${step.title}${danger}\n`);
    const onHost = plan.remote && step.remote !== null;
    const preview = previewStep(step, onHost && step.remote ? step.remote.command : step.script, plan.params, plan.values, parser);
    const shell = step.shell ?? DEFAULT_SHELL;
    const notes = [
      `# bash: ${shell.errexit ? 'errexit' : 'no errexit'}, ${shell.pipefail ? 'pipefail' : 'no pipefail'}, ${shell.fresh ? 'a fresh session' : "the section's session carried"}`,
      ...(onHost ? ["# the inner command of its ssh line, over Opsdeck's own connection"] : []),
      ...(step.danger.level === 'destructive' ? [`# destructive: ${plan.confirm}`] : []),
      ...(preview.refused ? [`# refused as filled in: ${preview.refused}`] : []),
    ];
    for (const n of preview.missing) missing.add(n);
    if (preview.refused) refused += 1;
    io.out(`${[...notes, ...preview.lines, preview.script].join('\n').replace(/^/gm, '    ')}\n`);
  }
  io.out('\nEach step runs with the assignments above in its environment: values reach the commands as variables, never as code.\n');
  if (missing.size > 0) {
    const how = [...missing].map((n) => `--param ${n}=VALUE${plan.envNames.has(n) ? ` or export ${n}` : ''}`);
    io.out(`Missing: ${[...missing].join(', ')}; a run needs ${how.join('; ')}.\n`);
  }
  if (refused > 0) io.out(`${refused} step${refused === 1 ? '' : 's'} would be refused as filled in (see "refused" above).\n`);
}
