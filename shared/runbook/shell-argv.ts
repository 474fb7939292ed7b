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

export const wordSet = (...words: string[]): ReadonlySet<string> => new Set(words);

const SUDO_VALUE = wordSet('-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--host', '--prompt',
  '--chdir', '--role', '--type', '--other-user');
const DOCKER_EXEC_VALUE = wordSet('-e', '--env', '--env-file', '-u', '--user', '-w', '--workdir', '--detach-keys', '--index');
export const COMPOSE_GLOBAL_VALUE: ReadonlySet<string> = wordSet('-f', '--file', '-p', '--project-name', '--env-file', '--profile',
  '--project-directory', '--ansi', '--parallel', '--progress');
const COMPOSE_RUN_VALUE = wordSet(...DOCKER_EXEC_VALUE, '--name', '--entrypoint', '-v', '--volume', '-p', '--publish', '-l', '--label',
  '--cap-add', '--cap-drop');
const DOCKER_RUN_VALUE = wordSet(...COMPOSE_RUN_VALUE, '--network', '--net', '--mount', '-m', '--memory', '--cpus', '--restart', '-h',
  '--hostname', '--add-host', '--device', '--log-driver', '--log-opt', '--platform', '--pull', '--ulimit', '--tmpfs', '--shm-size',
  '--security-opt', '--gpus', '--ipc', '--pid', '--cidfile', '--expose', '--health-cmd', '--stop-signal', '--stop-timeout');
const XARGS_VALUE = wordSet('-I', '-n', '-P', '-L', '-d', '-E', '-s', '-a', '--max-args', '--max-procs', '--delimiter', '--arg-file',
  '--replace', '--max-lines', '--eof');
const SHELL_VALUE = wordSet('-o', '+o', '-O', '+O', '--rcfile', '--init-file');
const PYTHON_VALUE = wordSet('-X', '-W', '--check-hash-based-pycs');

