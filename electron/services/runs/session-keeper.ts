/**
 * The section sessions of runs: what a run's command steps carry from one to the next on each target (this machine,
 * or each host), kept in memory for the steps this process runs and recorded with each attempt that succeeded, so
 * that a resumed run (in another process, after a restart) carries on from the last recorded state. Secret values
 * never reach the record: a variable holding one is carried in memory only and shown masked.
 */
import type { Attempt, SessionState } from '../../../shared/contract/schemas.js';
import { DEFAULT_STEP_SHELL, type Step } from '../../../shared/model/runbook.js';
import type { ShellParser } from '../../../shared/runbook/shell.js';
import type { RunEventRow } from '../store/run-store.js';
import {
  carriedName, createStateFilter, displayValue, newNonce, optionLine, optionsOn, parseDeclarations, parseOptions, shellQuote, wrapStep,
  type Blocks, type Declaration,
} from './step-shell.js';

const MASK = '••••';

interface Carry {
  vars: Map<string, { decl: Declaration; secret: boolean }>;
  unset: Set<string>;
  options: Map<string, string>;
  functions: string;
  functionNames: string[];
  cwd: string | null;
}

/** What an attempt's end records of its session: `carry` (no secret in it) restores it after a restart. */
export interface RecordedCarry {
  vars: string[];
  unset: string[];
  options: string[];
  functions: string;
  cwd: string | null;
}

/** A step wrapped for one target: the script to run, the stdout filter, and what its end records. */
export interface PreparedShell {
  script: string;
  shell: NonNullable<Attempt['shell']>;
  /** Cuts the state report out of stdout; returns what to show. */
  filter(data: string): string;
  /** The step ended: stdout held back, and the attempt.ended fields (failed command, session, carry). */
  finish(exitCode: number | null, succeeded: boolean): { rest: string; data: Record<string, unknown>; notices: string[] };
}

const emptyCarry = (): Carry => ({ vars: new Map(), unset: new Set(), options: new Map(), functions: '', functionNames: [], cwd: null });

function restoreScript(carry: Carry): { vars: string; options: string } {
  const lines: string[] = [];
  if (carry.cwd !== null) {
    const dir = shellQuote(carry.cwd);
    // A step must not run elsewhere than where the last one left off (`rm -rf ./build` in the wrong tree).
    lines.push(`cd -- ${dir} 2>/dev/null || { printf 'opsdeck: cannot return to %s, where the last step ended: it is gone or not accessible\\n' ${dir} >&2; exit 1; }`);
  }
  for (const { decl } of carry.vars.values()) lines.push(decl.statement);
  if (carry.unset.size > 0) lines.push(`unset -v ${[...carry.unset].join(' ')}`);
  if (carry.functions) lines.push(carry.functions);
  return { vars: lines.join('\n'), options: [...carry.options.values()].join('\n') };
}

/** Function names in declare -f output: each definition starts `name () ` on a line of its own. */
function functionNames(text: string): string[] {
  return [...text.matchAll(/^(\S+) \(\) $/gm)].map((m) => m[1] ?? '');
}

function fromRecord(rec: RecordedCarry): Carry {
  const decls = parseDeclarations(rec.vars.join('\n'));
  return {
    vars: new Map([...decls.values()].map((d) => [d.name, { decl: d, secret: false }])),
    unset: new Set(rec.unset),
    options: parseOptions(rec.options.join('\n')),
    functions: rec.functions,
    functionNames: functionNames(rec.functions),
    cwd: rec.cwd,
  };
}

/** The command of `line` that failed: the stage of a pipeline whose status was not 0, else what bash reported. */
function failedCommandOf(parser: ShellParser, script: string, line: number, statuses: number[], reported: string): string {
  if (statuses.length > 1) {
    const tree = parser.parse(script);
    try {
      let found: string | null = null;
      const visit = (node: ReturnType<typeof tree.rootNode.child>): void => {
        if (!node || found !== null) return;
        if (node.type === 'pipeline' && node.startPosition.row <= line - 1 && line - 1 <= node.endPosition.row) {
          const stages = node.namedChildren.filter((c) => c !== null && c.type !== 'comment');
          if (stages.length === statuses.length) {
            // The stage that made the pipeline fail: the last non-zero one that SIGPIPE did not stop (a writer
            // stopped because its reader failed is not the cause).
            const real = statuses.findLastIndex((s) => s !== 0 && s !== 141);
            const bad = real >= 0 ? real : statuses.findLastIndex((s) => s !== 0);
            if (bad >= 0) found = stages[bad]?.text ?? null;
            return;
          }
        }
        for (const child of node.namedChildren) visit(child);
      };
      visit(tree.rootNode);
      if (found !== null) return found;
    } finally {
      tree.delete();
    }
  }
  return reported;
}

