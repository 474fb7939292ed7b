/**
 * The judgement calls of the importer, in one place: which list items are procedure steps, which inline code is a
 * command line, and what a fenced block's info string means. Each rule is small and tested on its own.
 */

/** Imperative verbs that open a procedure step ("Verify integrity", "Stop all executors"). */
const ACTION_VERBS = new Set(
  `abort add adjust alert align analyse analyze announce apply approve archive ask assess assign attach audit
  back backup block build bump call cancel capture certify change check choose clean clear close collect
  communicate compare configure confirm connect consider contact copy cordon create debrief decide decrease delete
  deploy determine disable document download downgrade drain drop enable ensure escalate estimate evaluate execute
  export file fill find fix flush follow force gather generate grant grep hand identify implement import increase
  incorporate inform inspect install introduce investigate invite isolate keep kill label launch list load lock log
  look make manually mark measure merge migrate monitor mount move note notify obtain open optimize optimise
  page pair pause perform ping plan post prepare preserve promote provide prune publish pull purge push query
  raise re-run read rebalance rebuild reboot record recover redeploy reduce refresh register reindex reject release
  reload remove rename reopen repeat replace report request rerun reset resize resolve restart restore resume
  retry revert review revoke rollback roll rotate route run save scale scan schedule search select send set
  shadow share shift shut shutdown sign snapshot start stop submit summarize summarise suspend switch sync tag take
  tail terminate test tidy track train transfer triage trigger truncate unblock uninstall unlock update upgrade upload
  use validate verify vacuum wait warm watch wipe write`.split(/\s+/),
);

/** Words that make a line read as an expected state ("`GET /v1/live` returns `200`", "release gate passed"). */
const EXPECTATION =
  /\b(returns?|responds?|shows?|reports?|should|must|passe[sd]|pass|verified|confirmed|healthy|reachable|available|succeeded|successful|complete[sd]?|exists?|present|enabled|disabled|running|ready|clean|rotating|reviewed|up to date|matches|no (?:errors?|alerts?|warnings?))\b/i;

const CONDITIONAL = /^(if|when|once|after|before|unless|on)\b/i;

/** Drops a leading "1." / "Step 2:" and Markdown emphasis, and a trailing colon. */
export function cleanTitle(text: string): string {
  return text
    .replace(/^\s*(?:step\s*)?\d+[.):]\s*/i, '')
    .replace(/[*_]{1,3}([^*_]+)[*_]{1,3}/g, '$1')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\s*[:：]\s*$/, '')
    .trim();
}

/** "**Access Setup**: Provide access" -> "Provide access"; used for numbered items, whose bold labels name steps. */
function afterLabel(text: string): string {
  const m = /^\s*(?:\*\*[^*]+\*\*|[A-Z][\w /-]{0,40})\s*:\s*(.+)$/.exec(text);
  return m?.[1] ?? text;
}

