/**
 * Where steps are made: each gets its stable id, its parameters (registered document-wide with every occurrence)
 * and, for commands, its danger grade and remote hint from the parsed shell tree.
 */
import type { ImportWarning, Param, ScheduleHint, Section, Step, StepKind } from '../model/runbook.js';
import { assessDanger, findRemoteHint } from './danger.js';
import { createIdAllocator } from './ids.js';
import { findTextParams, maskPlaceholders } from './params.js';
import type { ShellParser } from './shell.js';

export interface SinkDeps {
  section(): Section;
  shell: ShellParser;
  warn(line: number, message: string): void;
  params: Map<string, Param>;
  hints: ScheduleHint[];
  onStep(step: Step): void;
}

export interface VariableOccurrence {
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
  endLine?: number;
  language?: string | null;
  checked?: boolean | null;
  expectedOutput?: string | null;
  variables?: VariableOccurrence[];
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
    if (kind === 'command') {
      const tree = deps.shell.parse(maskPlaceholders(input.script));
      try {
        step.danger = assessDanger(tree.rootNode, deps.shell);
        step.remote = findRemoteHint(tree.rootNode);
      } finally {
        tree.delete();
      }
    }
    register(step, input.variables ?? []);
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
