/**
 * Runs: starting one on a section, ticking, skipping, notes, running command steps on this machine, and ending.
 * Every change is appended to the store before anyone hears of it, then announced as `run.updated`; output is
 * stored chunk by chunk and streamed as `step.output`.
 */
import { dirname, isAbsolute } from 'node:path';
import { existsSync } from 'node:fs';
import { v7 as uuidv7 } from 'uuid';
import { ContractError } from '../../../shared/contract/errors.js';
import type { OutputChunk, Run, RunDetail } from '../../../shared/contract/schemas.js';
import { substituteParams } from '../../../shared/exec/substitute.js';
import type { Step } from '../../../shared/model/runbook.js';
import type { ShellParser } from '../../../shared/runbook/shell.js';
import type { Target } from '../../../shared/contract/hosts.js';
import type { ExecService } from '../exec/local-exec.js';
import type { HostStore } from '../store/host-store.js';
import { createAttemptLauncher, type AttemptSpec, type RemoteRunner, type Running } from './attempts.js';
import type { LibraryStore } from '../store/library-store.js';
import type { RunEventRow, RunOrigin, RunRow, RunStore } from '../store/run-store.js';
import { identify, isSameProcessAlive, signalGroupIfAlive, type ProcessIdentity } from './process-identity.js';
import { stepLabel } from '../../../shared/model/step-label.js';
import { createSessionKeeper } from './session-keeper.js';
import { confirmationOf } from './step-gates.js';
import { createRunFold, findSection, foldRun, sectionSteps, type RunFold } from './run-state.js';

export interface RunServiceDeps {
  runs: RunStore;
  library: LibraryStore;
  exec: ExecService;
  shell: ShellParser;
  clock: { now(): Date };
  operator(): string;
  /** This machine's name: typed by the user to confirm a destructive step that runs here. */
  hostname: string;
  emit(event: 'run.updated', payload: RunDetail): void;
  emit(event: 'step.output', payload: OutputChunk): void;
  /** This process, recorded as a run's owner so that another process can tell a crashed run from a live one. */
  self?: ProcessIdentity;
  /** The inventory and remembered targets; absent: steps run on this machine only. */
  hosts?: Pick<HostStore, 'byName' | 'target' | 'setTarget'>;
  remote?: RemoteRunner;
}

export interface StartStep {
  runId: string;
  stepId: string;
  params: Record<string, string>;
  confirmation?: string | undefined;
  timeoutSec?: number | undefined;
  target?: Target | undefined;
  useRemoteHint?: boolean | undefined;
}

/** A step may run for this long unless the runbook or the user says otherwise: long enough for a deploy. */
export const DEFAULT_TIMEOUT_SEC = 600;
const MASK = '••••';
/** Secret values shorter than this are not redacted from output: masking "a" would mangle every line. */
const MIN_REDACT_LENGTH = 4;

export type RunService = ReturnType<typeof createRunService>;