function firstWord(text: string): string {
  return (/^[\s*_`"'(]*([A-Za-z][A-Za-z-]*)/.exec(text)?.[1] ?? '').toLowerCase();
}

/**
 * Does a list item without code read as something to do or to confirm?
 * Bulleted items must start with a verb or state an expectation; numbered ones may put a bold label first.
 */
export function readsAsStep(markdown: string, numbered: boolean): boolean {
  const text = markdown.trim();
  if (text.length === 0) return false;
  const candidates = numbered ? [text, afterLabel(text)] : [text];
  for (const c of candidates) {
    const word = firstWord(c);
    if (ACTION_VERBS.has(word)) return true;
    if (CONDITIONAL.test(c.replace(/^[\s*_]+/, '')) && /[:,]/.test(c)) return true;
  }
  return EXPECTATION.test(text) && (text.includes('`') || text.length <= 80);
}

/** Programs that make inline code a command line even without flags. */
const KNOWN_COMMANDS = new Set(
  `ab apt apt-get aws az bash brew cat cd chmod chown cp crontab curl dd df dig docker docker-compose du echo
  find free gcloud gh git grep gunzip gzip head helm htop iostat ip iptables jq journalctl kill killall kubectl
  less ln logrotate ls lsof make mkdir mv mysql nc netstat nginx node npm npx openssl pg_dump pg_restore ping pip
  pip3 pkill podman ps psql pytest python python3 redis-cli rm rsync scp sed service sh sqlite3 ss ssh sudo
  systemctl tail tar tc terraform top touch uptime vim watch wget who yarn zsh`.split(/\s+/),
);

/** Inline code that is clearly a command line: `tail -f x.log`, `./scripts/release_check.sh --mode deploy`. */
export function isCommandLine(code: string): boolean {
  const text = code.trim();
  if (text.length < 2 || text.includes('\n')) return false;
  const words = text.split(/\s+/);
  const first = words[0] ?? '';
  if (/^[-/.]?$/.test(first) || first.startsWith('-')) return false;
  if (/^[A-Z]+$/.test(first)) return false; // GET /v1/live, POST ...: HTTP, not shell
  if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(first) && words.length === 1) return false; // a lone VAR=value
  if (!/^[A-Za-z0-9_./~-]+$/.test(first.replace(/^[A-Za-z_][A-Za-z0-9_]*=\S*$/, 'env'))) return false;
  if (KNOWN_COMMANDS.has(first)) return words.length > 1 || ['df', 'free', 'uptime', 'who', 'top', 'htop', 'ps'].includes(first);
  const pathLike = /^(\.{1,2}\/|~\/|\/)/.test(first);
  if (pathLike && (words.length > 1 || /\.(sh|py|rb|pl|js)$/.test(first))) return true;
  return words.length >= 2 && words.slice(1).some((w) => /^--?[A-Za-z]/.test(w));
}

export type BlockClass = 'shell' | 'console' | 'template' | 'reference' | 'cron' | 'unknown';
/** What a fence's label alone says; `unnamed`: a label that names no language we know (`command`, `run`, `script`). */
export type LabelClass = BlockClass | 'unnamed';

const SHELL_LANGS = new Set(['bash', 'sh', 'shell', 'zsh', 'ksh', 'shellscript', 'sh-session']);
const CONSOLE_LANGS = new Set(['console', 'shell-session', 'terminal', 'shellsession']);
const TEMPLATE_LANGS = new Set(['markdown', 'md', 'template']);
const PLAIN_LANGS = new Set(['', 'text', 'txt', 'plain', 'plaintext']);

/**
 * Labels that name a language or format other than bash (the languages highlighters know, their usual aliases, and
 * the labels runbooks give output): such a block is shown, never run, whatever it holds. Other shells (fish, csh,
 * powershell) are here too: their syntax is not bash's. A label not here names nothing we know, and the block is
 * read by its content (see `unnamed`). Missing a language costs little: its content must still read as bash.
 */
const OTHER_LANGS = new Set(
  `yaml yml json jsonc json5 jsonl ndjson toml ini cfg conf config properties env dotenv xml xsd html htm xhtml css
  scss sass less styl svg python py python3 py3 ipython pycon ruby rb irb perl pl pm php lua r rscript go golang rust
  rs java kotlin kt kts scala groovy gradle swift objc objective-c c h cpp c++ cc cxx hpp hxx cs csharp fsharp fs vb
  vbnet js javascript mjs cjs node jsx ts typescript tsx vue svelte astro dart elixir ex exs erlang erl haskell hs
  clojure clj cljs edn ocaml ml nim zig julia jl matlab octave sql psql pgsql plpgsql plsql mysql sqlite tsql
  mssql cql cypher sparql graphql gql proto protobuf thrift avro hcl tf tfvars terraform nomad nix dockerfile
  containerfile makefile make mk cmake bazel starlark bzl nginx apache apacheconf htaccess caddyfile caddy haproxy
  varnish vcl systemd service timer socket desktop ignition powershell ps1 psm1 pwsh posh bat batch dos winbatch
  fish csh tcsh nu nushell elvish xonsh vim viml vimscript lisp elisp emacs-lisp scheme racket tex latex bibtex rst
  restructuredtext asciidoc adoc org diff patch udiff csv tsv http https rest mermaid plantuml puml dot graphviz
  regex regexp awk gawk sed jq yq promql logql kql splunk spl lucene jinja jinja2 j2 handlebars hbs mustache liquid
  twig erb ejs haml pug jade sls salt puppet pp rego cue jsonnet libsonnet dhall kdl ron sdl asm nasm wasm wat
  solidity sol verilog vhdl cobol fortran pascal delphi ada prolog tcl crystal raku coffee coffeescript elm
  purescript reason rescript gitignore gitconfig gitattributes editorconfig ssh-config sshconfig dns zone bind hosts
  ldif pem csr crt der asn1 log logs output out stdout stderr result results response request email eml mail mbox
  po pot ical ics vcard uri url`.split(/\s+/),
);

/** The info string's first word, lower-cased: "```bash title=x" -> "bash". */
export function normaliseLanguage(lang: string | null | undefined): string {
  return (lang ?? '').trim().split(/[\s{,]/)[0]?.toLowerCase() ?? '';
}

export function classifyByLanguage(lang: string): LabelClass {
  if (SHELL_LANGS.has(lang)) return 'shell';
  if (CONSOLE_LANGS.has(lang)) return 'console';
  if (TEMPLATE_LANGS.has(lang)) return 'template';
  if (lang === 'cron' || lang === 'crontab') return 'cron';
  if (PLAIN_LANGS.has(lang)) return 'unknown';
  return OTHER_LANGS.has(lang) ? 'reference' : 'unnamed';
}

/** Shell prompts at line starts: a console transcript rather than a script. */
export function looksLikeConsole(code: string): boolean {
  const lines = code.split('\n').filter((l) => l.trim() !== '');
  const prompts = lines.filter((l) => /^\s*\$ \S/.test(l)).length;
  return prompts > 0 && prompts >= Math.ceil(lines.filter((l) => !/^\s*#/.test(l)).length / 3);
}

/** A form to fill in: several [placeholders] or "Key: [value]" lines, and prose rather than commands. */
export function looksLikeTemplate(code: string): boolean {
  const fields = code.match(/\[[^\]\n]{1,40}\]/g)?.length ?? 0;
  return fields >= 2;
}

/** The first word of each non-comment line of a plain block is a program we know: it reads as commands. */
export function readsAsCommands(code: string): boolean {
  const lines = code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (lines.length === 0) return false;
  const starts = lines.filter((l) => {
    const first = l.split(/\s+/)[0] ?? '';
    return KNOWN_COMMANDS.has(first) || /^(\.{1,2}\/|~\/)\S+/.test(first) || /^[A-Z_][A-Z0-9_]*=\S*$/.test(first);
  }).length;
  return starts / lines.length >= 0.6;
}
