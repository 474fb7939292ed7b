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

  let detail = await call('runs.start', { runbookId: rb.id, sectionId: section.id, versionId: rb.versionId });
  const runId = detail.run.id;
  const unsubscribe = host.subscribe((event, payload) => {
    if (opts.json || event !== 'step.output') return;
    const chunk = payload as OutputChunk;
    if (chunk.runId !== runId) return;
    if (chunk.stream === 'stderr') io.err(chunk.data);
    else io.out(chunk.data);
  });
  let interrupted = false;
  const onSigint = (): void => {
    interrupted = true;
    const running = detail.steps.flatMap((s) => s.attempts).find((a) => a.status === 'running');
    if (running) void call('steps.cancel', { runId, attemptId: running.id }).catch(() => undefined);
  };
  process.on('SIGINT', onSigint);
  let failed = false;
  try {
    if (!opts.json) io.err(`Run ${runId} · ${rb.document.title} › ${section.title} · ${commands.length} command steps\n`);
    for (const [i, step] of commands.entries()) {
      if (failed || interrupted) break;
      if (!opts.json) io.err(`\n▶ [${i + 1}/${commands.length}] ${step.title}${step.caption ? ` — ${step.caption}` : ''}\n`);
      const stepValues = Object.fromEntries(step.params.map((n) => [n, values[n] ?? '']));
      // On a host, `ssh user@server "cmd"` means: run cmd there, over Opsdeck's own connection.
      const useRemoteHint = target.kind !== 'local' && step.remote !== null;
      if (useRemoteHint && !opts.json) io.err(`  (running the inner command of its ssh line on ${where})\n`);
      detail = await call('steps.run', { runId, stepId: step.id, params: stepValues, target, useRemoteHint, ...(opts.yes ? { confirmation: where } : {}) });
      detail = await waitForStep(host, call, runId, step.id);
      const attempt = detail.steps.find((s) => s.stepId === step.id)?.attempts.at(-1);
      const state = detail.steps.find((s) => s.stepId === step.id);
      const ok = state?.status === 'succeeded';
      if (!opts.json) {
        const group = attempt?.fanoutId ? (state?.attempts.filter((a) => a.fanoutId === attempt.fanoutId) ?? []) : attempt ? [attempt] : [];
        for (const a of group) {
          const how = a.status === 'succeeded' || (a.status === 'failed' && a.exitCode !== null) ? `exit ${a.exitCode ?? '?'}` : a.status;
          const on = a.host ? ` on ${a.host}` : '';
          io.err(`${a.status === 'succeeded' ? '✔' : '✘'}${on} ${how} · ${seconds(a.durationMs)}${a.error ? ` · ${a.error}` : ''}\n`);
        }
      }
      if (!ok) failed = true;
    }
    detail = interrupted ? await call('runs.abort', { runId, reason: 'interrupted (Ctrl-C)' }) : await call('runs.finish', { runId });
  } finally {
    process.off('SIGINT', onSigint);
    unsubscribe();
  }
  if (opts.json) io.out(`${JSON.stringify(detail, null, 2)}\n`);
  else io.err(`\n${detail.run.status} · ${detail.run.progress.done}/${detail.run.progress.total} steps done · checks are not ticked in a headless run\n`);
  if (interrupted) return 130;
  return failed ? 1 : 0;
}

async function waitForStep(host: ContractHost, call: Call, runId: string, stepId: string): Promise<RunDetail> {
  return new Promise<RunDetail>((resolve, reject) => {
    const settled = (d: RunDetail): boolean => d.steps.find((s) => s.stepId === stepId)?.status !== 'running';
    const unsubscribe = host.subscribe((event, payload) => {
      if (event !== 'run.updated') return;
      const d = payload as RunDetail;
      if (d.run.id === runId && settled(d)) {
        unsubscribe();
        resolve(d);
      }
    });
    // The step may have ended before we subscribed.
    call('runs.get', { runId }).then((d) => {
      if (settled(d)) {
        unsubscribe();
        resolve(d);
      }
    }, reject);
  });
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