export const SHELLS: ReadonlySet<string> = wordSet('sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'fish');
const INTERPRETERS: ReadonlySet<string> = wordSet('python', 'python2', 'python3', 'node', 'ruby', 'perl', 'php', 'deno', 'bun', 'tsx', 'ts-node');
const PLAIN_WRAPPERS: ReadonlySet<string> = wordSet('nohup', 'time', 'builtin', 'nocorrect', 'noglob', 'exec', 'command', 'unbuffer');

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
    return { rest: argv.slice(skipOptions(argv, 1, wordSet('-a'))) };
  }
  switch (head) {
    case 'sudo':
    case 'doas':
      return { rest: dropAssignments(argv, skipOptions(argv, 1, SUDO_VALUE)) };
    case 'env':
      return { rest: dropAssignments(argv, skipOptions(argv, 1, wordSet('-u', '--unset', '-C', '--chdir', '-S'))) };
    case 'timeout': {
      const at = skipOptions(argv, 1, wordSet('-s', '--signal', '-k', '--kill-after'));
      return { rest: argv.slice(at + 1) };
    }
    case 'nice':
    case 'ionice':
    case 'stdbuf':
    case 'chronic':
      return { rest: argv.slice(skipOptions(argv, 1, wordSet('-n', '--adjustment', '-c', '--class', '-p', '-i', '-o', '-e'))) };
    case 'xargs':
      return { rest: argv.slice(skipOptions(argv, 1, XARGS_VALUE)), bulk: true, place: 'via xargs' };
    case 'docker':
    case 'podman': {
      if (arg1 === 'compose') return composeInner(argv, 2);
      const at = arg1 === 'container' ? 2 : 1;
      if (argv[at] !== 'exec' && argv[at] !== 'run') return null;
      const container = skipOptions(argv, at + 1, argv[at] === 'exec' ? DOCKER_EXEC_VALUE : DOCKER_RUN_VALUE);
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
    if (dashCScript(argv) !== null || hasOption(argv, 's')) return null;
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

/** Option words before a `--`. */
function optionWords(argv: readonly string[]): string[] {
  const end = argv.indexOf('--');
  return argv.slice(1, end < 0 ? argv.length : end).filter((w) => w.startsWith('-'));
}

/** Whether argv has a short-option cluster (`-rf`) holding one of `letters`, or one of the long options (`--x`, `--x=v`). */
export function hasOption(argv: readonly string[], letters: string, ...long: string[]): boolean {
  return optionWords(argv).some((o) =>
    /^-[a-zA-Z]+$/.test(o) ? [...letters].some((l) => o.includes(l)) : long.some((n) => o === n || o.startsWith(`${n}=`)));
}

/** An `ssh` invocation read from its argv: the target and the words of the remote command (empty when none). */
export interface SshCall {
  user: string | null;
  host: string;
  port: number | null;
  command: string[];
}

const SSH_VALUE = wordSet('-b', '-c', '-D', '-E', '-e', '-F', '-I', '-i', '-J', '-L', '-l', '-m', '-O', '-o', '-p', '-Q', '-R', '-S', '-W',
  '-w', '-B');
const toPort = (text: string): number | null => (/^\d{1,5}$/.test(text) ? Number(text) : null);

/** Reads `ssh [options] [user@]host [command...]` (also -l USER, -p PORT, -o User=/Port=, ssh://user@host:port); null if not ssh. */
export function parseSsh(argv: readonly string[]): SshCall | null {
  if (basename(argv[0] ?? '') !== 'ssh') return null;
  let user: string | null = null;
  let port: number | null = null;
  let i = 1;
  for (; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-') break;
    const opt = word.slice(0, 2);
    if (!SSH_VALUE.has(opt)) continue;
    const value = word.length > 2 ? word.slice(2) : argv[++i] ?? '';
    const setting = opt === '-o' ? /^(\w+)\s*[= ]\s*(.+)$/.exec(value) : null;
    const key = setting?.[1]?.toLowerCase();
    if (opt === '-p' || key === 'port') port = toPort(setting?.[2] ?? value);
    if (opt === '-l' || key === 'user') user = setting?.[2] ?? value;
  }
  const raw = argv[i] ?? '';
  const url = /^ssh:\/\/(?:(.*)@)?([^@:]+)(?::(\d+))?$/.exec(raw);
  const at = raw.lastIndexOf('@');
  const host = url ? url[2] ?? '' : raw.slice(at + 1);
  if (host === '') return null;
  return {
    user: user ?? (url ? url[1] ?? null : at >= 0 ? raw.slice(0, at) : null),
    host,
    port: url?.[3] ? toPort(url[3]) : port,
    command: argv.slice(i + 1),
  };
}

/** What a command reads on stdin. */
export interface CommandInput {
  /** Heredoc or here-string text. */
  text: string | null;
  /** File redirected in with `<`. */
  file: string | null;
  /** Earlier stages of the pipeline this command reads from, wrappers stripped. */
  upstream: string[][];
}

export const NO_INPUT: CommandInput = { text: null, file: null, upstream: [] };

/** A pipeline stage's command: the command itself or the body of a redirected statement. */
function stageCommand(node: ShellNode | null): ShellNode | null {
  if (node?.type === 'redirected_statement') return stageCommand(node.childForFieldName('body'));
  return node?.type === 'command' ? node : null;
}

/** The stdin of a command node: its heredoc, here-string or `<` file and the pipeline stages before it; `inherited` fills gaps. */
export function commandInput(command: ShellNode, inherited: CommandInput = NO_INPUT): CommandInput {
  const parent = command.parent;
  const redirects = [...command.childrenForFieldName('redirect')];
  if (parent?.type === 'redirected_statement' && parent.childForFieldName('body')?.id === command.id) {
    redirects.push(...parent.childrenForFieldName('redirect'));
  }
  const input: CommandInput = { ...inherited, upstream: [] };
  for (const r of redirects) {
    if (r?.type === 'heredoc_redirect') input.text = r.descendantsOfType('heredoc_body')[0]?.text ?? '';
    const last = r?.lastNamedChild;
    if (r?.type === 'herestring_redirect' && last) input.text = unquote(last);
    const dest = r?.childForFieldName('destination');
    if (r?.type === 'file_redirect' && r.child(0)?.text === '<' && dest) input.file = unquote(dest);
  }
  const stage = parent?.type === 'redirected_statement' ? parent : command;
  if (stage.parent?.type === 'pipeline') {
    for (const sibling of stage.parent.namedChildren) {
      if (!sibling || sibling.startIndex >= stage.startIndex) break;
      const up = stageCommand(sibling);
      if (up) input.upstream.push(stripWrappers(commandArgv(up)).argv);
    }
  }
  if (input.upstream.length === 0) input.upstream = inherited.upstream;
  return input;
}

/** Whether argv is a shell, or ssh without a remote command, that takes its script from stdin. */
export function readsScriptFromStdin(argv: readonly string[]): boolean {
  const name = basename(argv[0] ?? '');
  if (name === 'ssh') return (parseSsh(argv)?.command.length ?? 0) === 0;
  if (!SHELLS.has(name) || dashCScript(argv) !== null) return false;
  return hasOption(argv, 's') || skipOptions(argv, 1, SHELL_VALUE) >= argv.length;
}

/** A script some command runs: `place` says where ("on user@host"); `fromStdin` when it arrived on stdin. */
export interface InnerScript {
  script: string;
  place: string | null;
  fromStdin: boolean;
}

/**
 * The scripts a command runs as text: `ssh host "..."`, `sh -c`, `su -c`, `eval`, `watch`, and a shell or ssh fed by a heredoc,
 * here-string, `< file` (the file runs, so its path is the script) or `echo ... |`; null when argv is no such command.
 */
export function innerScripts(argv: readonly string[], input: CommandInput = NO_INPUT): InnerScript[] | null {
  const name = basename(argv[0] ?? '');
  const call = parseSsh(argv);
  const place = call ? `on ${call.user === null ? '' : `${call.user}@`}${call.host}` : null;
  if (readsScriptFromStdin(argv)) {
    const texts = input.upstream.filter((up) => /^(echo|printf)$/.test(basename(up[0] ?? ''))).map((up) => up.slice(1).join(' '));
    if (input.text !== null) texts.push(input.text);
    else if (input.file !== null && name !== 'ssh') texts.push(showArgv([input.file], Infinity));
    return texts.map((script) => ({ script, place, fromStdin: true }));
  }
  const dashC = SHELLS.has(name) || name === 'su' ? dashCScript(argv) : null;
  let script: string | null = null;
  if (call) script = call.command.join(' ');
  else if (dashC !== null) script = dashC;
  else if (name === 'eval') script = argv.slice(1).join(' ');
  else if (name === 'watch') script = argv.slice(skipOptions(argv, 1, wordSet('-n', '--interval', '-q', '--equexit'))).join(' ');
  else if (name === 'su') return [];
  return script === null ? null : [{ script, place, fromStdin: false }];
}
