/**
 * `opsdeck run`: a section's command steps run headlessly (here, or on hosts) through the same contract the cockpit
 * uses, so the run is recorded exactly as the UI would record it; destructive steps are confirmed on the terminal
 * (or by --yes), parameters come from --param or the environment, and an interrupted run can be resumed.
 */
import { ContractError } from '../../shared/contract/errors.js';
import type { MethodInput, MethodName, MethodOutput } from '../../shared/contract/methods.js';
import type { Prompt, Target } from '../../shared/contract/hosts.js';
import type { OutputChunk, RunbookDetail, RunDetail, StepStatus } from '../../shared/contract/schemas.js';
import type { Param, Section, Step } from '../../shared/model/runbook.js';
import { actionable, sectionSteps } from '../services/runs/run-state.js';
import { NOT_STARTED } from '../services/runs/step-gates.js';
import { askStepConfirmation } from './cli-ask.js';
import { formatRunEnd } from './cli-format.js';
import type { ContractHost } from './connect.js';

export interface RunOptions {
  section?: string;
  host?: string;
  tag?: string;
  param: string[];
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
  /** An interrupted run to carry on: its id or a unique prefix. */
  resume?: string;
  /** The incident the run belongs to (id or unique prefix): linked once it starts. */
  incident?: string;
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

/** A parameter's value and where it came from. */
export interface ParamValue {
  value: string;
  from: '--param' | 'environment';
}

/**
 * Parameters read from the environment when --param does not give them: those the runbook writes as a variable,
 * `$INSTANCE_ID` or `${{ secrets.OPENROUTER_API_KEY }}`, from the variable of exactly that name (Opsdeck's own
 * OPSDECK_* excepted). A placeholder such as `<run-id>` or `<env>`, or CHANGEME, names no variable: it needs --param.
 */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const fromEnvironment = (p: Pick<Param, 'name' | 'kind'>): boolean =>
  (p.kind === 'variable' || p.kind === 'secret') && ENV_NAME.test(p.name) && !p.name.startsWith('OPSDECK_');

/** --param values, and for each needed parameter without one that can come from `env`, its variable when set and not empty. */
export function resolveParams(pairs: readonly string[], needed: ReadonlyArray<Pick<Param, 'name' | 'kind'>>, env: NodeJS.ProcessEnv): Map<string, ParamValue> {
  const values = new Map<string, ParamValue>(Object.entries(parseParams(pairs)).map(([name, value]) => [name, { value, from: '--param' }]));
  for (const p of needed) {
    const value = env[p.name];
    if (!values.get(p.name)?.value && fromEnvironment(p) && value) values.set(p.name, { value, from: 'environment' });
  }
  return values;
}

const seconds = (ms: number | null): string => (ms === null ? '' : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`);

/** Step statuses a resumed run leaves alone (as the section runner does). */
const SETTLED: ReadonlySet<StepStatus> = new Set(['succeeded', 'skipped', 'done']);

/** What is to run: a section of a runbook version, or the rest of an interrupted run. */
interface Plan {
  runbookId: string;
  versionId: string;
  title: string;
  section: Section;
  params: Param[];
  resumed: RunDetail | null;
}

/** A run by id or unique id prefix, among the last 1,000 runs (an older one by its full id). */
async function findRun(call: Call, query: string): Promise<RunDetail> {
  const lower = query.toLowerCase();
  const recent = await call('runs.list', { limit: 1000 });
  const matches = recent.some((r) => r.id === lower) ? recent.filter((r) => r.id === lower) : recent.filter((r) => lower.length >= MIN_RUN_PREFIX && r.id.startsWith(lower));
  if (matches.length > 1) throw new CliUsageError(`"${query}" matches several runs: ${matches.slice(0, 5).map((r) => r.id).join(', ')}${matches.length > 5 ? ', …' : ''}`);
  return call('runs.get', { runId: matches[0]?.id ?? query });
}

/** Shortest run id prefix accepted, as for runbooks: shorter ones match too much by accident. */
const MIN_RUN_PREFIX = 4;

function targetOfRun(value: string): Target {
  if (value.startsWith('host:')) return { kind: 'host', host: value.slice('host:'.length) };
  if (value.startsWith('tag:')) return { kind: 'tag', tag: value.slice('tag:'.length) };
  return { kind: 'local' };
}

/** What to type to confirm a destructive step on `target`, and how it is named (the owner's confirmationOf). */
function confirmationOf(target: Target, hostname: string): { expect: string; what: string } {
  if (target.kind === 'local') return { expect: hostname, what: 'the machine name' };
  if (target.kind === 'host') return { expect: target.host, what: 'the host name' };
  return { expect: target.tag, what: 'the tag' };
}

async function planRun(call: Call, query: string | undefined, opts: RunOptions): Promise<Plan> {
  if (opts.resume !== undefined) {
    if (query !== undefined || opts.section !== undefined) throw new CliUsageError('--resume RUN takes no RUNBOOK or --section: the run knows its own');
    const resumed = await findRun(call, opts.resume);
    const { run } = resumed;
    return { runbookId: run.runbookId, versionId: run.versionId, title: run.runbookTitle, section: resumed.section, params: resumed.params, resumed };
  }
  if (query === undefined) throw new CliUsageError('opsdeck run needs a RUNBOOK (or --resume RUN)');
  const rb = await call('runbooks.get', { id: query });
  return { runbookId: rb.id, versionId: rb.versionId, title: rb.document.title, section: pickSection(rb, opts.section), params: rb.document.params, resumed: null };
}

/**
 * Exit code: 0 when every command step succeeded, 1 when one failed (or a resume was refused), 2 for bad input
 * (thrown as CliUsageError). `terminal`: stdin and stderr are a terminal, so destructive steps can be confirmed there.
 */
export async function runSection(host: ContractHost, query: string | undefined, opts: RunOptions, io: CliIo, hostname: string, terminal: boolean): Promise<number> {
  const call = callerFor(host);
  const plan = await planRun(call, query, opts);
  const { section, resumed } = plan;
  const commands = sectionSteps(section).filter((s) => s.kind === 'command');
  const done = resumed ? commands.filter((c) => SETTLED.has(resumed.steps.find((s) => s.stepId === c.id)?.status ?? 'pending')) : [];
  const toRun = commands.filter((c) => !done.includes(c));
  const needed = [...new Set(toRun.flatMap((s) => s.params))];
  const envNames = new Set(plan.params.filter(fromEnvironment).map((p) => p.name));
  const values = resolveParams(opts.param, plan.params.filter((p) => needed.includes(p.name)), process.env);
  if (opts.host && opts.tag) throw new CliUsageError('choose --host or --tag, not both');
  const target: Target = opts.host ? { kind: 'host', host: opts.host } : opts.tag ? { kind: 'tag', tag: opts.tag } : resumed ? targetOfRun(resumed.run.target) : { kind: 'local' };
  const { expect: where, what } = confirmationOf(target, hostname);
  const place = target.kind === 'local' ? `on this machine (${hostname})` : target.kind === 'host' ? `on ${target.host}` : `on every host tagged ${target.tag}`;
  const destructive = toRun.filter((s) => s.danger.level === 'destructive');
  const ask = !opts.yes && terminal;

  if (opts.dryRun) {
    const { printDryRun } = await import('./cli-dry-run.js');
    await printDryRun(io, {
      title: plan.title,
      sectionTitle: section.title,
      steps: toRun.map((step) => ({ step, number: commands.indexOf(step) + 1 })),
      total: commands.length,
      done,
      params: plan.params,
      values,
      envNames,
      where: place,
      remote: target.kind !== 'local',
      confirm: opts.yes ? `confirmed by --yes (${what} ${where})` : ask ? `asks you to type ${what} ${where} first` : 'refused without --yes (no terminal to ask on)',
    });
    return 0;
  }

  // Refusing to resume a run that was not interrupted is the run service's to say: it is asked at once.
  const refusable = resumed !== null && resumed.run.status !== 'interrupted';
  if (!refusable) {
    const missing = needed.filter((n) => !values.get(n)?.value);
    if (missing.length > 0) {
      const hint = missing.every((n) => envNames.has(n)) ? 'pass --param NAME=VALUE for each, or export NAME' : 'pass --param NAME=VALUE for each';
      throw new CliUsageError(`missing parameters: ${missing.join(', ')} (${hint})`);
    }
    if (destructive.length > 0 && !opts.yes && !ask) {
      throw new CliUsageError(`refusing to run destructive steps without --yes (no terminal to confirm them on): ${destructive.map((s) => `"${s.title}" (${s.danger.reasons[0] ?? ''})`).join('; ')}`);
    }
    if (commands.length === 0) throw new CliUsageError(`section "${section.title}" has no command steps to run`);
  }
  // Found before anything runs, so that a mistyped id stops here.
  const incident = opts.incident !== undefined ? await (await import('./cli-incident.js')).findIncident(call, opts.incident) : null;
  const secret = new Set(plan.params.filter((p) => p.secret).map((p) => p.name));
  const fromEnv = needed.filter((n) => values.get(n)?.from === 'environment');
  if (fromEnv.length > 0) io.err(`Parameters from the environment: ${fromEnv.join(', ')}\n`);
  const onCommandLine = needed.filter((n) => secret.has(n) && values.get(n)?.from === '--param' && envNames.has(n));
  if (onCommandLine.length > 0) io.err(`opsdeck: note: ${onCommandLine.join(', ')} ${onCommandLine.length === 1 ? 'is a secret' : 'are secrets'} on the command line, where ps shows it: export it and leave out --param\n`);

  // The owner runs the steps (section-runner.ts); this command follows the run's events and prints them. Events
  // may arrive before the call answers with the run's id: they wait in `early` until it is known.
  let runId: string | null = null;
  let early: Array<[string, unknown]> = [];
  const printed = new Map<string, string>(done.map((s) => [s.id, 'ended']));
  if (resumed) for (const note of resumed.notes) printed.set(note.id, 'ended');
  let resolveEnded!: (d: RunDetail) => void;
  let failEnded!: (error: Error) => void;
  const ended = new Promise<RunDetail>((resolve, reject) => {
    resolveEnded = resolve;
    failEnded = reject;
  });
  // Owning the data directory, this process runs the steps: with nothing left to do and the run still open, it
  // would never end. Said so rather than exiting silently (node's exit 13 for a promise left waiting).
  const onStall = (): void => {
    if (runId === null) return;
    void call('runs.get', { runId }).then((d) => {
      if (d.run.status !== 'running') resolveEnded(d);
      else failEnded(new Error(`run ${d.run.id} stopped making progress but did not end; it stays "running" in history`));
    }, failEnded);
  };
  process.on('beforeExit', onStall);
  // One question at a time; one that goes away in the owner (timed out, answered elsewhere) stops being asked here.
  let questions = Promise.resolve();
  const asking = new Map<string, AbortController>();
  const confirm = (prompt: Extract<Prompt, { kind: 'step-confirmation' }>): void => {
    const stop = new AbortController();
    asking.set(prompt.id, stop);
    questions = questions.then(async () => {
      const answer = await askStepConfirmation(prompt, stop.signal);
      asking.delete(prompt.id);
      if (answer) await call('prompts.answer', { id: prompt.id, answer }).catch(() => undefined);
      else io.err('(the question went away: it timed out or was answered elsewhere)\n');
    });
  };
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
    } else if (event === 'prompt.request') {
      const prompt = payload as Prompt;
      if (ask && prompt.kind === 'step-confirmation' && prompt.runId === runId) confirm(prompt);
    } else if (event === 'prompt.closed') {
      asking.get((payload as { id: string }).id)?.abort();
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
    let started: RunDetail;
    try {
      started = await call('runs.runSection', {
        runbookId: plan.runbookId,
        sectionId: section.id,
        versionId: plan.versionId,
        params: Object.fromEntries([...values].map(([name, v]) => [name, v.value])),
        target,
        ...(opts.yes ? { confirmation: where } : {}),
        ...(ask ? { askConfirmation: true } : {}),
        ...(resumed ? { resumeRunId: resumed.run.id } : {}),
      });
    } catch (error) {
      if (!resumed || !(error instanceof ContractError) || error.code === 'internal') throw error;
      io.err(`opsdeck: cannot resume run ${resumed.run.id}: ${error.message}\n`);
      return 1;
    }
    runId = started.run.id;
    if (!opts.json) {
      io.err(`${resumed ? 'Resumed run' : 'Run'} ${runId} · ${plan.title} › ${section.title} · ${commands.length} command step${commands.length === 1 ? '' : 's'} ${place}\n`);
      if (done.length > 0) io.err(`Skipping ${done.length} step${done.length === 1 ? '' : 's'} already done: ${done.map((s) => `"${s.title}"`).join(', ')}\n`);
    }
    if (incident) {
      await call('incidents.linkRun', { id: incident.id, runId });
      if (!opts.json) io.err(`Part of incident ${incident.id} · ${incident.severity} · ${incident.title}\n`);
    }
    const backlog = early;
    early = [];
    onEvent('run.updated', started);
    for (const [event, payload] of backlog) onEvent(event, payload);
    // The run may have ended, or asked its first question, before this command subscribed: ask once.
    onEvent('run.updated', await call('runs.get', { runId }));
    detail = await ended;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('beforeExit', onStall);
    unsubscribe();
    for (const stop of asking.values()) stop.abort();
  }
  await questions;
  if (opts.json) io.out(`${JSON.stringify(detail, null, 2)}\n`);
  else io.err(`\n${formatRunEnd(detail)}\n`);
  if (interrupted) return 130;
  return succeeded(detail) ? 0 : 1;
}

/** Completed, or finished with only checks left (a headless run cannot tick them): every command step succeeded or was skipped. */
function succeeded(d: RunDetail): boolean {
  if (d.run.status === 'completed') return true;
  if (d.run.status !== 'incomplete') return false;
  const commands = new Set(sectionSteps(d.section).filter((s) => s.kind === 'command').map((s) => s.id));
  return d.run.left.every((s) => !commands.has(s.id));
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
