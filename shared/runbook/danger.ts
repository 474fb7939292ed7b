/**
 * Grades a runbook step's shell script as safe, caution or destructive before anyone runs it, and spots steps that
 * are really one `ssh host "cmd"` so the inner command can run over Opsdeck's own connection. Rules match argv
 * words after wrappers (sudo, docker exec, ssh, bash -c ...) are seen through; nested scripts are parsed too.
 */
import type { Danger, DangerLevel, RemoteHint } from '../model/runbook.js';
import { flag, note, RULES } from './danger-rules.js';
import type { Cx, Level } from './danger-rules.js';
import { generic, GENERIC_EXEMPT, TEXT_ONLY } from './danger-words.js';
import type { ShellNode, ShellParser } from './shell.js';
import {
  basename, commandArgv, commandInput, innerScripts, NO_INPUT, parseSsh, readsScriptFromStdin, showArgv, stripWrappers, unquote,
  walkCommands,
} from './shell-argv.js';
import type { SshCall } from './shell-argv.js';

const MAX_DEPTH = 6;

const BLOCK_DEVICE = /^\/dev\/(sd|hd|vd|xvd|nvme|mmcblk|disk|md|dm-|mapper\/|loop)/;

function nested(script: string, cx: Cx, place: string | null): void {
  if (cx.depth >= MAX_DEPTH) return note(cx, 'caution', script.slice(0, 60), 'nested too deeply to check');
  const tree = cx.parser.parse(script);
  try {
    scan(tree.rootNode, { ...cx, depth: cx.depth + 1, place: place ?? cx.place, bulk: false });
  } finally {
    tree.delete();
  }
}

/** `curl URL | sh`: a shell reading its script from a download. */
function pipedDownload(argv: string[], cx: Cx): void {
  if (!readsScriptFromStdin(argv)) return;
  for (const up of cx.stdin.upstream) {
    if (/^(curl|wget|fetch)$/.test(basename(up[0] ?? ''))) {
      note(cx, 'destructive', `${showArgv(up, 50)} | ${showArgv(argv, 30)}`, 'pipes a download into a shell');
    }
  }
}

function gradeArgv(raw: readonly string[], outer: Cx): void {
  const unwrapped = stripWrappers(raw);
  const argv = unwrapped.argv;
  const first = argv[0];
  if (first === undefined) return;
  const cx: Cx = { ...outer, bulk: outer.bulk || unwrapped.bulk, place: unwrapped.place ?? outer.place };
  if (/^<\((curl|wget)\b/.test(first)) return flag(cx, 'destructive', argv, 'runs a downloaded script');
  const name = basename(first);
  const scripts = innerScripts(argv, cx.stdin);
  if (scripts) {
    pipedDownload(argv, cx);
    for (const inner of scripts) nested(inner.script, inner.fromStdin ? { ...cx, stdin: NO_INPUT } : cx, inner.place);
    return;
  }
  if (TEXT_ONLY.has(name)) return;
  const rule = Object.hasOwn(RULES, name) ? RULES[name] : /^(mkfs|mke2fs$)/.test(name) ? RULES.mkfs : undefined;
  rule?.(argv, cx);
  if (!GENERIC_EXEMPT.has(name)) generic(argv, name, cx);
}

function scan(root: ShellNode, cx: Cx): void {
  walkCommands(root, (command) => gradeArgv(commandArgv(command), { ...cx, stdin: commandInput(command, cx.stdin) }));
  for (const r of root.descendantsOfType('file_redirect')) {
    const op = r?.child(r.child(0)?.type === 'file_descriptor' ? 1 : 0)?.text ?? '';
    for (const dest of r?.childrenForFieldName('destination') ?? []) {
      const target = dest ? unquote(dest) : '';
      if (/^(>|>>|&>|&>>|>\|)$/.test(op) && BLOCK_DEVICE.test(target)) {
        note(cx, 'destructive', `> ${target}`, 'writes straight onto a block device');
      }
    }
  }
}

export function assessDanger(root: ShellNode, parser: ShellParser): Danger {
  const findings = new Map<string, Level>();
  try {
    scan(root, { parser, findings, depth: 0, place: null, stdin: NO_INPUT, bulk: false, grade: gradeArgv });
  } catch {
    findings.set('could not fully analyse this script; read it before running', 'caution');
  }
  const reasons = [...findings.keys()];
  const level: DangerLevel = [...findings.values()].includes('destructive') ? 'destructive' : reasons.length > 0 ? 'caution' : 'safe';
  return { level, reasons };
}

export function findRemoteHint(root: ShellNode): RemoteHint | null {
  if (root.hasError) return null;
  const statements = root.type === 'program' ? root.namedChildren.filter((n) => n && n.type !== 'comment') : [root];
  const calls = statements.map((s) => (s?.type === 'command' ? parseSsh(commandArgv(s)) : null));
  const first = calls[0];
  const same = (c: SshCall | null): boolean => !!c && c.command.length > 0 && c.host === first?.host && c.user === first.user && c.port === first.port;
  if (!first || !calls.every(same)) return null;
  const { user, host, port } = first;
  return { user, host, port, command: calls.map((c) => c?.command.join(' ') ?? '').join('\n') };
}
