/**
 * Finds the placeholders a user must fill in before a step can run: `<run-id>`, `YYYY-MM-DD`, `${{ secrets.X }}`,
 * `$INSTANCE_ID` used but never set, `[Name]`, `CHANGEME`, example hosts and `user@server`.
 */
import type { ParamKind, StepKind } from '../model/runbook.js';
import type { ShellNode } from './shell.js';

export interface FoundParam {
  name: string;
  kind: ParamKind;
  secret: boolean;
  /** The occurrence exactly as written. */
  text: string;
  /** Offset of the occurrence in the text searched. */
  offset: number;
}

/** Tags that look like `<placeholder>` but are HTML in prose. */
const HTML_TAGS = new Set(
  'a b br code details div em hr i img kbd li ol p pre span strong sub summary sup table td th tr u ul'.split(' '),
);
const SECRET_NAME = /(key|token|secret|password|passwd|pass|credentials?|auth|webhook)(_url)?$/i;

interface Rule {
  re: RegExp;
  kinds: StepKind[];
  make(m: RegExpExecArray): Omit<FoundParam, 'offset' | 'text'> | null;
}

const ALL: StepKind[] = ['command', 'check', 'template'];

const rules: Rule[] = [
  {
    re: /\$\{\{\s*([A-Za-z_][\w-]*)\.([A-Za-z_][\w.-]*)\s*\}\}/g,
    kinds: ALL,
    make: (m) => {
      const scope = m[1] ?? '';
      const name = m[2] ?? '';
      return scope === 'secrets'
        ? { name, kind: 'secret', secret: true }
        : { name: `${scope}.${name}`, kind: 'placeholder', secret: SECRET_NAME.test(name) };
    },
  },
  {
    re: /(?<![<\w])<([A-Za-z][\w.-]*(?: [\w.-]+){0,3})>(?!>)/g,
    kinds: ALL,
    make: (m) => {
      const name = m[1] ?? '';
      if (HTML_TAGS.has(name.toLowerCase())) return null;
      return { name, kind: 'placeholder', secret: SECRET_NAME.test(name.replace(/[\s.-]/g, '_')) };
    },
  },
  {
    re: /(?<![A-Za-z0-9])(Y{4}[-_/.]?M{2}(?:[-_/.]?D{2})?(?:[-_T ]?H{2}(?:[-_:]?M{2}(?:[-_:]?S{2})?)?)?)(?![A-Za-z0-9])/g,
    kinds: ALL,
    make: (m) => ({ name: m[1] ?? '', kind: 'date', secret: false }),
  },
  {
    re: /\b(CHANGE_?ME|REPLACE_?ME|YOUR_[A-Z][A-Z0-9_]*)\b/g,
    kinds: ALL,
    make: (m) => ({ name: m[1] ?? '', kind: 'changeme', secret: SECRET_NAME.test(m[1] ?? '') }),
  },
  {
    re: /(?<![\w.@-])((?:[a-z0-9-]+\.)*(?:your-[a-z0-9-]+|example)\.(?:com|org|net|io|dev))(?![\w-])/gi,
    kinds: ALL,
    make: (m) => ({ name: m[1] ?? '', kind: 'example-host', secret: false }),
  },
  {
    re: /(?<![\w.-])((?:user|username|your-user|you)@(?:server|host|hostname|your-server|your-host|remote-host))(?![\w.-])/g,
    kinds: ALL,
    make: (m) => ({ name: m[1] ?? '', kind: 'ssh-target', secret: false }),
  },
  {
    // Fields of a form: [Name], [Green/Yellow/Red]; never in shell, where [ ... ] is a test or a glob.
    re: /(?<![\w\]])\[([A-Za-z][^[\]\n]{1,40})\](?![([:])/g,
    kinds: ['check', 'template'],
    // [P1] / [SEV2] tag a severity in a subject line; they are part of the text, not a field.
    make: (m) => (/^(P|SEV|S)\d$/i.test(m[1] ?? '') ? null : { name: m[1] ?? '', kind: 'field', secret: false }),
  },
];

/** Placeholders found by their written form; variables need the shell tree (see findUnsetVariables). */
export function findTextParams(text: string, kind: StepKind): FoundParam[] {
  const found: FoundParam[] = [];
  const taken: Array<[number, number]> = [];
  for (const rule of rules) {
    if (!rule.kinds.includes(kind)) continue;
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(text); m !== null; m = rule.re.exec(text)) {
      const start = m.index;
      const end = start + m[0].length;
      if (taken.some(([s, e]) => start < e && end > s)) continue; // an earlier, more specific rule owns it
      const p = rule.make(m);
      if (p === null) continue;
      taken.push([start, end]);
      found.push({ ...p, text: m[0], offset: start });
    }
  }
  return found.sort((a, b) => a.offset - b.offset);
}

