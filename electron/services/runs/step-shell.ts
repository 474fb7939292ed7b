/**
 * The bash around a command step: errexit/pipefail as the step asks, the section's carried session restored, and
 * the shell's state reported when the step ends, so that the next step of the run starts where this one left off,
 * as if typed into one shell (the approach of Runme and Atuin Desktop: each step its own process, the state carried
 * between them). The state travels on the step's own stdout between markers holding a per-attempt nonce, written
 * to a copy of stdout taken before the step runs (so `exec >file` in a step does not lose it), and is cut out of
 * the output before anything is stored or shown.
 */
import { randomBytes } from 'node:crypto';

export interface ShellOptions {
  errexit: boolean;
  pipefail: boolean;
}

/** Single-quotes a string for bash: the only character that needs care inside '...' is the quote itself. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Names of the wrapper's own variables; never reported, never carried. */
const OWN = '__od_';

/**
 * The wrapper's script. Runs under bash; under another shell (a host without bash) it runs the step alone, without
 * a session. Blocks written, each `<marker>:<tag>\n ... <marker>;\n`: before the step `Bv` (declare -p); at exit
 * `Av` (declare -p), `Af` (declare -f), `Ad` ($PWD) and `Ae` (exit status,
 * the failing command's status and pipe statuses, its line, the line the step began on, BASH_COMMAND).
 * The redirections `{ ... } 2>/dev/null` keep the report out of a step's `set -x` trace.
 */
