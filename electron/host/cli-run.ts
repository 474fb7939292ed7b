/**
 * `opsdeck run` and `opsdeck history`: a section's command steps run headlessly on this machine through the same
 * contract the cockpit uses, so the run is recorded exactly as the UI would record it.
 */
import { ContractError } from '../../shared/contract/errors.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/methods.js';
import type { Target } from '../../shared/contract/hosts.js';
import type { OutputChunk, Run, RunbookDetail, RunDetail } from '../../shared/contract/schemas.js';
import type { Section, Step } from '../../shared/model/runbook.js';
import { actionable, sectionSteps } from '../services/runs/run-state.js';
import { NOT_STARTED } from '../services/runs/section-runner.js';
import type { ContractHost } from './connect.js';

export interface RunOptions {
  section?: string;
  host?: string;
  tag?: string;
  param: string[];
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** A problem with what the user asked for: one line, exit 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}

export type Call = <M extends MethodName>(method: M, input: MethodInput<M>) => Promise<MethodOutput<M>>;

export function callerFor(host: Pick<ContractHost, 'dispatch'>): Call {
  return async (method, input) => {
    const result = await host.dispatch(method, input, { origin: 'cli' });
    if (result.ok) return result.result as MethodOutput<typeof method>;
    throw new ContractError(result.error.code, result.error.message);
  };
}

const allSections = (sections: readonly Section[]): Section[] => sections.flatMap((s) => [s, ...allSections(s.sections)]);

/** --section by exact title, else unique title prefix (case-insensitive); without it, the one section that has steps. */
export function pickSection(rb: RunbookDetail, wanted: string | undefined): Section {
  const sections = allSections(rb.document.sections);
  const withCommands = sections.filter((s) => s.steps.some((st) => st.kind === 'command'));
  const list = (xs: Section[]): string => xs.slice(0, 15).map((s) => `"${s.title}"`).join(', ') + (xs.length > 15 ? ', …' : '');
  if (wanted === undefined) {
    const roots = rb.document.sections.filter((s) => sectionSteps(s).some(actionable));
    if (roots.length === 1 && withCommands.length <= 1 && roots[0]) return roots[0];
    throw new CliUsageError(`"${rb.document.title}" has several sections: choose one with --section; sections with commands: ${list(withCommands)}`);
  }
  const lower = wanted.toLowerCase();
  const exact = sections.filter((s) => s.title.toLowerCase() === lower);
  const matches = exact.length > 0 ? exact : sections.filter((s) => s.title.toLowerCase().startsWith(lower));
  if (matches.length === 1 && matches[0]) return matches[0];
  if (matches.length === 0) throw new CliUsageError(`no section "${wanted}" in "${rb.document.title}"; sections with commands: ${list(withCommands)}`);
  throw new CliUsageError(`"${wanted}" matches several sections: ${list(matches)}`);
}

