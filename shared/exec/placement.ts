/**
 * Where a parameter value lands in a shell script, read from the tree-sitter parse: the quoting around it, and every
 * further shell that parses the text again (`ssh host "..."`, `bash -c`, `eval`, a heredoc fed to a shell). The
 * substituter (substitute.ts) turns the answer into quoting; whatever this module cannot place with certainty is refused.
 */
import {
  basename, commandArgv, parseSsh, readsScriptFromStdin, SHELLS, skipOptions, stripWrappers, unquote, walkCommands, wordSet,
} from '../runbook/shell-argv.js';
import type { ShellNode, ShellParser } from '../runbook/shell.js';

/**
 * How the text around a value is quoted, for one shell: a plain word (or part of one), inside "...", inside '...',
 * in an unquoted heredoc body, in arithmetic (only integers get there), or in a comment (nothing is evaluated).
 */
export type Context = 'bare' | 'double' | 'single' | 'heredoc' | 'arith' | 'comment';

export interface Placement {
  /** One context per shell that parses the value's text, the step's own shell first. */
  chain: Context[];
  /** The value is evaluated as arithmetic (`$(( ))`, `[[ -eq ]]`, `let`, subscripts): only a decimal integer is safe. */
  integer: boolean;
  /** The value names a variable (`read`, `printf -v`, `[[ -v ]]`): bash evaluates subscripts in names. */
  identifier: boolean;
  /** The value is ssh's destination, where a leading `-` would be read as an option (`-oProxyCommand=...`). */
  notOption: boolean;
}

/** A value that cannot be placed safely; the message says where it was and why. */
export class Refused extends Error {}

/**
 * Shells followed, the step's own included. Three covers `ssh host "sudo bash -c '...'"`; anything deeper is
 * refused rather than quoted on a guess.
 */
const MAX_LEVELS = 4;

const SHELL_VALUE = wordSet('-o', '+o', '-O', '+O', '--rcfile', '--init-file');
const WATCH_VALUE = wordSet('-n', '--interval', '-d', '--differences', '-q', '--equexit');
const ARITH_TESTS = wordSet('-eq', '-ne', '-lt', '-le', '-gt', '-ge');
const NAME_TESTS = wordSet('-v', '-R');
const NAME_BUILTINS = wordSet('read', 'mapfile', 'readarray', 'getopts', 'unset');
/** Commands that run their argument, or a file whose content a substitution produces (`bash <(...)`), as code. */
const RUNNERS = wordSet(...SHELLS, 'su', 'runuser', 'eval', 'source', '.', 'ssh', 'watch', 'trap');
/** Commands that, like `su -c`, hand the word after `-c` to a shell. */
const DASH_C_RUNNERS = wordSet('su', 'runuser', 'flock', 'script');
/** Commands that run a script read from stdin, beyond the shells and ssh: `at` and `batch` hand it to sh later. */
const STDIN_RUNNERS = wordSet('at', 'batch');
/** ssh options whose value a shell runs: locally (ProxyCommand, LocalCommand, KnownHostsCommand) or remotely (RemoteCommand). */
const SSH_COMMAND_OPTION = /^(ProxyCommand|LocalCommand|RemoteCommand|KnownHostsCommand)\s*[= ]\s*/i;

/** Words of an argv another shell parses: argv[from..to) joined by spaces, `strip` characters cut from the front. */
interface Span {
  from: number;
  to: number;
  strip: number;
}

/** The script word of `sh -c SCRIPT`, `bash -ec SCRIPT`, `su -c SCRIPT`, `su --command=SCRIPT` (as dashCScript reads them). */
function dashC(argv: readonly string[]): { index: number; strip: number } | null {
  for (let i = 1; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (word === '--') return null;
    if (word === '--command' || (/^-[a-zA-Z]+$/.test(word) && word.includes('c'))) {
      return i + 1 < argv.length ? { index: i + 1, strip: 0 } : null;
    }
    if (word.startsWith('--command=')) return { index: i, strip: '--command='.length };
    if (SHELL_VALUE.has(word)) i++;
  }
  return null;
}