export function wrapStep(script: string, opts: ShellOptions & { restore: { vars: string; options: string } | null; nonce: string }): string {
  const m = `__od_m=$'\\x1e'${opts.nonce}`;
  const block = (tag: string, body: string): string => `printf '%s:${tag}\\n' "$__od_m"; ${body}; printf '%s;\\n' "$__od_m"`;
  // The step's own EXIT handler (see the `trap` shim below) runs first, as in its own shell, with the step's status.
  // (`__od_ret N || eval`: the handler starts with $? = N, and a non-zero N does not trip errexit on the way.)
  const stepExit = 'if [[ -n ${__od_ux-} && $__od_ux != - ]]; then if [[ $__od_x == 0 ]]; then eval "$__od_ux"; else __od_ret "$__od_x" || eval "$__od_ux"; fi; fi';
  const atExit = [
    'unset __od_s; unset -f trap __od_ret',
    block('Av', 'declare -p'),
    block('Af', 'declare -f'),
    block('Ad', `printf '%s\\n' "$PWD"`),
    block('Ae', `printf '%s\\n%s\\n%s\\n%s\\n%s\\n%s' "$__od_x" "\${__od_rc-}" "\${__od_ps-}" "\${__od_fl-}" "$__od_base" "\${__od_fc-}"`),
  ].join('; ');
  // The step's last command was a pipeline that failed only by SIGPIPE (below): the step succeeded.
  const exitStatus = '{ __od_x=$?; if [[ $__od_x == 141 && ${__od_sp-} == 1 ]]; then __od_x=0; fi; if [[ ${__od_se-} == 1 ]]; then set -e; fi; } 2>/dev/null';
  const onExit = `${exitStatus}; ${stepExit}; { ${atExit}; } >&$__od_o 2>/dev/null; exit $__od_x`;
  // pipefail, except for a writer that SIGPIPE stopped because its reader was done (`journalctl | head`, `| grep -q`):
  // a pipeline whose statuses are all 0 or 141 (128 + SIGPIPE) with the last 0 is no failure, nor is the same 141
  // passed on by the function, subshell or eval it ended. Bash cannot be told so. The ERR trap runs before errexit
  // acts: for such a pipeline it switches bash's errexit off and from then on acts as errexit itself (the ERR trap
  // runs where errexit would act, `if`/`&&`/`||` conditions excepted alike, and in functions and subshells with -E).
  // A step that runs `set +e` after such a pipeline still stops at its next failure: bash does not tell a trap.
  // The wrapper's own `eval` of the step only reports the step's status again: left alone.
  const onErr = [
    // PIPESTATUS joined with spaces whatever IFS a step left.
    `{ __od_rc=$? __od_pa=("\${PIPESTATUS[@]}"); printf -v __od_ps '%s ' "\${__od_pa[@]}"; __od_ps=\${__od_ps% }`,
    'if [[ $BASH_COMMAND == "$__od_ev" ]]; then :',
    `elif [[ " $__od_ps " =~ $__od_pre && \${__od_ps##* } == 0 ]] || [[ \${__od_sp-} == 1 && $__od_ps == 141 ]]; then __od_sp=1; if [[ $- == *e* ]]; then __od_se=1; set +e; fi`,
    // A real failure: the step's own ERR handler runs (with the failure's status), then errexit as ours if need be.
    'else __od_sp=; __od_fc=$BASH_COMMAND; __od_fl=$LINENO; __od_ur=1; fi; } 2>/dev/null',
    'if [[ ${__od_ur-} == 1 ]]; then __od_ur=; if [[ -n ${__od_ue-} && $__od_ue != - ]]; then __od_ret "$__od_rc" || eval "$__od_ue"; fi; if [[ ${__od_se-} == 1 ]]; then exit $__od_rc; fi; fi',
  ].join('; ');
  // A step's `trap ... EXIT` or `trap ... ERR` would replace the wrapper's (and lose the report, the SIGPIPE rule
  // and errexit after one): the shim keeps those two handlers for the wrapper to run, and hands other signals to
  // the builtin. `trap -p` still lists the wrapper's. It is removed before functions are reported.
  const shim = [
    '__od_ret() { return "$1"; }',
    'trap() {',
    '  local __od_h __od_g __od_r=()',
    '  if [[ ${1-} == -- ]]; then shift; fi',
    '  if [[ $# -eq 1 && $1 != -* ]]; then set -- - "$1"; fi',
    '  if [[ $# -lt 2 || $1 == -[lp]* ]]; then builtin trap "$@"; return; fi',
    '  __od_h=$1; shift',
    '  for __od_g in "$@"; do case ${__od_g^^} in EXIT|0|SIGEXIT) __od_ux=$__od_h ;; ERR|SIGERR) __od_ue=$__od_h ;; *) __od_r+=("$__od_g") ;; esac; done',
    '  if (( ${#__od_r[@]} )); then builtin trap -- "$__od_h" "${__od_r[@]}"; fi',
    '}',
  ].join('\n');
  return [
    `__od_s=${shellQuote(script)}`,
    // Not bash, or a bash before 4.1 (no {fd}> redirection; macOS's /bin/bash is 3.2): the step runs, no session.
    'case ${BASH_VERSION-} in \'\'|[123].*|4.0.*) eval "$__od_s"; exit ;; esac',
    `exec {__od_o}>&1; ${m}; __od_pre='^( (0|141))+ $'; __od_ev='eval "$__od_s"'`,
    // The carried state is restored with errexit off (a variable bash refuses must not end the step unseen), then
    // the step's errexit and pipefail (its own, from the runbook: a step's `set +e` is not carried), then, just
    // before the step, the other option changes carried.
    opts.restore?.vars ?? '',
    `set ${opts.errexit ? '-e' : '+e'} ${opts.pipefail ? '-o' : '+o'} pipefail -E`,
    // Options need no dump of their own: SHELLOPTS and BASHOPTS, in declare -p, name the ones on.
    `{ ${block('Bv', 'declare -p')}; } >&$__od_o 2>/dev/null`,
    `trap ${shellQuote(onErr)} ERR`,
    `trap ${shellQuote(onExit)} EXIT`,
    shim,
    // Carried options last, just before the step (a carried `set -x` then traces the step, not the wrapper).
    opts.restore?.options ? `{ ${opts.restore.options.split('\n').join('; ')}; } 2>/dev/null` : '',
    '__od_base=$LINENO; eval "$__od_s"',
  ].join('\n');
}