export function parseParams(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliUsageError(`--param takes NAME=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

const seconds = (ms: number | null): string => (ms === null ? '' : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

/** Exit code: 0 when every command step succeeded, 1 when one failed, 2 for bad input (thrown as CliUsageError). */
export async function runSection(host: ContractHost, query: string, opts: RunOptions, io: CliIo, hostname: string): Promise<number> {
  const call = callerFor(host);
  const rb = await call('runbooks.get', { id: query });
  const section = pickSection(rb, opts.section);
  const commands = sectionSteps(section).filter((s) => s.kind === 'command');
  const values = parseParams(opts.param);
  const secret = new Set(rb.document.params.filter((p) => p.secret).map((p) => p.name));
  const needed = [...new Set(commands.flatMap((s) => s.params))];
  const missing = needed.filter((n) => !values[n]);
  if (missing.length > 0) throw new CliUsageError(`missing parameters: ${missing.join(', ')} (pass --param NAME=VALUE for each)`);
  const destructive = commands.filter((s) => s.danger.level === 'destructive');
  if (opts.dryRun) {
    printDryRun(io, rb, section, commands, values, secret);
    return 0;
  }
  if (opts.host && opts.tag) throw new CliUsageError('choose --host or --tag, not both');
  const target: Target = opts.host ? { kind: 'host', host: opts.host } : opts.tag ? { kind: 'tag', tag: opts.tag } : { kind: 'local' };
  const where = target.kind === 'host' ? target.host : target.kind === 'tag' ? target.tag : hostname;
  if (destructive.length > 0 && !opts.yes) {
    throw new CliUsageError(`refusing to run destructive steps without --yes: ${destructive.map((s) => `"${s.title}" (${s.danger.reasons[0] ?? ''})`).join('; ')}`);
  }
  if (commands.length === 0) throw new CliUsageError(`section "${section.title}" has no command steps to run`);

  // The owner runs the steps (section-runner.ts); this command follows the run's events and prints them. Events
  // may arrive before the call answers with the run's id: they wait in `early` until it is known.
  let runId: string | null = null;
  let early: Array<[string, unknown]> = [];
  const printed = new Map<string, string>();
  let resolveEnded!: (d: RunDetail) => void;
  const ended = new Promise<RunDetail>((r) => (resolveEnded = r));
  const onEvent = (event: string, payload: unknown): void => {
    if (runId === null) {
      early.push([event, payload]);
      return;
    }
    if (event === 'step.output') {
      const chunk = payload as OutputChunk;
      if (opts.json || chunk.runId !== runId) return;
      if (chunk.stream === 'stderr') io.err(chunk.data);
      else io.out(chunk.data);
    } else if (event === 'run.updated') {
      const d = payload as RunDetail;
      if (d.run.id !== runId) return;
      if (!opts.json) printProgress(io, d, commands, printed, where, target.kind !== 'local');
      if (d.run.status !== 'running') resolveEnded(d);
    }
  };
  const unsubscribe = host.subscribe(onEvent);
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted || runId === null) return;
    interrupted = true;
    void call('runs.abort', { runId, reason: 'interrupted (Ctrl-C)' }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  let detail: RunDetail;
  try {
    const started = await call('runs.runSection', {
      runbookId: rb.id,
      sectionId: section.id,
      versionId: rb.versionId,
      params: values,
      target,
      ...(opts.yes ? { confirmation: where } : {}),
    });
    runId = started.run.id;
    if (!opts.json) io.err(`Run ${runId} · ${rb.document.title} › ${section.title} · ${commands.length} command steps\n`);
    const backlog = early;
    early = [];
    onEvent('run.updated', started);
    for (const [event, payload] of backlog) onEvent(event, payload);
    // The run may have ended before this command subscribed: ask once.
    const now = await call('runs.get', { runId });
    onEvent('run.updated', now);
    detail = await ended;
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
  if (opts.json) io.out(`${JSON.stringify(detail, null, 2)}\n`);
  else io.err(`\n${detail.run.status} · ${detail.run.progress.done}/${detail.run.progress.total} steps done · checks are not ticked in a headless run\n`);
  if (interrupted) return 130;
  return detail.run.status === 'completed' ? 0 : 1;
}

/** Prints each command step once as it starts (▶) and once as it ends (✔/✘ per host), from the run's states. */
function printProgress(io: CliIo, d: RunDetail, commands: readonly Step[], printed: Map<string, string>, where: string, remote: boolean): void {
  for (const [i, step] of commands.entries()) {
    const state = d.steps.find((s) => s.stepId === step.id);
    if (!state || state.status === 'pending' || printed.get(step.id) === 'ended') continue;
    if (!printed.has(step.id)) {
      printed.set(step.id, 'started');
      io.err(`\n▶ [${i + 1}/${commands.length}] ${step.title}${step.caption ? ` — ${step.caption}` : ''}\n`);
      if (remote && step.remote) io.err(`  (running the inner command of its ssh line on ${where})\n`);
    }
    if (state.status === 'running') continue;
    printed.set(step.id, 'ended');
    const attempt = state.attempts.at(-1);
    const group = attempt?.fanoutId ? state.attempts.filter((a) => a.fanoutId === attempt.fanoutId) : attempt ? [attempt] : [];
    for (const a of group) {
      const how = a.status === 'succeeded' || (a.status === 'failed' && a.exitCode !== null) ? `exit ${a.exitCode ?? '?'}` : a.status;
      const on = a.host ? ` on ${a.host}` : '';
      io.err(`${a.status === 'succeeded' ? '✔' : '✘'}${on} ${how} · ${seconds(a.durationMs)}${a.error ? ` · ${a.error}` : ''}\n`);
    }
  }
  // A step that could not start (the runner notes why, then ends the run).
  if (d.run.status === 'running') return;
  for (const note of d.notes) {
    if (!note.text.startsWith(NOT_STARTED) || printed.get(note.id)) continue;
    printed.set(note.id, 'ended');
    io.err(`✘ ${note.text}\n`);
  }
}

function printDryRun(io: CliIo, rb: RunbookDetail, section: Section, commands: Step[], values: Record<string, string>, secret: Set<string>): void {
  io.out(`Dry run: ${rb.document.title} › ${section.title} (nothing is run or recorded)\n`);
  const occurrences = new Map(rb.document.params.map((p) => [p.name, p.occurrences]));
  for (const [i, step] of commands.entries()) {
    const danger = step.danger.level === 'safe' ? '' : `  [${step.danger.level}: ${step.danger.reasons.join('; ')}]`;
    io.out(`\n[${i + 1}/${commands.length}] ${step.title}${danger}\n`);
    let script = step.script;
    for (const name of step.params) {
      const shown = secret.has(name) ? '••••' : (values[name] ?? '');
      for (const o of occurrences.get(name) ?? []) if (o.stepId === step.id) script = script.split(o.text).join(shown);
    }
    io.out(`${script.replace(/^/gm, '    ')}\n`);
  }
  io.out('\nValues reach the commands as environment variables, never as code.\n');
}

export function formatHistory(runs: readonly Run[]): string {
  if (runs.length === 0) return 'No runs yet.';
  const rows = runs.map((r) => [
    r.startedAt.replace('T', ' ').slice(0, 16),
    r.runbookTitle,
    r.sectionTitle,
    r.operator,
    r.endedAt ? seconds(Date.parse(r.endedAt) - Date.parse(r.startedAt)) : '',
    r.status,
    r.failedStep?.title ?? '',
  ]);
  const header = ['STARTED (UTC)', 'RUNBOOK', 'SECTION', 'OPERATOR', 'DURATION', 'STATUS', 'FAILED STEP'];
  const cut = (s: string): string => (s.length > 40 ? `${s.slice(0, 39)}…` : s);
  const table = [header, ...rows.map((r) => r.map(cut))];
  const widths = header.map((_, c) => Math.max(...table.map((r) => (r[c] ?? '').length)));
  return table.map((r) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join('  ').trimEnd()).join('\n');
}
