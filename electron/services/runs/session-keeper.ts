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
  finish(exitCode: number | null, succeeded: boolean): { rest: string; data: Record<string, unknown> };
}

const emptyCarry = (): Carry => ({ vars: new Map(), unset: new Set(), options: new Map(), functions: '', functionNames: [], cwd: null });

function restoreScript(carry: Carry): { vars: string; options: string } {
  const lines: string[] = [];
  if (carry.cwd !== null) {
    const dir = shellQuote(carry.cwd);
    lines.push(`cd -- ${dir} 2>/dev/null || printf 'opsdeck: could not return to %s, where the last step ended\\n' ${dir} >&2`);
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
            const bad = statuses.findIndex((s) => s !== 0);
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

/** How many runs' sessions are kept in memory: the ones running now and recent ones. */
const RUNS_KEPT = 256;

export function createSessionKeeper(deps: SessionKeeperDeps) {
  const runs = new Map<string, Map<string, Carry>>();

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

  const advance = (carry: Carry, blocks: Blocks, redact: (s: string) => string): Carry | null => {
    const before = blocks.get('Bv');
    const after = blocks.get('Av');
    const cwd = blocks.get('Ad');
    if (before === undefined || after === undefined || cwd === undefined) return null;
    const b = parseDeclarations(before);
    const a = parseDeclarations(after);
    const next: Carry = { ...carry, vars: new Map(carry.vars), unset: new Set(carry.unset), options: new Map(carry.options) };
    for (const [name, decl] of a) {
      if (!carriedName(name) || b.get(name)?.statement === decl.statement) continue;
      next.vars.set(name, { decl, secret: redact(decl.statement) !== decl.statement });
      next.unset.delete(name);
    }
    for (const name of b.keys()) {
      if (!carriedName(name) || a.has(name)) continue;
      next.vars.delete(name);
      next.unset.add(name);
    }
    const [onBefore, onAfter] = [optionsOn(b), optionsOn(a)];
    for (const key of onAfter) if (!onBefore.has(key)) next.options.set(key, optionLine(key, true));
    for (const key of onBefore) if (!onAfter.has(key)) next.options.set(key, optionLine(key, false));
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
    /**
     * Wraps `script` (the step's text as it will run) for one run and target (`local`, `host:<name>`). A step marked
     * fresh-shell neither receives nor leaves state; its options (errexit, pipefail) still apply.
     */
    prepare(runId: string, stepId: string, where: string, step: Step, script: string, redact: (s: string) => string): PreparedShell {
      const opts = step.shell ?? DEFAULT_STEP_SHELL;
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
          if (succeeded && carry) {
            const next = advance(carry, blocks, redact);
            if (next) {
              runs.get(runId)?.set(where, next);
              Object.assign(data, describe(next, where, stepId, redact));
            }
          }
          return { rest, data };
        },
      };
    },
  };
}