export const newNonce = (): string => randomBytes(12).toString('hex');

/** The blocks a wrapped step reported, by tag. */
export type Blocks = Map<string, string>;

/**
 * Cuts the wrapper's blocks out of a step's stdout as it streams: `push` returns the text to show (possibly held
 * back by up to a marker's length while a marker might be starting), `end` the rest and the blocks.
 */
export function createStateFilter(nonce: string): { push(data: string): string; end(): { rest: string; blocks: Blocks } } {
  const marker = `\x1e${nonce}`;
  const close = `${marker};\n`;
  const blocks: Blocks = new Map();
  let buffer = '';
  let inBlock: string | null = null;
  let content = '';
  const take = (): string => {
    let out = '';
    for (;;) {
      if (inBlock === null) {
        const at = buffer.indexOf(marker);
        if (at < 0) {
          // Hold back a tail that could be the start of a marker.
          let keep = Math.min(buffer.length, marker.length - 1);
          while (keep > 0 && !marker.startsWith(buffer.slice(buffer.length - keep))) keep--;
          out += buffer.slice(0, buffer.length - keep);
          buffer = buffer.slice(buffer.length - keep);
          return out;
        }
        const nl = buffer.indexOf('\n', at);
        if (nl < 0) {
          out += buffer.slice(0, at);
          buffer = buffer.slice(at);
          return out;
        }
        out += buffer.slice(0, at);
        const head = buffer.slice(at + marker.length, nl);
        buffer = buffer.slice(nl + 1);
        if (head.startsWith(':')) {
          inBlock = head.slice(1);
          content = '';
        }
        // A stray `<marker>;` outside a block is dropped.
      } else {
        const at = buffer.indexOf(close);
        if (at < 0) {
          const keep = Math.min(buffer.length, close.length - 1);
          content += buffer.slice(0, buffer.length - keep);
          buffer = buffer.slice(buffer.length - keep);
          return out;
        }
        content += buffer.slice(0, at);
        buffer = buffer.slice(at + close.length);
        blocks.set(inBlock, content);
        inBlock = null;
      }
    }
  };
  return {
    push(data) {
      buffer += data;
      return take();
    },
    end() {
      const out = take();
      // An unfinished block (the step was killed mid-report) is not state; unclaimed text is output.
      const rest = inBlock === null ? buffer : '';
      buffer = '';
      return { rest: out + rest, blocks };
    },
  };
}

/** One variable as `declare -p` prints it: its attribute flags, and its value as bash quoted it (null: declared, unset). */
export interface Declaration {
  name: string;
  flags: string;
  value: string | null;
  /** The statement itself, which recreates the variable when run at the top level. */
  statement: string;
}

/**
 * Reads `declare -p` output: one `declare -FLAGS NAME[=VALUE]` per variable, VALUE quoted by bash as "...", $'...'
 * or an array `(...)` of such. Quote-aware, so a value holding newlines or `declare -` is read whole.
 */