/**
 * The words of argv that another shell parses again, outermost first: the command of `ssh` (which joins its words with
 * spaces for the remote shell), the script of a shell's `-c` or `su -c`, `eval`, `watch`, `trap`. Wrappers (sudo, env,
 * docker/kubectl exec, xargs) are seen through, and a shell or ssh anywhere in argv counts (`find -exec sh -c`).
 */
function evalSpans(argv: readonly string[]): Span[] {
  const inner = stripWrappers(argv).argv;
  const off = argv.length - inner.length;
  const head = basename(inner[0] ?? '');
  const spans: Span[] = [];
  const from = (at: number): number => off + at;
  if (head === 'eval' && inner.length > 1) spans.push({ from: from(1), to: argv.length, strip: 0 });
  if (head === 'watch') {
    const at = skipOptions(inner, 1, WATCH_VALUE);
    if (at < inner.length) spans.push({ from: from(at), to: argv.length, strip: 0 });
  }
  if (head === 'trap') {
    const at = skipOptions(inner, 1);
    if (at < inner.length && inner[at] !== '-') spans.push({ from: from(at), to: from(at) + 1, strip: 0 });
  }
  for (let i = 0; i < argv.length; i++) {
    const word = basename(argv[i] ?? '');
    const rest = argv.slice(i);
    if (word === 'ssh' && argv[i - 1] !== '-e' && argv[i - 1] !== '--rsh') {
      spans.push(...sshOptionSpans(argv, i));
      const call = parseSsh(rest);
      if (call && call.command.length > 0) spans.push({ from: argv.length - call.command.length, to: argv.length, strip: 0 });
    } else if (SHELLS.has(word) || DASH_C_RUNNERS.has(word)) {
      const c = dashC(rest);
      if (c) spans.push({ from: i + c.index, to: i + c.index + 1, strip: c.strip });
    }
  }
  return spans;
}

/** `-o ProxyCommand=...` and the like in the options of the ssh at argv[at]: each value is a command line for a shell. */
function sshOptionSpans(argv: readonly string[], at: number): Span[] {
  const spans: Span[] = [];
  for (let i = at + 1; i < argv.length; i++) {
    const word = argv[i] ?? '';
    if (!word.startsWith('-') || word === '--') break;
    if (!word.startsWith('-o')) continue;
    const attached = word.length > 2;
    const index = attached ? i : i + 1;
    const value = attached ? word.slice(2) : argv[index] ?? '';
    const option = SSH_COMMAND_OPTION.exec(value);
    if (option) spans.push({ from: index, to: index + 1, strip: (attached ? 2 : 0) + option[0].length });
    if (!attached) i++;
  }
  return spans;
}

/** A pipeline stage's command: the command itself or the body of a redirected statement. */
function stageCommand(node: ShellNode | null): ShellNode | null {
  if (node?.type === 'redirected_statement') return stageCommand(node.childForFieldName('body'));
  return node?.type === 'command' ? node : null;
}

/** The command reading a heredoc or here-string, and the statement that stands for it in a pipeline. */
function redirectConsumer(redirect: ShellNode): { command: ShellNode | null; stage: ShellNode } {
  const parent = redirect.parent ?? redirect;
  return { command: stageCommand(parent), stage: parent };
}

/** Commands that read what `stage` writes: later stages of its pipeline (and `cat <<EOF | bash`, which the grammar nests in the redirect). */
function laterStages(stage: ShellNode, redirect: ShellNode | null = null): ShellNode[] {
  const out: ShellNode[] = [];
  for (const pipe of redirect?.namedChildren ?? []) {
    if (pipe?.type === 'pipeline') for (const c of pipe.namedChildren) out.push(...(stageCommand(c) ? [stageCommand(c) as ShellNode] : []));
  }
  const holder = stage.parent?.type === 'redirected_statement' ? stage.parent : stage;
  if (holder.parent?.type === 'pipeline') {
    for (const sibling of holder.parent.namedChildren) {
      const c = sibling && sibling.startIndex > holder.startIndex ? stageCommand(sibling) : null;
      if (c) out.push(c);
    }
  }
  return out;
}