export function createRunService(deps: RunServiceDeps) {
  const { runs, library, clock } = deps;
  const self = deps.self ?? identify(process.pid);
  const now = (): string => clock.now().toISOString();
  const running = new Map<string, Running>();
  const fanouts = new Map<string, Running[]>();
  const recordings = new Map<string, { id: string; seq: number }>();
  const remoteRunner = (): RemoteRunner => {
    if (!deps.remote) throw new ContractError('unavailable', 'running steps on remote hosts is not available here');
    return deps.remote;
  };
  const sessions = createSessionKeeper({ shell: deps.shell, now, events: (runId) => runs.events(runId) });
  const launcher = createAttemptLauncher({
    exec: deps.exec,
    remote: deps.remote ?? null,
    now,
    appendChunk: (c) => {
      runs.appendChunk(c);
      counted(c.attemptId);
    },
    emitOutput: (c) => deps.emit('step.output', c),
    record: (type, runId, stepId, attemptId, data) => {
      if (type === 'attempt.started') remember(ownCounts, attemptId, 0, OWN_COUNTS_KEPT);
      event(runId, type, data, stepId, attemptId);
    },
  });

  // Runs, versions and events are append-only: what was read once stays true, so it is kept in memory and only
  // the events added since (by this process or another, such as a CLI run) are read again.
  const versions = new Map<string, ReturnType<LibraryStore['getVersion']>>();
  const versionOf = (id: string) => {
    let v = versions.get(id);
    if (!v) {
      v = library.getVersion(id);
      remember(versions, id, v, VERSIONS_KEPT);
    }
    return v;
  };
  /**
   * A run read once: its fold, advanced by the events added since (by this process or another, such as a CLI run),
   * and its last snapshot, kept while it cannot go stale by itself (no attempt running: only a new event changes it).
   */
  type Known = { run: RunRow; lastSeq: number; fold: RunFold; detail: RunDetail | null };
  const known = new Map<string, Known>();
  /** Chunk counts of ended attempts never change: counted once. Running ones are read each time. */
  const endedCounts = new Map<string, number>();
  /**
   * Chunks of the attempts this process runs, counted as they are appended (all before the attempt's end is
   * recorded): no query for them. One evicted meanwhile is not counted again (that would restart at 1): it is read
   * from the store instead.
   */
  const ownCounts = new Map<string, number>();
  const counted = (id: string): void => {
    const n = ownCounts.get(id);
    if (n !== undefined) ownCounts.set(id, n + 1);
  };
  const chunkCounts = (fold: RunFold): Map<string, number> => {
    const counts = new Map<string, number>();
    const unknown = fold.chunkIds().filter((id) => {
      const n = endedCounts.get(id) ?? ownCounts.get(id);
      if (n !== undefined) counts.set(id, n);
      return n === undefined;
    });
    for (const [id, n] of runs.chunkCounts(unknown)) {
      counts.set(id, n);
      if (fold.ended(id)) remember(endedCounts, id, n, ENDED_COUNTS_KEPT);
    }
    return counts;
  };
  /**
   * A runbook's path on disk never changes once known (a moved file imports as a new runbook): read it once. An
   * uploaded runbook has none until the same file is imported by path, so its `upload:` name is read each time.
   */
  const paths = new Map<string, string>();
  const sourcePathOf = (runbookId: string): string => {
    let path = paths.get(runbookId);
    if (path === undefined) {
      path = library.get(runbookId).path;
      if (isAbsolute(path)) remember(paths, runbookId, path, RUNS_KEPT);
    }
    return path;
  };
  const snapshot = (entry: Known): RunDetail => {
    const counts = chunkCounts(entry.fold);
    const detail = entry.fold.snapshot((id) => counts.get(id) ?? 0);
    entry.detail = entry.fold.live() ? null : detail;
    return detail;
  };
  const load = (runId: string): RunDetail => {
    let entry = known.get(runId);
    if (!entry) {
      const run = runs.getRun(runId);
      if (!run) throw new ContractError('not_found', `no run ${runId}`);
      const events = runs.events(runId);
      const version = versionOf(run.versionId);
      const fold = createRunFold(run, version.title, version.document);
      fold.apply(events);
      entry = { run, lastSeq: events.at(-1)?.seq ?? 0, fold, detail: null };
      remember(known, runId, entry, RUNS_KEPT);
    } else {
      if (runs.lastSeq(runId) !== entry.lastSeq) {
        const more = runs.eventsAfter(runId, entry.lastSeq);
        entry.fold.apply(more);
        entry.lastSeq = more.at(-1)?.seq ?? entry.lastSeq;
        entry.detail = null;
      }
      if (entry.detail) return entry.detail;
    }
    return snapshot(entry);
  };

  /** The detail of the last event appended: what a call that appended it answers, without folding again. */
  let appended: RunDetail | null = null;
  const append = (event: Omit<RunEventRow, 'id' | 'seq'>): RunDetail => {
    const row = runs.appendEvent(event);
    // The row just written directly follows a cached run's last one: nothing else was added (its seq was taken in
    // the same transaction), so it is added without reading back, and the fold needs no check for newer events.
    const entry = known.get(event.runId);
    let detail: RunDetail;
    if (entry && entry.lastSeq === row.seq - 1) {
      entry.fold.apply([row]);
      entry.lastSeq = row.seq;
      detail = snapshot(entry);
    } else {
      detail = load(event.runId);
    }
    appended = detail;
    deps.emit('run.updated', detail);
    return detail;
  };

  const open = (runId: string): RunDetail => {
    const detail = load(runId);
    if (detail.run.status !== 'running') throw new ContractError('conflict', `the run has ended (${detail.run.status})`);
    return detail;
  };

  const stepOf = (detail: RunDetail, stepId: string): Step => {
    const step = sectionSteps(detail.section).find((s) => s.id === stepId);
    if (!step) throw new ContractError('not_found', `no step ${stepId} in section "${detail.section.title}"`);
    return step;
  };

  const event = (runId: string, type: string, data: Record<string, unknown> = {}, stepId: string | null = null, attemptId: string | null = null) =>
    append({ runId, type, at: now(), stepId, attemptId, data });

  return {
    /**
     * Records a run of one section. Its target is `target` if given, else the section's remembered one (this machine
     * if none): where the run's steps were to go when it started; each attempt records where it actually ran.
     */
    start(input: { runbookId: string; sectionId: string; versionId?: string | undefined; origin: RunOrigin; target?: Target | undefined }): RunDetail {
      const rb = library.get(input.runbookId);
      const version = input.versionId ? library.getVersion(input.versionId) : { ...rb.version, document: rb.document };
      if (version.runbookId !== rb.id) throw new ContractError('invalid_input', 'that version belongs to another runbook');
      const section = findSection(version.document.sections, input.sectionId);
      if (!section) throw new ContractError('not_found', `no section ${input.sectionId} in "${version.title}"`);
      const run = runs.insertRun({
        runbookId: rb.id,
        versionId: version.id,
        sectionId: section.id,
        sectionTitle: section.title,
        operator: deps.operator(),
        target: input.target ?? deps.hosts?.target(rb.id, section.id) ?? { kind: 'local' },
        origin: input.origin,
        startedAt: now(),
      });
      return event(run.id, 'run.started', { pid: self.pid, start: self.start });
    },

    get: load,

    list(opts: { runbookId?: string | undefined; limit?: number | undefined }): Run[] {
      const rows = runs.listRuns({ ...(opts.runbookId ? { runbookId: opts.runbookId } : {}), limit: opts.limit ?? 200 });
      const events = runs.eventsFor(rows.map((r) => r.id));
      return rows.map((run) => {
        const version = versionOf(run.versionId);
        return foldRun({ run, runbookTitle: version.title, document: version.document, events: events.get(run.id) ?? [], chunkCounts: new Map() }).run;
      });
    },

    output(runId: string, attemptId: string, afterSeq = -1): OutputChunk[] {
      if (!runs.getRun(runId)) throw new ContractError('not_found', `no run ${runId}`);
      return runs.chunks(attemptId, afterSeq).filter((c) => c.runId === runId);
    },

    /**
     * Flow control of a running step's output: every window drawing it has processed `chars` more UTF-16 chars of
     * its `step.output` (the host's FlowWindows). Every emitted chunk must come back here, or the step's source
     * pauses above the high watermark. False if the attempt is not running in this process.
     */
    ackOutput(attemptId: string, chars: number): boolean {
      return launcher.ackOutput(attemptId, chars);
    },

    tick(runId: string, stepId: string, done: boolean): RunDetail {
      const step = stepOf(open(runId), stepId);
      if (step.kind !== 'check') throw new ContractError('invalid_input', `"${step.title}" is a ${step.kind} step: only checks are ticked`);
      return event(runId, 'check.ticked', { done }, stepId);
    },

    skip(runId: string, stepId: string, reason: string): RunDetail {
      const detail = open(runId);
      stepOf(detail, stepId);
      if (detail.steps.find((s) => s.stepId === stepId)?.status === 'running') throw new ContractError('conflict', 'the step is running: cancel it first');
      return event(runId, 'step.skipped', { reason }, stepId);
    },

    note(runId: string, stepId: string | null, text: string): RunDetail {
      const detail = load(runId);
      if (stepId !== null) stepOf(detail, stepId);
      return event(runId, 'note.added', { text, operator: deps.operator() }, stepId);
    },

    /**
     * Ends the run. Steps neither done, succeeded nor skipped are listed as left; with any left, a reason is
     * required and the run ends `incomplete` (or `failed`, when a step's latest attempt failed).
     */
    finish(runId: string, reason?: string | undefined): RunDetail {
      const detail = open(runId);
      if (detail.steps.some((s) => s.status === 'running')) throw new ContractError('conflict', 'a step is still running: wait for it or cancel it');
      const left = leftSteps(detail);
      const why = reason?.trim() ?? '';
      if (left.length > 0 && why === '') {
        const names = left.slice(0, 5).map((s) => `"${s.title}"`).join(', ');
        throw new ContractError('reason_required', `${left.length} step${left.length === 1 ? ' is' : 's are'} neither done nor skipped (${names}${left.length > 5 ? ', ...' : ''}): say why the run ends here`);
      }
      const status = detail.run.failedStep ? 'failed' : left.length > 0 ? 'incomplete' : 'completed';
      return event(runId, 'run.finished', { status, left, ...(why ? { reason: why } : {}) });
    },

    /**
     * Carries on an interrupted run: it is running again (in this process), its interrupted steps pending a new
     * attempt; a system line says who resumed it and when. The carried session state is the one last recorded.
     */
    resume(runId: string, origin: RunOrigin): RunDetail {
      const detail = load(runId);
      if (detail.run.status !== 'interrupted') {
        throw new ContractError('conflict', detail.run.status === 'running' ? 'the run is still running' : `only an interrupted run can be resumed; this one is ${detail.run.status}`);
      }
      return event(runId, 'run.resumed', { operator: deps.operator(), origin, pid: self.pid, start: self.start });
    },

    async abort(runId: string, reason: string | undefined): Promise<RunDetail> {
      open(runId);
      const mine = [...(fanouts.get(runId) ?? []), ...[...running.values()].filter((r) => r.runId === runId)];
      for (const r of mine) r.cancel();
      await Promise.all(mine.map((r) => r.done));
      return event(runId, 'run.aborted', { reason: reason ?? '' });
    },

    /** `detail` resolves once the attempt's start is recorded (for a remote step: once the server runs it). */
    runStep(input: StartStep): { detail: Promise<RunDetail>; done: Promise<void> } {
      const detail = open(input.runId);
      const step = stepOf(detail, input.stepId);
      if (step.kind !== 'command') throw new ContractError('invalid_input', `"${step.title}" is a ${step.kind} step: only command steps run`);
      if (detail.steps.find((s) => s.stepId === step.id)?.status === 'running') throw new ContractError('conflict', `"${step.title}" is already running`);
      const target = input.target ?? deps.hosts?.target(detail.run.runbookId, detail.run.sectionId) ?? { kind: 'local' as const };
      if (target.kind !== 'local') {
        const names = target.kind === 'host' ? [target.host] : remoteRunner().hostsWithTag(target.tag);
        if (names.length === 0) throw new ContractError('not_found', `no host has the tag "${target.kind === 'tag' ? target.tag : ''}"`);
        if (target.kind === 'host' && !deps.hosts?.byName(target.host)) throw new ContractError('not_found', `no host "${target.host}" in the inventory`);
      }
      const { expect: where, what } = confirmationOf(target, deps.hostname);
      if (step.danger.level === 'destructive' && input.confirmation !== where) {
        throw new ContractError('confirmation_required', `"${step.title}" is destructive (${step.danger.reasons.join('; ')}): type ${what} ${where} to run it`);
      }
      if (input.target) deps.hosts?.setTarget(detail.run.runbookId, detail.run.sectionId, input.target);
      if (input.useRemoteHint && (!step.remote || target.kind === 'local')) {
        throw new ContractError('invalid_input', step.remote ? 'choose a host or a tag to run the inner command on' : `"${step.title}" has no ssh command to run on a host`);
      }
      const source = input.useRemoteHint && step.remote ? step.remote.command : step.script;
      // Run over Opsdeck's connection, `ssh user@server "cmd"` is cmd: the destination's placeholders are no parameters.
      const inSource = (p: RunDetail['params'][number]): boolean => !input.useRemoteHint || p.occurrences.some((o) => o.stepId === step.id && source.includes(o.text));
      const specs = detail.params
        .filter((p) => step.params.includes(p.name) && inSource(p))
        .map((p) => ({ name: p.name, kind: p.kind, secret: p.secret, texts: [...new Set(p.occurrences.filter((o) => o.stepId === step.id).map((o) => o.text))] }));
      const values = Object.fromEntries(Object.entries(input.params).filter(([k]) => specs.some((p) => p.name === k)));
      const sub = substituteParams(source, specs, values, deps.shell);
      if (!sub.ok) throw new ContractError(sub.code, sub.message);
      // Every secret the run was given so far: a later step that prints or copies one is redacted too.
      const secrets = sessions.secretsOf(input.runId, specs.filter((s) => s.secret).map((s) => values[s.name] ?? '').filter((v) => v.length >= MIN_REDACT_LENGTH));
      const recorded = Object.fromEntries(specs.map((s) => [s.name, s.secret ? MASK : (values[s.name] ?? '')]));
      const plain = Object.fromEntries(specs.filter((s) => !s.secret).map((s) => [s.name, values[s.name] ?? '']));
      if (Object.keys(plain).length > 0) runs.saveParams(detail.run.runbookId, plain, now());

      const timeoutSec = input.timeoutSec ?? DEFAULT_TIMEOUT_SEC;
      // Runbooks say `cd backend-api` meaning "from the repo the runbook lives in": run local steps from its folder.
      const sourcePath = sourcePathOf(detail.run.runbookId);
      const sourceDir = isAbsolute(sourcePath) ? dirname(sourcePath) : null;
      const spec: AttemptSpec = {
        runId: input.runId,
        stepId: step.id,
        script: sub.value.script,
        env: sub.value.env,
        timeoutSec,
        cwd: target.kind === 'local' && sourceDir && existsSync(sourceDir) ? sourceDir : null,
        recorded,
        redact: (data) => redact(data, secrets),
        prepare: (where) => sessions.prepare(input.runId, step.id, where, step, sub.value.script, (data) => redact(data, secrets)),
      };
      const track = (r: Running & { attemptId: string }): void => {
        running.set(r.attemptId, r);
        void r.done.finally(() => running.delete(r.attemptId));
      };
      let done: Promise<void>;
      appended = null;
      if (target.kind === 'local') {
        const r = launcher.local(spec);
        track(r);
        done = r.done;
      } else if (target.kind === 'host') {
        const r = launcher.remote(spec, target.host, null);
        track(r);
        return { detail: r.started.then(() => load(input.runId)), done: r.done };
      } else {
        const hosts = remoteRunner().hostsWithTag(target.tag);
        const group = launcher.fanout(spec, hosts, target, track);
        fanouts.set(input.runId, [...(fanouts.get(input.runId) ?? []), group]);
        done = group.done.finally(() => fanouts.set(input.runId, (fanouts.get(input.runId) ?? []).filter((g) => g !== group)));
      }
      // Launching appended the attempt's start (a fan-out: the first hosts'), nothing since: that fold is current.
      const latest = appended as RunDetail | null;
      return { detail: Promise.resolve(latest?.run.id === input.runId ? latest : load(input.runId)), done };
    },

    async cancel(runId: string, attemptId: string): Promise<RunDetail> {
      const r = running.get(attemptId);
      if (!r || r.runId !== runId) throw new ContractError('not_found', 'that step is not running here');
      // Cancelling one host of a fan-out stops the whole fan-out: no new hosts start.
      for (const group of fanouts.get(runId) ?? []) group.cancel();
      r.cancel();
      await r.done;
      return load(runId);
    },

    /**
     * A batch of a recording terminal's output, kept in the run's history: one recording per terminal and run,
     * stored like an attempt's output (its id answers runs.output) and listed in the run's `recordings`.
     */
    recordTerminal(runId: string, terminal: { id: string; title: string }, chunk: { at: string; data: string }): void {
      const key = `${runId}\u0000${terminal.id}`;
      let rec = recordings.get(key);
      if (!rec) {
        open(runId);
        rec = { id: uuidv7(), seq: 0 };
        recordings.set(key, rec);
        event(runId, 'terminal.recording', { recordingId: rec.id, title: terminal.title });
      }
      runs.appendChunk({ runId, attemptId: rec.id, stepId: 'terminal', seq: rec.seq++, stream: 'stdout', data: chunk.data, at: chunk.at });
    },

    /** Runs left open by a crash (their process is gone) are marked interrupted, their running attempts too. */
    recoverInterrupted(): string[] {
      const recovered: string[] = [];
      for (const runId of runs.openRunIds()) {
        const events = runs.events(runId);
        // The process that started the run, or the last that resumed it.
        const owner = processOf(events.findLast((e) => e.type === 'run.started' || e.type === 'run.resumed')?.data);
        if (owner && owner.pid === self.pid && owner.start === self.start) continue; // this process's own run
        if (owner && isSameProcessAlive(owner)) continue; // another process (a CLI run) is running it now
        for (const started of events.filter((e) => e.type === 'attempt.started' && e.attemptId)) {
          const attemptId = started.attemptId ?? '';
          if (events.some((e) => e.type === 'attempt.ended' && e.attemptId === attemptId)) continue;
          const group = processOf(started.data);
          if (group && signalGroupIfAlive(group, 'SIGTERM')) {
            runs.appendChunk({
              runId,
              attemptId,
              stepId: started.stepId ?? '',
              seq: runs.chunks(attemptId, -1).length,
              stream: 'system',
              data: `\r\n[Opsdeck stopped while this step ran; its processes (group ${group.pid}) were still running and were sent SIGTERM.]\r\n`,
              at: now(),
            });
          }
          runs.appendEvent({ runId, type: 'attempt.ended', at: now(), stepId: started.stepId, attemptId, data: { status: 'interrupted', exitCode: null, signal: null, durationMs: null } });
        }
        runs.appendEvent({ runId, type: 'run.interrupted', at: now(), stepId: null, attemptId: null, data: {} });
        recovered.push(runId);
      }
      return recovered;
    },

    async dispose(): Promise<void> {
      const all = [...[...fanouts.values()].flat(), ...running.values()];
      for (const r of all) r.cancel();
      await Promise.all(all.map((r) => r.done.catch(() => undefined)));
    },
  };
}

