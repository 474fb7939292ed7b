/**
 * Turns tree-sitter-bash command nodes into plain argv arrays and sees through wrapper commands (sudo, env,
 * timeout, xargs, docker/kubectl exec, interpreters), so rules that grade or describe a step can match on words
 * instead of on syntax. Expansions are never performed: `$x` stays the text `$x`.
 */
import type { ShellNode } from './shell.js';

/** Removes backslash escapes from an unquoted word: `a\ b` -> `a b`, a backslash-newline disappears. */
function unescapeWord(text: string): string {
  return text.replace(/\\(\n|.)/g, (_m, c: string) => (c === '\n' ? '' : c));
}

/** Inside double quotes a backslash only escapes `$`, a backtick, `"`, `\` and a newline. */
function unescapeDouble(text: string): string {
  return text.replace(/\\([$`"\\\n])/g, (_m, c: string) => (c === '\n' ? '' : c));
}

const ANSI_C: Record<string, string> = { n: '\n', t: '\t', r: '\r', e: '\x1b', a: '\x07', b: '\b', f: '\f', v: '\v' };

function unescapeAnsiC(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => ANSI_C[c] ?? c);
}

function stripQuotes(text: string, open: number): string {
  const end = text.length > open && text.endsWith("'") ? text.length - 1 : text.length;
  return text.slice(open, end);
}

/** The word a shell would pass for this node, without performing expansions (their text is kept as written). */
export function unquote(node: ShellNode): string {
  switch (node.type) {
    case 'word':
      return unescapeWord(node.text);
    case 'raw_string':
      return stripQuotes(node.text, 1);
    case 'ansi_c_string':
      return unescapeAnsiC(stripQuotes(node.text, 2));
    case 'string':
    case 'translated_string': {
      let out = '';
      for (const child of node.namedChildren) {
        if (!child) continue;
        out += child.type === 'string_content' ? unescapeDouble(child.text) : unquote(child);
      }
      return out;
    }
    case 'concatenation':
    case 'command_name':
      return node.namedChildren.map((c) => (c ? unquote(c) : '')).join('');
    default:
      return node.text;
  }
}

/** A command node's words: its name followed by its arguments (prefix assignments and redirects left out). */
export function commandArgv(node: ShellNode): string[] {
  if (node.type !== 'command') return [];
  const name = node.childForFieldName('name');
  const argv = name ? [unquote(name)] : [];
  for (const arg of node.childrenForFieldName('argument')) if (arg) argv.push(unquote(arg));
  return argv;
}

/** Calls `visit` for every `command` node under `root` (itself included), wherever it sits: loops, substitutions, functions. */
export function walkCommands(root: ShellNode, visit: (command: ShellNode) => void): void {
  const stack: ShellNode[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (!node) continue;
    if (node.type === 'command') visit(node);
    const children = node.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) {
      const child = children[i];
      if (child) stack.push(child);
    }
  }
}

/** The last path segment: `/usr/bin/rm` -> `rm`, `./scripts/x.sh` -> `x.sh`. */
export function basename(word: string): string {
  const cut = word.replace(/\/+$/, '');
  return cut.slice(cut.lastIndexOf('/') + 1);
}

/**
 * Index of the first operand at or after `start`, stepping over options (`-x`, `--long`, `--long=v`) and the values
 * of the options named in `withValue`. A `--` ends the options and is stepped over too.
 */
export function skipOptions(argv: readonly string[], start: number, withValue: ReadonlySet<string> = new Set()): number {
  let i = start;
  while (i < argv.length) {
    const word = argv[i] ?? '';
    if (word === '--') return i + 1;
    if (!word.startsWith('-') || word === '-') return i;
    i += withValue.has(word) ? 2 : 1;
  }
  return i;
}

export const set = (...words: string[]): ReadonlySet<string> => new Set(words);

const SUDO_VALUE = set('-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--host', '--prompt', '--chdir', '--role', '--type', '--other-user');
const DOCKER_EXEC_VALUE = set('-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys', '--index');
export const COMPOSE_GLOBAL_VALUE: ReadonlySet<string> = set('-f', '--file', '-p', '--project-name', '--env-file', '--profile', '--project-directory', '--ansi', '--parallel', '--progress');
const COMPOSE_RUN_VALUE = set(...DOCKER_EXEC_VALUE, '--name', '--entrypoint', '-v', '--volume', '-p', '--publish', '-l', '--label', '--cap-add', '--cap-drop');
const XARGS_VALUE = set('-I', '-n', '-P', '-L', '-d', '-E', '-s', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file', '--replace', '--max-lines', '--eof');
const SHELL_VALUE = set('-o', '+o', '-O', '+O', '--rcfile', '--init-file');
const PYTHON_VALUE = set('-X', '-W', '--check-hash-based-pycs');

export const SHELLS: ReadonlySet<string> = set('sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'fish');
const INTERPRETERS: ReadonlySet<string> = set('python', 'python2', 'python3', 'node', 'ruby', 'perl', 'php', 'deno', 'bun', 'tsx', 'ts-node');
const PLAIN_WRAPPERS: ReadonlySet<string> = set('nohup', 'time', 'builtin', 'nocorrect', 'noglob', 'exec', 'command', 'unbuffer');

/** For `sh -c SCRIPT` / `bash -ec SCRIPT` / `su -c SCRIPT`: the script; null when there is no -c. */
export function dashCScript(argv: readonly string[]): string | null {
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') return null;
    if (word === '--command' || (/^-[a-zA-Z]+$/.test(word) && word.includes('c'))) return argv[i + 1] ?? '';
    if (word.startsWith('--command=')) return word.slice('--command='.length);
    if (SHELL_VALUE.has(word)) i++;
  }
  return null;
}

/** What an argv runs once wrappers are seen through; `bulk` when the command runs once per input item (xargs). */
export interface Unwrapped {
  argv: string[];
  bulk: boolean;
  /** Where the inner command runs when a wrapper moves it, e.g. "in container redis". */
  place: string | null;
}

type Step = { rest: string[]; bulk?: boolean; place?: string } | null;

function dropAssignments(argv: string[], from: number): string[] {
  let i = from;
  while (i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i] ?? '')) i++;
  return argv.slice(i);
}

function composeInner(argv: string[], at: number): Step {
  const sub = skipOptions(argv, at, COMPOSE_GLOBAL_VALUE);
  const verb = argv[sub];
  if (verb !== 'exec' && verb !== 'run') return null;
  const service = skipOptions(argv, sub + 1, verb === 'exec' ? DOCKER_EXEC_VALUE : COMPOSE_RUN_VALUE);
  const name = argv[service];
  return name === undefined ? null : { rest: argv.slice(service + 1), place: `in service ${name}` };
}

/** One layer of wrapper, or null when argv[0] is not a wrapper. */
function peel(argv: string[]): Step {
  const head = basename(argv[0] ?? '');
  const arg1 = argv[1];
  if (PLAIN_WRAPPERS.has(head)) {
    if ((head === 'command' && argv.some((w) => w === '-v' || w === '-V')) || argv.length === 1) return { rest: [] };
    return { rest: argv.slice(skipOptions(argv, 1, set('-a'))) };
  }
  switch (head) {
    case 'sudo':
    case 'doas':
      return { rest: dropAssignments(argv, skipOptions(argv, 1, SUDO_VALUE)) };
    case 'env':
      return { rest: dropAssignments(argv, skipOptions(argv, 1, set('-u', '--unset', '-C', '--chdir', '-S'))) };
    case 'timeout': {
      const at = skipOptions(argv, 1, set('-s', '--signal', '-k', '--kill-after'));
      return { rest: argv.slice(at + 1) };
    }
    case 'nice':
    case 'ionice':
    case 'stdbuf':
    case 'chronic':
      return { rest: argv.slice(skipOptions(argv, 1, set('-n', '--adjustment', '-c', '--class', '-p', '-i', '-o', '-e'))) };
    case 'xargs': {
      const rest = argv.slice(skipOptions(argv, 1, XARGS_VALUE));
      return { rest, bulk: true };
    }
    case 'docker':
    case 'podman': {
      if (arg1 === 'compose') return composeInner(argv, 2);
      const at = arg1 === 'container' ? 2 : 1;
      if (argv[at] !== 'exec') return null;
      const container = skipOptions(argv, at + 1, DOCKER_EXEC_VALUE);
      const name = argv[container];
      return name === undefined ? null : { rest: argv.slice(container + 1), place: `in container ${name}` };
    }
    case 'docker-compose':
    case 'podman-compose':
      return composeInner(argv, 1);
    case 'kubectl':
    case 'oc': {
      const dash = argv.indexOf('--');
      if (!argv.includes('exec') || dash < 0) return null;
      return { rest: argv.slice(dash + 1), place: 'in a pod' };
    }
    case 'uv':
    case 'poetry':
    case 'pipenv':
    case 'pnpm':
    case 'bundle':
      return arg1 === 'run' || arg1 === 'exec' ? { rest: argv.slice(skipOptions(argv, 2)) } : null;
    case 'npx':
      return { rest: argv.slice(skipOptions(argv, 1)) };
    default:
      break;
  }
  if (SHELLS.has(head)) {
    if (dashCScript(argv) !== null) return null;
    const at = skipOptions(argv, 1, SHELL_VALUE);
    return at < argv.length ? { rest: argv.slice(at) } : null;
  }
  if (INTERPRETERS.has(head) || /^python\d(\.\d+)?$/.test(head)) {
    const at = skipOptions(argv, 1, PYTHON_VALUE);
    const dashM = argv.indexOf('-m');
    if (dashM > 0 && dashM < at) return { rest: argv.slice(dashM + 1) };
    if (argv.slice(1, at).some((w) => w === '-c' || w === '-e')) return null;
    return at < argv.length ? { rest: argv.slice(at) } : null;
  }
  return null;
}

/** Peels wrapper commands until a command that does the work is left (an empty argv when the wrapper runs nothing). */
export function stripWrappers(argv: readonly string[]): Unwrapped {
  let current = [...argv];
  let bulk = false;
  let place: string | null = null;
  for (let layer = 0; layer < 16 && current.length > 0; layer++) {
    const next = peel(current);
    if (!next) break;
    current = next.rest;
    bulk ||= next.bulk === true;
    place = next.place ?? place;
  }
  return { argv: current, bulk, place };
}

/** Shell-style display of an argv, quoting words that need it; long text is cut. */
export function showArgv(argv: readonly string[], max = 80): string {
  const text = argv.map((w) => (w === '' || /[\s'"\\;&|<>()]/.test(w) ? `'${w.replace(/'/g, `'\\''`)}'` : w)).join(' ');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