/**
 * Blanks out template syntax (`${{ ... }}`, `<placeholder>`) with underscores of the same length, so the shell
 * grammar sees a plain word where the user will put a value and every offset stays where it was.
 */
export function maskPlaceholders(script: string): string {
  return script
    .replace(/\$\{\{[^}\n]*\}\}/g, (s) => '_'.repeat(s.length))
    .replace(/(?<![<\w])<[A-Za-z][\w.-]*>(?!>)/g, (s) => '_'.repeat(s.length));
}

/** Variables every shell or login session has; using them needs no input from the user. */
const AMBIENT = new Set(
  `HOME PATH USER LOGNAME PWD OLDPWD SHELL HOSTNAME HOSTTYPE RANDOM LINENO SECONDS UID EUID PPID IFS TERM LANG
  TMPDIR EDITOR VISUAL PAGER SSH_AUTH_SOCK SSH_CONNECTION SSH_TTY DISPLAY COLUMNS LINES PS1 PS2 OPTARG OPTIND
  REPLY BASH BASHPID BASH_SOURCE BASH_VERSION FUNCNAME PIPESTATUS EPOCHSECONDS EPOCHREALTIME SHLVL MAIL TZ`.split(/\s+/),
);

export interface VariableUse {
  name: string;
  secret: boolean;
  text: string;
  /** Zero-based row in the parsed source. */
  row: number;
}

/** What a step's shell source needs from outside and what it leaves set (see scanVariables). */
export interface VariableScan {
  /** `$NAME` / `${NAME}` used before anything set them, in source order. */
  uses: VariableUse[];
  /** Every name the source sets, for the steps after it (see steps.ts for which steps see them). */
  set: Set<string>;
}

/** Declarations that create a variable in the shell even without a value: `local x`, `declare -a list`. */
const DECLARES = new Set(['declare', 'typeset', 'local']);

/**
 * `$NAME` and `${NAME}` used before anything in the same source (or `known`, what earlier steps set) set them, in
 * source order. Assignments, `for` loop variables, `read`/`mapfile` targets, `printf -v` targets and `export`/`local`/
 * `declare` declarations count as setting; `${NAME:-default}` needs nothing from the user. A prefix assignment
 * (`NAME=x cmd`) sets NAME for that one command only, so it sets nothing for the statements after it.
 */
export function scanVariables(root: ShellNode, known: ReadonlySet<string> = new Set()): VariableScan {
  const set = new Set<string>(known);
  const setHere = new Set<string>();
  const uses: VariableUse[] = [];
  const setName = (name: string): void => {
    set.add(name);
    setHere.add(name);
  };
  const visit = (node: ShellNode): void => {
    switch (node.type) {
      case 'variable_assignment': {
        const value = node.childForFieldName('value');
        if (value) visit(value);
        const name = node.childForFieldName('name')?.text;
        if (name && node.parent?.type !== 'command') setName(name);
        return;
      }
      case 'declaration_command': {
        if (DECLARES.has(node.child(0)?.text ?? '')) {
          for (const child of node.namedChildren) if (child?.type === 'variable_name') setName(child.text);
        }
        break;
      }
      case 'for_statement': {
        const variable = node.childForFieldName('variable')?.text;
        for (const child of node.namedChildren) {
          if (child && child.type !== 'do_group') visit(child);
        }
        if (variable) setName(variable);
        const body = node.childForFieldName('body');
        if (body) visit(body);
        return;
      }
      case 'command': {
        const name = node.childForFieldName('name')?.text;
        const args = node.childrenForFieldName('argument');
        if (name === 'read' || name === 'mapfile' || name === 'readarray') {
          for (const arg of args) {
            if (arg && /^[A-Za-z_]\w*$/.test(arg.text)) setName(arg.text);
          }
        } else if (name === 'printf') {
          const target = args.findIndex((a) => a?.text === '-v');
          const arg = target >= 0 ? args[target + 1] : undefined;
          if (arg && /^[A-Za-z_]\w*$/.test(arg.text)) setName(arg.text);
        }
        break;
      }
      case 'simple_expansion':
      case 'expansion': {
        const nameNode = node.namedChildren.find((c) => c?.type === 'variable_name');
        const name = nameNode?.text ?? '';
        const hasDefault = node.type === 'expansion' && /^\$\{[#!]?\w+(?::?[-=?+]|[#%/^,]|\[)/.test(node.text);
        if (name && /^[A-Za-z_]\w*$/.test(name) && !set.has(name) && !AMBIENT.has(name) && !hasDefault) {
          uses.push({ name, secret: SECRET_NAME.test(name), text: node.text, row: node.startPosition.row });
        }
        break;
      }
      default:
        break;
    }
    for (const child of node.namedChildren) if (child) visit(child);
  };
  visit(root);
  return { uses, set: setHere };
}