/** Parsed runbook versions kept in memory: a few large documents at most (a 10 MB runbook parses to ~100 MB). */
const VERSIONS_KEPT = 16;
/** Runs whose events are kept in memory: the ones open in windows and a recent history. */
const RUNS_KEPT = 256;
/** Chunk counts of ended attempts kept: a number each, enough for every attempt of the runs kept. */
const ENDED_COUNTS_KEPT = 100_000;
/** Attempts of this process whose chunks are counted in memory; older ones are counted by a query. */
const OWN_COUNTS_KEPT = 10_000;

/** Insertion-ordered map as a small cache: the oldest entry goes when it is full. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as K);
}

/** Actionable steps an operator has not finished: neither done, succeeded nor skipped. */
function leftSteps(detail: RunDetail): Array<{ id: string; title: string }> {
  const steps = new Map(sectionSteps(detail.section).map((s) => [s.id, s]));
  return detail.steps
    .filter((st) => {
      const step = steps.get(st.stepId);
      return step !== undefined && (step.kind === 'check' || step.kind === 'command') && !['done', 'succeeded', 'skipped'].includes(st.status);
    })
    .map((st) => {
      const step = steps.get(st.stepId);
      return { id: st.stepId, title: step ? stepLabel(step) : st.stepId };
    });
}

function redact(data: string, secrets: readonly string[]): string {
  let out = data;
  for (const s of secrets) out = out.split(s).join(MASK);
  return out;
}

function processOf(data: Record<string, unknown> | undefined): ProcessIdentity | null {
  if (!data || typeof data.pid !== 'number') return null;
  return { pid: data.pid, start: typeof data.start === 'string' ? data.start : null };
}
