/**
 * Fenced and indented code blocks: decides what a block is (shell to run, console transcript, form to fill in,
 * or reference material), turns it into steps, and reads schedule hints from crontab lines, systemd timers and
 * Kubernetes CronJobs.
 */
import type { Code } from 'mdast';
import type { Section } from '../model/runbook.js';
import type { BlockContext } from './builder.js';
import {
  type BlockClass,
  classifyByLanguage,
  cleanTitle,
  looksLikeConsole,
  looksLikeTemplate,
  normaliseLanguage,
  readsAsCommands,
} from './heuristics.js';
import { maskPlaceholders } from './params.js';
import { crontabEnvLine, crontabZone, onCalendarToCron, parseCrontabLine, readCrontab, zoneFromText } from './schedule.js';
import type { ShellParser } from './shell.js';
import { firstErrorRow, splitConsoleBlock, splitShellBlock, type StepDraft } from './shell-steps.js';
import type { StepSink } from './steps.js';

interface BlockDeps {
  text: string;
  shell: ShellParser;
  sink: StepSink;
  warn(line: number, message: string): void;
  section(): Section;
}

const HOST_ZONE = 'no time zone given: cron uses the host’s local time zone';

export function createBlockHandler(deps: BlockDeps) {
  const { text, shell, sink, warn } = deps;

  /** Line of the block's first content line, and whether the fence was closed. */
  const geometry = (node: Code): { first: number; fenced: boolean; closed: boolean } => {
    const start = node.position?.start;
    const end = node.position?.end;
    const raw = text.slice(start?.offset ?? 0, end?.offset ?? 0);
    const open = /^[ \t]*(`{3,}|~{3,})/.exec(raw);
    if (!open?.[1]) return { first: start?.line ?? 1, fenced: false, closed: true };
    const fence = open[1];
    const lines = raw.split('\n');
    const last = lines[lines.length - 1]?.trim() ?? '';
    const closed = lines.length > 1 && last.startsWith(fence[0]!.repeat(fence.length)) && /^[`~]+$/.test(last);
    return { first: (start?.line ?? 1) + 1, fenced: true, closed };
  };

  const parsesAsShell = (code: string): boolean => {
    const tree = shell.parse(maskPlaceholders(code));
    try {
      return !tree.rootNode.hasError;
    } finally {
      tree.delete();
    }
  };

  /**
   * A labelled fence is what its label says. A plain one (none, `text`) is read by its content; so is one whose label
   * names no language (`command`, `run`, `script`), which must also parse as bash to run, and is never taken for a
   * form; and so is a console-labelled one holding no `$ ` prompts (as a transcript it would give no step at all).
   */
  const classify = (lang: string, code: string): BlockClass => {
    const byLang = classifyByLanguage(lang);
    if (byLang === 'shell' && looksLikeConsole(code)) return 'console';
    if (byLang === 'unnamed' || (byLang === 'console' && !looksLikeConsole(code))) {
      if (looksLikeConsole(code)) return 'console';
      return readsAsCommands(code) && !looksLikeTemplate(code) && parsesAsShell(code) ? 'shell' : 'reference';
    }
    if (byLang !== 'unknown') return byLang;
    if (looksLikeConsole(code)) return 'console';
    if (readsAsCommands(code) && !looksLikeTemplate(code)) return 'shell';
    if (looksLikeTemplate(code)) return 'template';
    return 'reference';
  };

  const titleFor = (ctx: BlockContext, fallback: string | null): { title: string; caption: string | null } => {
    const lead = ctx.lead !== null && ctx.lead.length <= 100 ? cleanTitle(ctx.lead) : '';
    if (ctx.itemTitle) return { title: ctx.itemTitle, caption: fallback };
    if (fallback) return { title: fallback, caption: null };
    return { title: lead || deps.section().title, caption: null };
  };

  const shellBlock = (code: string, first: number, ctx: BlockContext): void => {
    const tree = shell.parse(maskPlaceholders(code));
    let drafts: StepDraft[];
    try {
      drafts = splitShellBlock(code, tree);
      const errorRow = firstErrorRow(tree);
      if (errorRow !== null) warn(first + errorRow, 'shell syntax error: the step is kept exactly as written; check it before running');
    } finally {
      tree.delete();
    }
    for (const d of drafts) {
      const { title, caption } = titleFor(ctx, d.title);
      const line = first + d.startRow + leadingBlankRows(d.script);
      const endLine = first + d.endRow;
      const input = { title, caption, script: d.script, line, scriptLine: first + d.startRow, endLine, language: d.language };
      if (d.kind === 'reference') {
        sink.reference(input);
        for (const c of d.crontab) cronHint(c.text, first + c.row, ctx, c.zone);
      } else if (d.kind === 'check') {
        sink.check({ ...input, checked: null });
      } else {
        sink.command({ ...input, findVariables: true });
      }
    }
  };

  const cronHint = (line: string, lineNo: number, ctx: BlockContext, zone: string | null = null): void => {
    const entry = parseCrontabLine(line);
    if (!entry) return;
    const tz = zone ?? (ctx.lead ? zoneFromText(ctx.lead) : null);
    sink.hint({ source: 'cron', text: line.trim(), cron: entry.cron, timezone: tz, line: lineNo, reason: entry.reason ?? (tz ? null : HOST_ZONE) });
  };

  const scanHints = (code: string, first: number, lang: string, cls: BlockClass, ctx: BlockContext): void => {
    // A crontab however labelled (`text`, `conf`, none): its entries, in the zone of the CRON_TZ= line above each.
    const crontab = cls === 'cron' ? null : readCrontab(code);
    if (crontab) {
      for (const e of crontab) cronHint(e.text, first + e.row, ctx, e.zone);
      return;
    }
    const lines = code.split('\n');
    let cronZone: string | null = null;
    const k8s = /^\s*kind:\s*CronJob\b/m.test(code);
    const k8sZone = /^\s*timeZone:\s*["']?([\w/+-]+)/m.exec(code)?.[1] ?? null;
    lines.forEach((line, i) => {
      const lineNo = first + i;
      if (cls === 'cron') {
        const env = crontabEnvLine(line);
        if (env) cronZone = crontabZone(env) ?? cronZone;
        else if (!/^\s*(#|$)/.test(line)) cronHint(line, lineNo, ctx, cronZone);
        return;
      }
      const cal = /^\s*OnCalendar\s*=\s*(.+?)\s*$/.exec(line);
      if (cal?.[1]) {
        const d = onCalendarToCron(cal[1]);
        sink.hint({ source: 'systemd', text: cal[1], cron: d.cron, timezone: d.timezone, line: lineNo, reason: d.reason ?? (d.timezone ? null : 'no time zone given: systemd uses the host’s local time zone') });
        return;
      }
      const sched = k8s && (lang === 'yaml' || lang === 'yml' || lang === '') ? /^\s*schedule:\s*["']?([^"'#]+?)["']?\s*$/.exec(line) : null;
      if (sched?.[1]) {
        const entry = parseCrontabLine(`${sched[1]} true`);
        sink.hint({
          source: 'kubernetes',
          text: sched[1],
          cron: entry?.cron ?? null,
          timezone: k8sZone,
          line: lineNo,
          reason: entry === null ? 'not a cron expression' : k8sZone ? null : 'no spec.timeZone: the CronJob runs in the cluster controller’s zone (UTC on most clusters)',
        });
      }
    });
  };

  return {
    code(node: Code, ctx: BlockContext): void {
      const { first, fenced, closed } = geometry(node);
      if (fenced && !closed) {
        warn(first - 1, 'code block is never closed: everything after this line was read as part of it');
      }
      const code = node.value;
      if (code.trim() === '') return;
      const lang = normaliseLanguage(node.lang);
      const cls = classify(lang, code);
      const endLine = first + code.split('\n').length - 1;
      switch (cls) {
        case 'shell':
          shellBlock(code, first, ctx);
          return;
        case 'console':
          for (const d of splitConsoleBlock(code)) {
            const { title, caption } = titleFor(ctx, null);
            sink.command({ title, caption, script: d.script, line: first + d.startRow, endLine: first + d.endRow, language: 'bash', expectedOutput: d.expectedOutput });
          }
          return;
        case 'template': {
          const { title } = titleFor(ctx, null);
          sink.template({ title, script: code, line: first, endLine, language: lang || null });
          return;
        }
        case 'cron':
        case 'reference':
        case 'unknown': {
          const { title } = titleFor(ctx, null);
          sink.reference({ title, script: code, line: first, endLine, language: lang || null });
          scanHints(code, first, lang, cls, ctx);
          return;
        }
        default:
          assertNever(cls);
      }
    },
  };
}

function leadingBlankRows(script: string): number {
  const m = /^(\s*\n)*/.exec(script);
  return m ? (m[0].match(/\n/g)?.length ?? 0) : 0;
}

function assertNever(x: never): never {
  throw new Error(`unexpected block class ${String(x)}`);
}
