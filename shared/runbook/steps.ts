/**
 * Where steps are made: each gets its stable id, its parameters (registered document-wide with every occurrence)
 * and, for commands, its shell options, danger grade and remote hint from the parsed shell tree.
 */
import type { ImportWarning, Param, ScheduleHint, Section, Step, StepKind, StepShell } from '../model/runbook.js';
import { assessDanger, findRemoteHint } from './danger.js';
import { createIdAllocator } from './ids.js';
import { findTextParams, maskPlaceholders, scanVariables } from './params.js';
import type { ShellParser } from './shell.js';
import { readStepDirectives } from './shell-options.js';

export interface SinkDeps {
  section(): Section;
  shell: ShellParser;
  warn(line: number, message: string): void;
  params: Map<string, Param>;
  hints: ScheduleHint[];
  onStep(step: Step): void;
  /** The runbook's shell options for command steps (front matter over the defaults); a step's header overrides them. */
  shellDefaults(): StepShell;
}

interface VariableOccurrence {
  name: string;
  secret: boolean;
  text: string;
  line: number;
}

export interface StepInput {
  title: string;
  caption?: string | null;
  script: string;
  line: number;
  /** Line of the script's first row, when that is not `line` (a step whose script starts with blank lines). */
  scriptLine?: number;
  endLine?: number;
  language?: string | null;
  checked?: boolean | null;
  expectedOutput?: string | null;
  /** Commands from shell blocks: `$VAR` used but not set before (in the step or earlier, see below) is a parameter. */
  findVariables?: boolean;
}

export type StepSink = ReturnType<typeof createStepSink>;

export function createStepSink(deps: SinkDeps) {
  const allocators = new Map<string, (key: string) => string>();
  const idFor = (section: Section, kind: StepKind, content: string): string => {
    let next = allocators.get(section.id);
    if (!next) {
      next = createIdAllocator('st_');
      allocators.set(section.id, next);
    }
    return next(`${section.id}\u0000${kind}\u0000${content.replace(/\s+/g, ' ').trim()}`);
  };

  /**
   * Which variables the command steps before a step leave set, as if the section's steps were typed into one shell.
   * The rule: a variable set by an earlier command step of the step's *own* section (its own steps, in document
   * order) is known; one set in a parent or sibling section is not. Any section can be run on its own (a run covers
   * the section and its subsections, and starts with an empty session), so only the step's own section is sure to
   * have run before it in every run that includes it: counting the parent's steps too would leave `$X` empty,
   * unasked, in a run of the subsection alone. A fresh-shell step sees none of them, and neither receives nor leaves
   * session state (electron/services/runs/session-keeper.ts), so what it sets is not known after it either.
   * Assumes the earlier steps ran and succeeded; a variable set only in a subshell or a function counts as set, as
   * it does within one step.
   */
  const sessions = new Map<string, Set<string>>();
  const knownIn = (section: Section): Set<string> => {
    let known = sessions.get(section.id);
    if (!known) {
      known = new Set();
      sessions.set(section.id, known);
    }
    return known;
  };

  /** Front matter, then the step's `# opsdeck:` header; warns at each directive it cannot use. */
  const shellOf = (input: StepInput): StepShell => {
    const { shell, problems } = readStepDirectives(input.script);
    const first = input.scriptLine ?? input.line;
    for (const p of problems) deps.warn(first + p.row, p.message);
    return { ...deps.shellDefaults(), ...shell };
  };

  const register = (step: Step, variables: VariableOccurrence[]): void => {
    const names = new Set<string>();
    const add = (name: string, kind: Param['kind'], secret: boolean, text: string, line: number): void => {
      const key = `${kind}\u0000${name}`;
      let param = deps.params.get(key);
      if (!param) {
        param = { name, kind, secret, occurrences: [] };
        deps.params.set(key, param);
      }
      param.secret ||= secret;
      param.occurrences.push({ stepId: step.id, line, text });
      names.add(name);
    };
    for (const p of findTextParams(step.script, step.kind)) {
      const line = step.line + countNewlines(step.script, p.offset);
      add(p.name, p.kind, p.secret, p.text, line);
    }
    for (const v of variables) add(v.name, 'variable', v.secret, v.text, v.line);
    step.params = [...names];
  };

  const make = (kind: StepKind, input: StepInput): Step => {
    const section = deps.section();
    const step: Step = {
      id: idFor(section, kind, `${input.title}\u0000${input.script}`),
      kind,
      title: input.title,
      caption: input.caption ?? null,
      line: input.line,
      endLine: input.endLine ?? input.line,
      script: input.script,
      language: input.language ?? null,
      params: [],
      danger: { level: 'safe', reasons: [] },
      remote: null,
      checked: input.checked ?? null,
      expectedOutput: input.expectedOutput ?? null,
    };
    const variables: VariableOccurrence[] = [];
    if (kind === 'command') {
      const shell = shellOf(input);
      step.shell = shell;
      const known = knownIn(section);
      const tree = deps.shell.parse(maskPlaceholders(input.script));
      try {
        step.danger = assessDanger(tree.rootNode, deps.shell);
        step.remote = findRemoteHint(tree.rootNode);
        const scan = scanVariables(tree.rootNode, shell.fresh ? new Set() : known);
        const first = input.scriptLine ?? input.line;
        if (input.findVariables) variables.push(...scan.uses.map((v) => ({ name: v.name, secret: v.secret, text: v.text, line: first + v.row })));
        if (!shell.fresh) scan.set.forEach((name) => known.add(name));
      } finally {
        tree.delete();
      }
    }
    register(step, variables);
    section.steps.push(step);
    deps.onStep(step);
    return step;
  };

  return {
    check: (input: StepInput): Step => make('check', input),
    command: (input: StepInput): Step => make('command', input),
    reference: (input: StepInput): Step => make('reference', input),
    template: (input: StepInput): Step => make('template', input),
    hint: (hint: Omit<ScheduleHint, 'sectionId'>): void => {
      deps.hints.push({ ...hint, sectionId: deps.section().id });
    },
    warn: (w: ImportWarning): void => deps.warn(w.line, w.message),
  };
}

function countNewlines(text: string, end: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
