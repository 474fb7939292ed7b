/**
 * report.md: the bundle for a person. Built from the same evidence events as events.jsonl, one run at a time (each
 * run's section is written once its events are through, so the report streams like the events do). Output appears as
 * excerpts (the last lines of each attempt, terminal escapes removed); the whole output is in events.jsonl.
 */
import type { EvidenceEvent, OutputEvent, StepRef, What } from './history-events.js';

/** Lines of each attempt's output shown: enough to see how it ended, few enough to read a report of many runs. */
const EXCERPT_LINES = 20;
/** Raw characters kept of an attempt's output's end, to cut the excerpt from. */
const TAIL_CHARS = 16 * 1024;

export interface ReportHeader {
  exportId: string;
  createdAt: string;
  deviceId: string;
  appVersion: string;
  schemaVersion: number;
  selection: string;
  fingerprint: string;
  withEvents: boolean;
}

export function reportHeader(h: ReportHeader): string {
  return [
    '# Evidence bundle',
    '',
    `Export \`${h.exportId}\`, made ${h.createdAt} on device \`${h.deviceId}\` by Opsdeck ${h.appVersion} (database schema ${h.schemaVersion}).`,
    '',
    `Selection: ${h.selection}.`,
    '',
    `Signed with the device's Ed25519 key ${h.fingerprint} (manifest.json). Check the bundle with \`opsdeck export verify DIR\`.`,
    h.withEvents ? 'Every event, with the whole output, is in events.jsonl.' : 'This bundle has no events.jsonl (exported with --format md).',
    '',
    'Secret parameters are recorded as ••••, and their values were redacted from output as it was recorded. Commands are',
    "shown as written in the runbook version that ran, with each parameter replaced by its recorded value (the step itself",
    'got the values in environment variables).',
    '',
    '',
  ].join('\n');
}

export function reportFooter(counts: { runs: number; events: number }): string {
  return `\n---\n\n${counts.runs} run${counts.runs === 1 ? '' : 's'}, ${counts.events} event${counts.events === 1 ? '' : 's'}.\n`;
}

interface AttemptView {
  id: string;
  started: Extract<EvidenceEvent, { type: 'step.started' }>;
  ended: Extract<EvidenceEvent, { type: 'step.ended' }> | null;
  tail: string;
  lines: number;
}

interface StepView {
  ref: StepRef;
  attempts: AttemptView[];
  marks: string[];
}

export interface RunReport {
  add(event: EvidenceEvent): void;
  render(index: number): string;
}