/** Whether a command runs what arrives on its stdin as a script: `bash`, `sh -s`, `ssh host`, `ssh host sudo bash -s`. */
function runsStdin(command: ShellNode | null, parser: ShellParser, level = 0): boolean {
  if (!command) return false;
  const raw = commandArgv(command);
  const { argv, bulk } = stripWrappers(raw);
  const head = basename(argv[0] ?? '');
  if (readsScriptFromStdin(argv) || STDIN_RUNNERS.has(head)) return true;
  // `su - app` and `sudo -i` / `sudo -s` start a shell that reads stdin (sudo -s CMD is counted too: safe, if over-careful).
  if ((head === 'su' || head === 'runuser') && dashC(argv) === null) return true;
  if (/^(sudo|doas)$/.test(basename(raw[0] ?? '')) && raw.some((w) => /^-[a-zA-Z]*[is]/.test(w) || w === '--login' || w === '--shell')) {
    return true;
  }
  if (head === 'crontab') throw new Refused('it goes into a crontab, whose lines cron runs as commands later');
  // `xargs -I{} sh -c '... {}'` pastes what it reads into a script.
  if (bulk && (RUNNERS.has(head) || evalSpans(argv).length > 0)) return true;
  const call = parseSsh(argv);
  if (!call || call.command.length === 0) return false;
  if (level >= MAX_LEVELS) return true;
  const tree = parser.parse(call.command.join(' '));
  try {
    let runs = tree.rootNode.hasError;
    walkCommands(tree.rootNode, (c) => {
      runs ||= runsStdin(c, parser, level + 1);
    });
    return runs;
  } finally {
    tree.delete();
  }
}

const contains = (node: ShellNode, start: number, end: number): boolean => node.startIndex <= start && end <= node.endIndex;

/** The words of a command node as argv, each with its node. */
function commandWords(command: ShellNode): { nodes: ShellNode[]; argv: string[] } {
  const nodes = [command.childForFieldName('name'), ...command.childrenForFieldName('argument')].filter((n): n is ShellNode => n !== null);
  return { nodes, argv: nodes.map(unquote) };
}