export function parseDeclarations(text: string): Map<string, Declaration> {
  const out = new Map<string, Declaration>();
  let i = 0;
  const n = text.length;
  const skipQuoted = (): void => {
    const c = text[i];
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '$' && text[i + 1] === "'") {
      i += 2;
      while (i < n && text[i] !== "'") i += text[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === "'") {
      i++;
      while (i < n && text[i] !== "'") i++;
      i++;
    } else {
      i++;
    }
  };
  while (i < n) {
    const start = i;
    const head = /^declare (-[a-zA-Z-]*) ([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(i, i + 300));
    if (!head) {
      const nl = text.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
      continue;
    }
    i += head[0].length;
    let value: string | null = null;
    if (text[i] === '=') {
      i++;
      const from = i;
      if (text[i] === '(') {
        let depth = 0;
        while (i < n) {
          const c = text[i];
          if (c === '(') {
            depth++;
            i++;
          } else if (c === ')') {
            depth--;
            i++;
            if (depth === 0) break;
          } else if (c === '"' || c === "'" || (c === '$' && text[i + 1] === "'")) {
            skipQuoted();
          } else if (c === '\\') {
            i += 2;
          } else {
            i++;
          }
        }
      } else {
        while (i < n && text[i] !== '\n') {
          const c = text[i];
          if (c === '"' || c === "'" || (c === '$' && text[i + 1] === "'")) skipQuoted();
          else i += c === '\\' ? 2 : 1;
        }
      }
      value = text.slice(from, i);
    }
    const statement = text.slice(start, i);
    const nl = text.indexOf('\n', i);
    i = nl < 0 ? n : nl + 1;
    out.set(head[2] ?? '', { name: head[2] ?? '', flags: (head[1] ?? '-').replace(/^-/, '').replace(/-/g, ''), value, statement });
  }
  return out;
}

/** A bash-quoted value as the user would read it: "..." and $'...' unquoted where simple; arrays as written. */
export function displayValue(value: string | null): string {
  if (value === null) return '';
  if (value.startsWith('"') && value.endsWith('"')) return value.slice(1, -1).replace(/\\([\\"$`])/g, '$1');
  return value;
}

/**
 * Variables never carried: bash's own (set anew by every shell, many read-only), the wrapper's, and those of the
 * step's environment that Opsdeck sets.
 */
const SPECIAL = new Set([
  'BASH', 'BASHOPTS', 'BASHPID', 'BASH_ALIASES', 'BASH_ARGC', 'BASH_ARGV', 'BASH_ARGV0', 'BASH_CMDS', 'BASH_COMMAND',
  'BASH_EXECUTION_STRING', 'BASH_LINENO', 'BASH_LOADABLES_PATH', 'BASH_REMATCH', 'BASH_SOURCE', 'BASH_SUBSHELL',
  'BASH_VERSINFO', 'BASH_VERSION', 'COLUMNS', 'COMP_WORDBREAKS', 'DIRSTACK', 'EPOCHREALTIME', 'EPOCHSECONDS', 'EUID',
  'FUNCNAME', 'GROUPS', 'HISTCMD', 'HOSTNAME', 'HOSTTYPE', 'LINENO', 'LINES', 'MACHTYPE', 'OPTERR', 'OPTIND', 'OSTYPE',
  'PIPESTATUS', 'PPID', 'PWD', 'OLDPWD', 'RANDOM', 'SECONDS', 'SHELLOPTS', 'SHLVL', 'SRANDOM', 'UID', '_',
]);
export const carriedName = (name: string): boolean => !SPECIAL.has(name) && !name.startsWith(OWN) && !name.startsWith('OPSDECK_');

/**
 * The options on, read from SHELLOPTS (`set -o` options) and BASHOPTS (`shopt` options) as declare -p gave them:
 * keys `o:<name>` and `s:<name>`.
 */
export function optionsOn(vars: ReadonlyMap<string, Declaration>): Set<string> {
  const on = new Set<string>();
  for (const [variable, prefix] of [['SHELLOPTS', 'o'], ['BASHOPTS', 's']] as const) {
    for (const name of displayValue(vars.get(variable)?.value ?? null).split(':')) if (name) on.add(`${prefix}:${name}`);
  }
  return on;
}

/** The line that turns an option (a key of optionsOn) on or off. */
export function optionLine(key: string, on: boolean): string {
  const name = key.slice(2);
  return key.startsWith('o:') ? `set ${on ? '-o' : '+o'} ${name}` : `shopt ${on ? '-s' : '-u'} ${name}`;
}

/** Option state, one line per option as `set +o` / `shopt -p` print it, keyed by option name. */
export function parseOptions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^(?:set [-+]o|shopt -[su]) (\S+)$/.exec(line.trim());
    if (m?.[1]) out.set(`${line.trim().startsWith('set') ? 'o' : 's'}:${m[1]}`, line.trim());
  }
  return out;
}
