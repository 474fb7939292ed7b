/**
 * Builds the document model while walking the Markdown tree: sections from headings, metadata from bold key/value
 * lines, checks from task and procedure items, command/reference/template steps from code (see blocks.ts), and the
 * document-wide parameter and schedule-hint lists.
 */
import type { Code, Heading, List, ListItem, Paragraph, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { DEFAULT_STEP_SHELL, type ImportWarning, type Param, type Runbook, type ScheduleHint, type Section, type Step, type StepShell } from '../model/runbook.js';
import { createBlockHandler } from './blocks.js';
import { cleanTitle, isCommandLine, readsAsStep } from './heuristics.js';
import { createIdAllocator } from './ids.js';
import { frequencyToCron } from './schedule.js';
import type { ShellParser } from './shell.js';
import { readFrontMatterShell } from './shell-options.js';
import { createStepSink } from './steps.js';

export interface BuilderInput {
  text: string;
  path: string;
  shell: ShellParser;
  warnings: ImportWarning[];
}

/** Context a block inherits from the list item it sits in, or from the paragraph that introduces it. */
export interface BlockContext {
  itemTitle: string | null;
  lead: string | null;
}

/** Keeps a pathological file from drowning the user in messages; the count of the rest is still reported. */
const MAX_WARNINGS = 200;
const META_LINE = /^\s*\*\*([^*\n]{1,60}?)(?::\*\*|\*\*\s*:)\s*(.*?)\s*$/;
const SCHEDULE_KEYS = /^(frequency|schedule|cadence|recurrence|runs?)$/i;

export function createBuilder(input: BuilderInput) {
  const { text } = input;
  const warnings = input.warnings;
  const roots: Section[] = [];
  const stack: Section[] = [];
  const hints: ScheduleHint[] = [];
  const params = new Map<string, Param>();
  const sectionIds = createIdAllocator('sec_');
  let preamble: Section | null = null;
  let lead: { text: string; endLine: number } | null = null;
  let docTitle: string | null = null;
  let frontTitle: string | null = null;
  let stepCount = 0;
  let droppedWarnings = 0;
  /** Front matter comes before every step, so its shell options are known when the first step is made. */
  let shellDefaults: StepShell = DEFAULT_STEP_SHELL;

  const warn = (line: number, message: string): void => {
    if (warnings.length < MAX_WARNINGS) warnings.push({ line, message });
    else droppedWarnings++;
  };

  const current = (): Section => {
    const top = stack[stack.length - 1];
    if (top) return top;
    preamble ??= { id: sectionIds('\u0000preamble'), title: 'Overview', level: 0, line: 1, meta: {}, steps: [], sections: [] };
    return preamble;
  };

  const sink = createStepSink({
    section: current,
    shell: input.shell,
    warn,
    params,
    hints,
    onStep: () => {
      stepCount++;
    },
    shellDefaults: () => shellDefaults,
  });
  const blocks = createBlockHandler({ text, shell: input.shell, sink, warn, section: current });

  const slice = (node: { position?: { start: { offset?: number }; end: { offset?: number } } }): string =>
    text.slice(node.position?.start.offset ?? 0, node.position?.end.offset ?? 0);
  const lineOf = (node: { position?: { start: { line: number } } }): number => node.position?.start.line ?? 1;

  const openSection = (h: Heading): void => {
    const title = cleanTitle(toString(h)) || '(untitled)';
    while ((stack[stack.length - 1]?.level ?? 0) >= h.depth) stack.pop();
    const path = [...stack.map((s) => s.title), title].join('\u0000');
    const section: Section = { id: sectionIds(path), title, level: h.depth, line: lineOf(h), meta: {}, steps: [], sections: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.sections.push(section);
    else roots.push(section);
    stack.push(section);
    if (docTitle === null && h.depth === 1) docTitle = title;
    lead = null;
  };

  const handleParagraph = (p: Paragraph): void => {
    const md = slice(p);
    const first = lineOf(p);
    md.split('\n').forEach((line, i) => {
      const m = META_LINE.exec(line);
      const key = m?.[1]?.trim();
      const value = m?.[2]?.replace(/`/g, '').replace(/\*\*/g, '').trim();
      if (!key || !value) return;
      current().meta[key] = value;
      if (SCHEDULE_KEYS.test(key)) {
        const d = frequencyToCron(value);
        hints.push({ source: 'frequency', text: value, cron: d.cron, timezone: d.timezone, line: first + i, sectionId: current().id, reason: d.reason });
      }
    });
    const tag = /\{%.*?%\}|\{\{[^}]*\}\}/.exec(md);
    if (tag) warn(first, `template tag ${tag[0].slice(0, 40)} left as text: the runbook may need rendering first`);
    lead = { text: toString(p), endLine: p.position?.end.line ?? first };
  };

  const leadFor = (node: RootContent): string | null =>
    lead !== null && lineOf(node) - lead.endLine <= 2 ? lead.text : null;

  const handleList = (list: List, ctx: BlockContext, next: RootContent | undefined): void => {
    const numbered = list.ordered === true;
    const checklist = [...stack, current()].some((s) => /checklist|\btasks?\b/i.test(s.title));
    list.children.forEach((item, index) => {
      const isLast = index === list.children.length - 1;
      const introduces = isLast && next?.type === 'code' && /:\s*$/.test(toString(item.children[0] ?? item)) ? next : undefined;
      handleItem(item, numbered, checklist, ctx, introduces);
    });
  };

  const handleItem = (item: ListItem, numbered: boolean, checklist: boolean, ctx: BlockContext, introduces: Code | undefined): void => {
    const para = item.children[0]?.type === 'paragraph' ? item.children[0] : undefined;
    const plain = para ? toString(para).trim() : '';
    const md = para ? slice(para) : '';
    const title = cleanTitle(plain);
    const line = lineOf(item);
    const rest = para ? item.children.slice(1) : item.children;
    const commands = para ? inlineCodes(para).filter((c) => isCommandLine(c)) : [];
    const hasCodeBlock = rest.some((c) => c.type === 'code');
    if (typeof item.checked === 'boolean') {
      sink.check({ title: title || '(empty item)', script: plain, line, checked: item.checked });
    } else if (commands.length > 0) {
      for (const code of commands) {
        const before = plain.slice(0, plain.indexOf(code)).trim();
        const stepTitle = cleanTitle(before) || cleanTitle(plain.replace(code, '')) || code;
        sink.command({ title: stepTitle, caption: null, script: code, line, endLine: line, language: 'bash' });
      }
    } else if (!hasCodeBlock && introduces === undefined && plain !== '' && (checklist || readsAsStep(md, numbered))) {
      sink.check({ title, script: plain, line, checked: null });
    }
    if (introduces !== undefined && title) lead = { text: plain, endLine: item.position?.end.line ?? line };
    walk(rest, { itemTitle: hasCodeBlock && title ? title : ctx.itemTitle, lead: null });
  };

  /** One node; `next` is its following sibling, which a list ending in "...:" may introduce as its code. */
  const visit = (node: RootContent, next: RootContent | undefined, ctx: BlockContext): void => {
    switch (node.type) {
      case 'heading':
        openSection(node);
        break;
      case 'paragraph':
        handleParagraph(node);
        break;
      case 'list':
        handleList(node, ctx, next);
        break;
      case 'code':
        blocks.code(node, { itemTitle: ctx.itemTitle, lead: leadFor(node) });
        lead = null;
        break;
      case 'blockquote':
        walk(node.children, ctx);
        break;
      case 'yaml':
        frontMatter(node.value, 'yaml', lineOf(node) + 1);
        break;
      case 'thematicBreak':
        lead = null;
        break;
      default:
        // mdast's types do not list front matter in TOML (mdast-util-frontmatter makes it, with `value` like yaml's).
        if ((node as { type: string }).type === 'toml') frontMatter((node as { value?: string }).value ?? '', 'toml', lineOf(node) + 1);
        break;
    }
  };

  const frontMatter = (value: string, format: 'yaml' | 'toml', firstLine: number): void => {
    frontTitle = /^title\s*[:=]\s*["']?(.+?)["']?\s*$/m.exec(value)?.[1] ?? frontTitle;
    const read = readFrontMatterShell(value, format, firstLine);
    shellDefaults = { ...DEFAULT_STEP_SHELL, ...read.shell };
    for (const w of read.warnings) warn(w.line, w.message);
  };

  const walk = (nodes: RootContent[], ctx: BlockContext): void => {
    nodes.forEach((node, i) => visit(node, nodes[i + 1], ctx));
  };

  return {
    /** `onNode` hears, after each top-level node is built, the offset in the text where that node ends. */
    build(tree: Root, sha256: string, onNode?: (builtChars: number) => void): Runbook {
      const ctx: BlockContext = { itemTitle: null, lead: null };
      tree.children.forEach((node, i) => {
        visit(node, tree.children[i + 1], ctx);
        onNode?.(node.position?.end.offset ?? 0);
      });
      if (stepCount === 0) warn(1, 'no steps found: the file has no checklists, procedure items or code blocks');
      if (droppedWarnings > 0) warnings.push({ line: 1, message: `${droppedWarnings} more warnings not shown` });
      const sections = preamble ? [preamble, ...roots] : roots;
      const firstHeading = roots[0]?.title ?? null;
      const fileName = input.path.split(/[\\/]/).pop()?.replace(/\.[^.]+$/, '') ?? 'Runbook';
      return {
        title: docTitle ?? frontTitle ?? firstHeading ?? fileName,
        source: { path: input.path, sha256 },
        sections,
        params: [...params.values()],
        scheduleHints: hints,
        warnings: [...warnings].sort((a, b) => a.line - b.line),
      };
    },
  };
}

function inlineCodes(node: { children?: unknown[] } & object): string[] {
  const out: string[] = [];
  const visit = (n: unknown): void => {
    if (typeof n !== 'object' || n === null) return;
    const rec = n as { type?: string; value?: string; children?: unknown[] };
    if (rec.type === 'inlineCode' && typeof rec.value === 'string') out.push(rec.value);
    rec.children?.forEach(visit);
  };
  visit(node);
  return out;
}

export type { Step };