export interface SessionKeeperDeps {
  shell: ShellParser;
  now(): string;
  /** A run's events, to find the state last recorded when this process holds none (a resumed run). */
  events(runId: string): readonly RunEventRow[];
}

export type SessionKeeper = ReturnType<typeof createSessionKeeper>;

/**
 * A variable's statement longer than this is not carried: the whole session travels as the `bash -c` argument,
 * which Linux limits to 128 KiB (a `PODS=$(kubectl get pods -A -o json)` would stop every later step).
 */
const MAX_CARRIED_BYTES = 32 * 1024;
/** All carried variables together, leaving room in that limit for the step's own script and functions. */
const MAX_SESSION_BYTES = 64 * 1024;
/** The wrapper sets these itself from each step's own settings: a step's `set +e` is not carried to the next. */
const OWN_OPTIONS = new Set(['o:errexit', 'o:pipefail', 'o:errtrace']);

/** A value as bash's declare -p double-quotes it. */
const doubleQuoted = (value: string): string => value.replace(/[\\"$`]/g, (c) => `\\${c}`);

/** How many runs' sessions are kept in memory: the ones running now and recent ones. */
const RUNS_KEPT = 256;

export function createSessionKeeper(deps: SessionKeeperDeps) {
  const runs = new Map<string, Map<string, Carry>>();
  /** Every secret value each run was given, by any step: a later step that copies one must not record it. */
  const secrets = new Map<string, Set<string>>();

  const carryOf = (runId: string, where: string): Carry => {
    let sessions = runs.get(runId);
    if (!sessions) {
      sessions = new Map();
      runs.set(runId, sessions);
      if (runs.size > RUNS_KEPT) runs.delete(runs.keys().next().value as string);
    }
    let carry = sessions.get(where);
    if (!carry) {
      const last = deps.events(runId).findLast((e) => e.type === 'attempt.ended' && e.data.carry && (e.data.session as SessionState | undefined)?.where === where);
      carry = last ? fromRecord(last.data.carry as RecordedCarry) : emptyCarry();
      sessions.set(where, carry);
    }
    return carry;
  };

  const advance = (carry: Carry, blocks: Blocks, isSecret: (decl: Declaration) => boolean, dropped: string[]): Carry | null => {
    const before = blocks.get('Bv');
    const after = blocks.get('Av');
    const cwd = blocks.get('Ad');
    if (before === undefined || after === undefined || cwd === undefined) return null;
    const b = parseDeclarations(before);
    const a = parseDeclarations(after);
    const next: Carry = { ...carry, vars: new Map(carry.vars), unset: new Set(carry.unset), options: new Map(carry.options) };
    for (const [name, decl] of a) {
      if (!carriedName(name) || b.get(name)?.statement === decl.statement) continue;
      if (decl.statement.length > MAX_CARRIED_BYTES) {
        dropped.push(name);
        next.vars.delete(name);
        continue;
      }
      next.vars.set(name, { decl, secret: isSecret(decl) });
      next.unset.delete(name);
    }
    for (const name of b.keys()) {
      if (!carriedName(name) || a.has(name)) continue;
      next.vars.delete(name);
      next.unset.add(name);
    }
    const [onBefore, onAfter] = [optionsOn(b), optionsOn(a)];
    for (const key of onAfter) if (!onBefore.has(key) && !OWN_OPTIONS.has(key)) next.options.set(key, optionLine(key, true));
    for (const key of onBefore) if (!onAfter.has(key) && !OWN_OPTIONS.has(key)) next.options.set(key, optionLine(key, false));
    // And the whole session under the argument limit too, the largest variables dropped first.
    let total = [...next.vars.values()].reduce((n, v) => n + v.decl.statement.length, 0);
    for (const v of [...next.vars.values()].sort((x, y) => y.decl.statement.length - x.decl.statement.length)) {
      if (total <= MAX_SESSION_BYTES) break;
      next.vars.delete(v.decl.name);
      dropped.push(v.decl.name);
      total -= v.decl.statement.length;
    }
    next.functions = blocks.get('Af') ?? '';
    next.functionNames = functionNames(next.functions);
    next.cwd = cwd.endsWith('\n') ? cwd.slice(0, -1) : cwd;
    return next;
  };

  const describe = (carry: Carry, where: string, stepId: string, redact: (s: string) => string): { session: SessionState; carry: RecordedCarry } => {
    const functionsSecret = redact(carry.functions) !== carry.functions;
    return {
      session: {
        where,
        cwd: carry.cwd,
        vars: [...carry.vars.values()].map(({ decl, secret }) => ({ name: decl.name, value: secret ? MASK : displayValue(decl.value), exported: decl.flags.includes('x'), redacted: secret })),
        unset: [...carry.unset],
        options: [...carry.options.values()],
        functions: carry.functionNames,
        stepId,
        at: deps.now(),
      },
      carry: {
        vars: [...carry.vars.values()].filter((v) => !v.secret).map((v) => v.decl.statement),
        unset: [...carry.unset],
        options: [...carry.options.values()],
        functions: functionsSecret ? '' : carry.functions,
        cwd: carry.cwd,
      },
    };
  };

  return {
    /** Notes the secret values a step of the run was given; answers all the run has been given so far. */
    secretsOf(runId: string, values: readonly string[]): string[] {
      let set = secrets.get(runId);
      if (!set) {
        set = new Set();
        secrets.set(runId, set);
        if (secrets.size > RUNS_KEPT) secrets.delete(secrets.keys().next().value as string);
      }
      for (const v of values) set.add(v);
      return [...set];
    },
    /**
     * Wraps `script` (the step's text as it will run) for one run and target (`local`, `host:<name>`). A step marked
     * fresh-shell neither receives nor leaves state; its options (errexit, pipefail) still apply.
     */
    prepare(runId: string, stepId: string, where: string, step: Step, script: string, redact: (s: string) => string): PreparedShell {
      const opts = step.shell ?? DEFAULT_STEP_SHELL;
      const known = [...(secrets.get(runId) ?? [])];
      // A variable is secret if it holds any secret value this run was given, as bash quotes it or as it reads.
      const isSecret = (decl: Declaration): boolean =>
        redact(decl.statement) !== decl.statement || known.some((v) => decl.statement.includes(v) || decl.statement.includes(doubleQuoted(v)) || displayValue(decl.value).includes(v));
      const nonce = newNonce();
      const carry = opts.fresh ? null : carryOf(runId, where);
      const wrapped = wrapStep(script, { errexit: opts.errexit, pipefail: opts.pipefail, nonce, restore: carry ? restoreScript(carry) : null });
      const filter = createStateFilter(nonce);
      return {
        script: wrapped,
        shell: { errexit: opts.errexit, pipefail: opts.pipefail, session: opts.fresh ? 'fresh' : 'carried' },
        filter: (data) => filter.push(data),
        finish(exitCode, succeeded) {
          const { rest, blocks } = filter.end();
          const data: Record<string, unknown> = {};
          const report = blocks.get('Ae')?.split('\n');
          if (report && exitCode !== null && exitCode !== 0) {
            const [, rc, ps, fl, base, ...fc] = report;
            const line = Number(fl) - Number(base) + 1;
            if (rc === String(exitCode) && Number.isFinite(line)) {
              const statuses = (ps ?? '').split(' ').filter(Boolean).map(Number);
              const command = failedCommandOf(deps.shell, script, line, statuses, fc.join('\n'));
              data.failedCommand = { command: redact(command), line: line >= 1 ? line : null };
            }
          }
          const notices: string[] = [];
          if (succeeded && carry) {
            // Onto the session as it is now: another step of the run may have ended meanwhile.
            const dropped: string[] = [];
            const next = advance(runs.get(runId)?.get(where) ?? carry, blocks, isSecret, dropped);
            if (next) {
              runs.get(runId)?.set(where, next);
              Object.assign(data, describe(next, where, stepId, redact));
            }
            if (dropped.length > 0) notices.push(`${dropped.join(', ')}: too large to carry to the next steps (over ${MAX_CARRIED_BYTES / 1024} KB, or ${MAX_SESSION_BYTES / 1024} KB together)`);
          }
          return { rest, data, notices };
        },
      };
    },
  };
}