/** Text of a heredoc body as the shell that reads it receives it (the outer shell removes `\$`, `` \` ``, `\\` escapes). */
function heredocText(body: ShellNode): string {
  return body.text.replace(/\\([$`\\])/g, '$1').replace(/\\\n/g, '');
}

/** `<`, `<<`, `<<<`, `>`, ... : the operator after an optional file descriptor. */
function redirectOp(redirect: ShellNode): string {
  return redirect.child(redirect.child(0)?.type === 'file_descriptor' ? 1 : 0)?.text ?? '';
}

function isQuotedHeredoc(redirect: ShellNode): boolean {
  const start = redirect.namedChildren.find((c) => c?.type === 'heredoc_start');
  return /['"\\]/.test(start?.text ?? '');
}

/**
 * Where `marker` (a plain word standing in for the value) lands in `text`, following it into every shell that parses
 * it again. Throws Refused when the place cannot be quoted safely.
 */
export function placeMarker(parser: ShellParser, text: string, marker: string, level = 0): Placement {
  if (level >= MAX_LEVELS) throw new Refused(`it is nested in more than ${MAX_LEVELS - 1} levels of shells that re-read it`);
  const start = text.indexOf(marker);
  if (start < 0) throw new Refused('could not follow it into the script that another shell runs');
  const tree = parser.parse(text);
  try {
    if (tree.rootNode.hasError) {
      throw new Refused(level === 0 ? 'the step does not parse as shell, so its quoting cannot be known' : 'the script another shell runs does not parse');
    }
    return walk(parser, tree.rootNode, text, start, start + marker.length, marker, level);
  } finally {
    tree.delete();
  }
}

function walk(parser: ShellParser, root: ShellNode, text: string, start: number, end: number, marker: string, level: number): Placement {
  const out: Placement = { chain: [], integer: false, identifier: false, notOption: false };
  let ctx: Context | null = null;
  /** A command (or redirect) has taken the value; nodes above only see what it prints. */
  let consumed = false;
  /** ... and that output is captured by `$(...)`, `<(...)` or backticks. */
  let captured = false;
  let names = false;
  let inner: string | null = null;

  /** An input redirect (heredoc, here-string) carrying the value to a command: follow it if the command runs it. */
  const intoStdin = (redirect: ShellNode, script: string): void => {
    const { command, stage } = redirectConsumer(redirect);
    const later = laterStages(stage, redirect);
    const copies = command !== null && basename(commandArgv(command)[0] ?? '') === 'cat';
    if (runsStdin(command, parser)) inner = script;
    else if (later.some((c) => runsStdin(c, parser))) {
      if (!copies) throw new Refused('it goes into the input of a command whose output a shell runs');
      inner = script;
    }
  };

  for (let n: ShellNode | null = root.descendantForIndex(start, end); n; n = n.parent) {
    if (consumed) {
      if (n.type === 'command_substitution' || n.type === 'process_substitution') captured = true;
      if (!captured) continue;
      if (n.type === 'command') {
        const { nodes, argv } = commandWords(n);
        const idx = nodes.findIndex((w) => contains(w, start, end));
        const head = basename(stripWrappers(argv).argv[0] ?? '');
        // Any runner before it counts: stripWrappers reads `bash FILE` as FILE, and `sudo bash <(...)` is as bad.
        const runner = argv.slice(0, Math.max(idx, 0)).some((w) => RUNNERS.has(basename(w)));
        if (idx === 0 || runner || evalSpans(argv).some((s) => s.from <= idx && idx < s.to)
          || (/^(echo|printf|cat)$/.test(head) && laterStages(n).some((c) => runsStdin(c, parser)))) {
          throw new Refused('it is inside $(...) or backticks whose output another shell runs as code');
        }
      }
      if ((n.type === 'heredoc_redirect' || n.type === 'herestring_redirect' || n.type === 'file_redirect')
        && redirectOp(n).startsWith('<') && runsStdin(redirectConsumer(n).command, parser)) {
        throw new Refused('it is inside $(...) or backticks whose output a shell reads as its script');
      }
      continue;
    }
    switch (n.type) {
      case 'comment':
        return { ...out, chain: ['comment'] };
      case 'string':
        ctx ??= 'double';
        break;
      case 'raw_string':
        ctx ??= 'single';
        break;
      case 'ansi_c_string':
        throw new Refused("it is inside $'...', whose escapes cannot hold a value safely");
      case 'simple_expansion':
      case 'expansion':
        throw new Refused('it is inside a ${...} expansion');
      case 'variable_name':
        names = true;
        break;
      case 'arithmetic_expansion':
      case 'subscript':
        ctx ??= 'arith';
        out.integer = true;
        break;
      case 'compound_statement':
        if (n.child(0)?.text === '((') {
          ctx ??= 'arith';
          out.integer = true;
        }
        break;
      case 'c_style_for_statement': // only its header: a value in the body was taken by a command below
        ctx ??= 'arith';
        out.integer = true;
        consumed = true;
        break;
      case 'binary_expression':
        if (n.namedChildren.some((c) => c?.type === 'test_operator' && ARITH_TESTS.has(c.text))) out.integer = true;
        break;
      case 'unary_expression':
        if (n.namedChildren.some((c) => c?.type === 'test_operator' && NAME_TESTS.has(c.text))) out.identifier = true;
        break;
      case 'function_definition':
        throw new Refused('it names a function');
      case 'command_substitution':
      case 'process_substitution':
        ctx ??= 'bare';
        break;
      case 'heredoc_body': {
        const redirect = n.parent;
        if (!redirect) break;
        if (isQuotedHeredoc(redirect)) {
          throw new Refused("it is inside a quoted heredoc (<<'EOF'), where the shell expands nothing, so a value could only be "
            + 'pasted in as text: remove the quotes around the delimiter, or pass the value another way');
        }
        ctx ??= 'heredoc';
        intoStdin(redirect, heredocText(n));
        consumed = true;
        break;
      }
      case 'herestring_redirect': {
        const word = n.lastNamedChild;
        if (word) intoStdin(n, unquote(word));
        consumed = true;
        break;
      }
      case 'file_redirect':
      case 'test_command':
      case 'unset_command':
        if (n.type === 'unset_command') out.identifier = true;
        consumed = true;
        break;
      case 'declaration_command': {
        const flags = n.namedChildren.filter((c) => c?.type === 'word' && c.text.startsWith('-')).map((c) => c?.text ?? '').join('');
        if (/[aAi]/.test(flags)) out.integer = true; // -i evaluates arithmetic; array values may be re-parsed
        if (flags.includes('n')) out.identifier = true; // a nameref's value is a variable name
        consumed = true;
        break;
      }
      case 'command': {
        consumed = true;
        const { nodes, argv } = commandWords(n);
        const idx = nodes.findIndex((w) => contains(w, start, end));
        if (idx < 0) break; // a prefix assignment or a redirect: the value is data for this command
        const span = evalSpans(argv).find((s) => s.from <= idx && idx < s.to);
        if (span) {
          inner = argv.slice(span.from, span.to).join(' ').slice(span.strip);
          break;
        }
        const unwrapped = stripWrappers(argv).argv;
        const at = idx - (argv.length - unwrapped.length);
        const head = basename(unwrapped[0] ?? '');
        if (at >= 1 && NAME_BUILTINS.has(head)) out.identifier = true;
        if (at >= 1 && /^(printf|test|\[|wait)$/.test(head) && /^-[vRp]$/.test(unwrapped[at - 1] ?? '')) out.identifier = true;
        if (at >= 1 && head === 'let') out.integer = true;
        const call = parseSsh(unwrapped);
        if (call && at === unwrapped.length - call.command.length - 1) out.notOption = true;
        if (/^(echo|printf)$/.test(head) && laterStages(n).some((c) => runsStdin(c, parser))) {
          throw new Refused('it is printed into a shell that runs it (echo ... | sh); use sh -c instead');
        }
        break;
      }
      default:
        break;
    }
  }
  if (names && !out.integer) throw new Refused('it names a variable');
  const here: Context = ctx ?? 'bare';
  if (here === 'heredoc' && level > 0) throw new Refused('it is inside a heredoc within a script that another shell runs');
  if (here !== 'single' && text[start - 1] === '\\') throw new Refused('it follows a backslash, which would escape the quoting');
  if (level > 0 && hasBacktickAbove(root, start, end)) throw new Refused('it is inside backticks within a script that another shell runs');
  out.chain = [here];
  if (inner !== null) {
    const deeper = placeMarker(parser, inner, marker, level + 1);
    return {
      chain: [here, ...deeper.chain],
      integer: out.integer || deeper.integer,
      identifier: out.identifier || deeper.identifier,
      notOption: out.notOption || deeper.notOption,
    };
  }
  return out;
}

/** Backticks re-scan their content for a closing backtick before quotes apply, so text pasted inside them can end them early. */
function hasBacktickAbove(root: ShellNode, start: number, end: number): boolean {
  for (let n: ShellNode | null = root.descendantForIndex(start, end); n; n = n.parent) {
    if (n.type === 'command_substitution' && n.text.startsWith('`')) return true;
  }
  return false;
}