export function createRunReport(): RunReport {
  let started: Extract<EvidenceEvent, { type: 'run.started' }> | null = null;
  let what: What | null = null;
  let status = 'running';
  let endedAt: string | null = null;
  let reason: string | null = null;
  let left: Array<{ title: string }> = [];
  const steps = new Map<string, StepView>();
  const attempts = new Map<string, AttemptView>();
  const notes: string[] = [];
  const recordings = new Map<string, { title: string; tail: string; lines: number }>();
  const stepOf = (ref: StepRef): StepView => {
    let view = steps.get(ref.id);
    if (!view) {
      view = { ref, attempts: [], marks: [] };
      steps.set(ref.id, view);
    }
    return view;
  };
  const addOutput = (e: OutputEvent): void => {
    const target = e.type === 'step.output' ? attempts.get(e.attempt) : recordings.get(e.attempt);
    if (!target) return;
    target.tail = (target.tail + e.data).slice(-TAIL_CHARS);
    target.lines += countLines(e.data);
  };

  return {
    add(e) {
      if ('what' in e) what ??= e.what;
      switch (e.type) {
        case 'run.started':
          started = e;
          break;
        case 'run.resumed':
          status = 'running';
          endedAt = null;
          notes.push(`- ${e.at} — resumed by ${e.who.operator}${e.origin ? ` (${e.origin})` : ''}`);
          break;
        case 'check.ticked':
          if (e.what.step) stepOf(e.what.step).marks.push(`${e.done ? 'Ticked done' : 'Unticked'} by ${e.who.operator} at ${e.at}`);
          break;
        case 'step.skipped':
          if (e.what.step) stepOf(e.what.step).marks.push(`Skipped by ${e.who.operator} at ${e.at}: ${inline(e.reason)}`);
          break;
        case 'note.added':
          notes.push(`- ${e.at} — ${e.who.operator}${e.what.step ? ` (on "${inline(e.what.step.title)}")` : ''}: ${inline(e.text)}`);
          break;
        case 'step.started': {
          const view: AttemptView = { id: e.attempt, started: e, ended: null, tail: '', lines: 0 };
          attempts.set(e.attempt, view);
          if (e.what.step) stepOf(e.what.step).attempts.push(view);
          break;
        }
        case 'step.ended': {
          const view = attempts.get(e.attempt);
          if (view) view.ended = e;
          break;
        }
        case 'step.output':
        case 'terminal.output':
          addOutput(e);
          break;
        case 'terminal.recording':
          recordings.set(e.recording, { title: e.title, tail: '', lines: 0 });
          break;
        case 'run.finished':
          status = e.status;
          endedAt = e.at;
          reason = e.reason;
          left = e.left;
          break;
        case 'run.aborted':
          status = 'aborted';
          endedAt = e.at;
          reason = e.reason;
          break;
        case 'run.interrupted':
          status = 'interrupted';
          endedAt = e.at;
          break;
        case 'history.other':
          notes.push(`- ${e.at} — a "${inline(e.historyType)}" record (not exported by this version)`);
          break;
        default:
          assertNever(e);
      }
    },
    render(index) {
      const w = what as What | null;
      const s = started as Extract<EvidenceEvent, { type: 'run.started' }> | null;
      if (!w || !s) return '';
      const rows: Array<[string, string]> = [
        ['Run', `\`${s.run}\``],
        ['Status', status],
        ['Operator', `${s.who.operator} (device \`${s.who.deviceId}\`)`],
        ['Origin', s.origin],
        ['Target', s.where.target],
        ['Started', s.at],
        ['Ended', endedAt ?? '—'],
        ['Runbook', `${w.runbook.title}, version ${w.runbook.version} (\`${w.runbook.versionId}\`)`],
        ['Source', `${w.runbook.sourcePath}, SHA-256 \`${w.runbook.sourceSha256}\``],
      ];
      if (reason) rows.push(['Reason given', reason]);
      if (left.length > 0) rows.push(['Left undone', left.map((l) => `"${l.title}"`).join(', ')]);
      const out = [`## ${index}. ${inline(w.runbook.title)} › ${inline(w.section.title)}`, '', '| | |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${cell(v)} |`), ''];
      if (steps.size > 0) out.push('### Steps', '');
      for (const view of steps.values()) out.push(...renderStep(view));
      for (const [id, r] of recordings) {
        out.push(`### Terminal recording "${inline(r.title)}" (\`${id}\`)`, '');
        out.push(...excerpt(r.tail, r.lines));
      }
      if (notes.length > 0) out.push('### Notes', '', ...notes, '');
      return `${out.join('\n')}\n`;
    },
  };
}

function renderStep(view: StepView): string[] {
  const { ref } = view;
  const last = view.attempts.at(-1);
  const state = last ? (last.ended?.result.status ?? 'running') : view.marks.length > 0 ? '' : 'not started';
  const out = [`#### ${inline(ref.title)}${state ? ` — ${state}` : ''}`, ''];
  if (ref.danger.level !== 'safe') out.push(`- Danger: ${ref.danger.level}${ref.danger.reasons.length ? ` (${ref.danger.reasons.map(inline).join('; ')})` : ''}`);
  for (const m of view.marks) out.push(`- ${m}`);
  for (const [i, a] of view.attempts.entries()) {
    const s = a.started;
    const r = a.ended?.result;
    const exit = r ? `exit code ${r.exitCode ?? '—'}${r.signal ? `, signal ${r.signal}` : ''}, ${r.status}${r.durationMs !== null ? `, ${Math.round(r.durationMs)} ms` : ''}` : 'still running when exported';
    out.push(`- Attempt ${i + 1} (\`${a.id}\`) by ${s.who.operator} on ${s.where.target}: started ${s.at}${a.ended ? `, ended ${a.ended.at}` : ''}; ${exit}`);
    if (s.confirmation) out.push(`  - Confirmation of a destructive step: ${s.confirmation.given} (a destructive step starts only with it)`);
    const params = Object.entries(s.params);
    if (params.length > 0) out.push(`  - Parameters: ${params.map(([k, v]) => `${k}=${inline(v)}`).join(', ')}`);
    const ep = a.ended?.where.endpoint;
    if (ep) out.push(`  - Host ${ep.host}: ${ep.user}@${ep.address}:${ep.port}, host key ${ep.hostKey.type} ${ep.hostKey.fingerprint}`);
    if (r?.error) out.push(`  - Error: ${inline(r.error)}`);
    if (r?.failedCommand) out.push(`  - Failed command${r.failedCommand.line !== null ? ` (line ${r.failedCommand.line})` : ''}: ${inline(r.failedCommand.command)}`);
    out.push('', '  Command as run:', '', ...fenced(s.command.asRun, 'bash').map((l) => `  ${l}`), '');
    out.push(...excerpt(a.tail, a.lines).map((l) => (l ? `  ${l}` : l)));
  }
  if (out.at(-1) !== '') out.push('');
  return out;
}

function excerpt(tail: string, lines: number): string[] {
  if (lines === 0 && tail === '') return ['No output.', ''];
  const text = readable(tail).replace(/\n$/, '').split('\n');
  const shown = text.slice(-EXCERPT_LINES);
  const total = Math.max(lines + (tail.endsWith('\n') ? 0 : 1), shown.length);
  const head = shown.length < total ? `Output (the last ${shown.length} of ${total} lines):` : 'Output:';
  return [head, '', ...fenced(shown.join('\n'), ''), ''];
}

/** Output as text to read: terminal escape sequences and other control characters removed, carriage returns resolved. */
export function readable(text: string): string {
  /* eslint-disable no-control-regex -- escape sequences and control characters are what these remove */
  const out = text
    .replace(/\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, '')
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, '')
    .replace(/\u001b[@-_]/g, '')
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.slice(line.lastIndexOf('\r') + 1))
    .join('\n')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  /* eslint-enable no-control-regex */
  return out;
}

function fenced(text: string, lang: string): string[] {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...text.split('\n'), fence];
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n += 1;
  return n;
}

/** Text on one line of Markdown: line breaks become spaces. */
function inline(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

function cell(text: string): string {
  return inline(text).replace(/\|/g, '\\|');
}

function assertNever(value: never): never {
  throw new Error(`unexpected evidence event ${JSON.stringify(value)}`);
}
