/**
 * A run's state is a fold of its append-only events over the section it ran: this is the one place that says
 * what a tick, a skip, an attempt or an end means for the step statuses, the progress and the run's status.
 */
import type { Attempt, AttemptStatus, Note, RunDetail, RunStatus, SessionState, StepState } from '../../../shared/contract/schemas.js';
import type { Param, Runbook, Section, Step } from '../../../shared/model/runbook.js';
import { targetToValue } from '../../../shared/contract/target-value.js';
import type { RunEventRow, RunRow } from '../store/run-store.js';

export function findSection(sections: readonly Section[], id: string): Section | undefined {
  for (const s of sections) {
    if (s.id === id) return s;
    const inner = findSection(s.sections, id);
    if (inner) return inner;
  }
  return undefined;
}

/** The section's own steps, then its subsections', in document order. */
export function sectionSteps(section: Section): Step[] {
  return [...section.steps, ...section.sections.flatMap(sectionSteps)];
}

/** Steps that count towards progress: the ones an operator acts on. */
export const actionable = (step: Step): boolean => step.kind === 'check' || step.kind === 'command';

const FINISHED: ReadonlySet<StepState['status']> = new Set(['done', 'succeeded', 'skipped']);

/**
 * A step's status is its latest attempt's; for a fan-out (attempts sharing a fanoutId) it is the whole group's:
 * running while any host runs, failed if any failed, succeeded only if all did.
 */
function latestStatus(attempts: readonly Attempt[]): StepState['status'] {
  const last = attempts.at(-1);
  if (!last) return 'pending';
  if (last.fanoutId === null) return last.status;
  const group = attempts.filter((a) => a.fanoutId === last.fanoutId);
  for (const s of ['running', 'interrupted', 'timed_out', 'failed', 'cancelled'] as const) if (group.some((a) => a.status === s)) return s;
  return 'succeeded';
}

export interface FoldInput {
  run: RunRow;
  runbookTitle: string;
  document: Runbook;
  events: readonly RunEventRow[];
  chunkCounts: ReadonlyMap<string, number>;
}

/**
 * A run's fold kept up to date: `apply` takes events in order (each once), `snapshot` answers the state so far.
 * Events are append-only, so a run read once is only ever advanced by the events added since, never refolded.
 */
export interface RunFold {
  apply(events: readonly RunEventRow[]): void;
  /**
   * The state after the events applied. A snapshot never changes later: its objects are new, except ended
   * attempts, which are final and shared between snapshots (treat snapshots as read-only).
   */
  snapshot(chunkCount: (id: string) => number): RunDetail;
  /** Ids whose chunk counts the next snapshot asks for: running attempts', and ended ones' not yet snapshotted. */
  chunkIds(): string[];
  /** Whether the attempt has ended (its chunk count is final). */
  ended(attemptId: string): boolean;
  /** Whether the next snapshot could differ without a new event: an attempt runs (its chunk count grows). */
  live(): boolean;
}

export function createRunFold(run: RunRow, runbookTitle: string, document: Runbook): RunFold {
  const section = findSection(document.sections, run.sectionId);
  if (!section) throw new Error(`section ${run.sectionId} is not in version ${run.versionId}`);
  const steps = sectionSteps(section);
  const states = new Map<string, StepState>(
    steps.map((s) => [s.id, { stepId: s.id, status: 'pending', skipReason: null, attempts: [] }]),
  );
  const attempts = new Map<string, Attempt>();
  const running = new Set<string>();
  /** Snapshots of ended attempts: final (chunk count included), so shared by every later snapshot. */
  const frozen = new Map<string, Attempt>();
  const notes: Note[] = [];
  const recordings: RunDetail['recordings'] = [];
  let status: RunStatus = 'running';
  let endedAt: string | null = null;
  let left: Array<{ id: string; title: string }> = [];
  let endReason: string | null = null;
  /** The latest carried state per target. */
  const sessions = new Map<string, SessionState>();
  const counted = steps.filter(actionable);
  const usedParams = new Set(steps.flatMap((s) => s.params));
  const params: Param[] = document.params.filter((p) => usedParams.has(p.name));

  const applyOne = (e: RunEventRow): void => {
    const state = e.stepId ? states.get(e.stepId) : undefined;
    switch (e.type) {
      case 'check.ticked':
        if (state) {
          state.status = e.data.done === true ? 'done' : 'pending';
          state.skipReason = null;
        }
        break;
      case 'step.skipped':
        if (state) {
          state.status = 'skipped';
          state.skipReason = String(e.data.reason ?? '');
        }
        break;
      case 'note.added':
        notes.push({ id: e.id, kind: 'note', stepId: e.stepId, text: String(e.data.text ?? ''), at: e.at, operator: String(e.data.operator ?? run.operator) });
        break;
      case 'attempt.started': {
        if (!state || !e.attemptId) break;
        const attempt: Attempt = {
          id: e.attemptId,
          stepId: state.stepId,
          status: 'running',
          startedAt: e.at,
          endedAt: null,
          exitCode: null,
          signal: null,
          durationMs: null,
          timeoutSec: Number(e.data.timeoutSec ?? 0),
          params: (e.data.params as Record<string, string> | undefined) ?? {},
          chunks: 0,
          host: typeof e.data.host === 'string' ? e.data.host : null,
          endpoint: (e.data.endpoint as Attempt['endpoint'] | undefined) ?? null,
          fanoutId: typeof e.data.fanoutId === 'string' ? e.data.fanoutId : null,
          error: null,
          shell: (e.data.shell as Attempt['shell'] | undefined) ?? null,
          failedCommand: null,
        };
        attempts.set(attempt.id, attempt);
        running.add(attempt.id);
        state.attempts.push(attempt);
        state.status = 'running';
        state.skipReason = null;
        break;
      }
      case 'attempt.ended': {
        const attempt = e.attemptId ? attempts.get(e.attemptId) : undefined;
        if (!attempt) break;
        attempt.status = e.data.status as AttemptStatus;
        attempt.endedAt = e.at;
        attempt.exitCode = typeof e.data.exitCode === 'number' ? e.data.exitCode : null;
        attempt.signal = typeof e.data.signal === 'string' ? e.data.signal : null;
        attempt.durationMs = typeof e.data.durationMs === 'number' ? e.data.durationMs : null;
        attempt.error = typeof e.data.error === 'string' ? e.data.error : null;
        if (e.data.endpoint) attempt.endpoint = e.data.endpoint as Attempt['endpoint'];
        attempt.failedCommand = (e.data.failedCommand as Attempt['failedCommand'] | undefined) ?? null;
        if (e.data.session) {
          const state = e.data.session as SessionState;
          sessions.set(state.where, state);
        }
        running.delete(attempt.id);
        frozen.delete(attempt.id);
        const owner = states.get(attempt.stepId);
        if (owner) owner.status = latestStatus(owner.attempts);
        break;
      }
      case 'terminal.recording':
        recordings.push({ id: String(e.data.recordingId ?? ''), title: String(e.data.title ?? ''), startedAt: e.at });
        break;
      case 'run.finished':
        status = e.data.status === 'failed' ? 'failed' : e.data.status === 'incomplete' ? 'incomplete' : 'completed';
        endedAt = e.at;
        left = Array.isArray(e.data.left) ? (e.data.left as Array<{ id: string; title: string }>) : [];
        endReason = typeof e.data.reason === 'string' ? e.data.reason : null;
        break;
      case 'run.aborted':
        status = 'aborted';
        endedAt = e.at;
        endReason = typeof e.data.reason === 'string' && e.data.reason !== '' ? e.data.reason : null;
        break;
      case 'run.resumed': {
        status = 'running';
        endedAt = null;
        endReason = null;
        const by = String(e.data.operator ?? run.operator);
        const via = e.data.origin === 'cli' ? ' from the command line' : e.data.origin === 'schedule' ? ' by its schedule' : e.data.origin === 'ui' ? ' in the cockpit' : '';
        notes.push({ id: e.id, kind: 'system', stepId: null, text: `Resumed by ${by}${via}.`, at: e.at, operator: by });
        // An interrupted step waits for a new attempt: pending again, its interrupted attempts kept in its history.
        for (const st of states.values()) if (st.status === 'interrupted') st.status = 'pending';
        break;
      }
      case 'run.interrupted':
        status = 'interrupted';
        endedAt = e.at;
        break;
      default:
        break;
    }
  };

  return {
    apply(events) {
      for (const e of events) applyOne(e);
    },
    snapshot(chunkCount) {
      const failed = steps.find((s) => {
        const st = states.get(s.id)?.status;
        return st === 'failed' || st === 'timed_out' || st === 'interrupted';
      });
      return {
        run: {
          id: run.id,
          runbookId: run.runbookId,
          versionId: run.versionId,
          runbookTitle,
          sectionId: run.sectionId,
          sectionTitle: run.sectionTitle,
          operator: run.operator,
          target: targetToValue(run.target),
          origin: run.origin,
          status,
          startedAt: run.startedAt,
          endedAt,
          progress: { done: counted.filter((s) => FINISHED.has(states.get(s.id)?.status ?? 'pending')).length, total: counted.length },
          failedStep: failed ? { id: failed.id, title: failed.title } : null,
          left: status === 'running' ? [] : left,
          endReason,
        },
        section,
        params,
        steps: steps.map((s) => {
          const st = states.get(s.id) as StepState;
          return {
            ...st,
            attempts: st.attempts.map((a) => {
              const done = frozen.get(a.id);
              if (done) return done;
              const copy = { ...a, chunks: chunkCount(a.id) };
              if (!running.has(a.id)) frozen.set(a.id, copy);
              return copy;
            }),
          };
        }),
        notes: [...notes],
        recordings: [...recordings],
        sessions: [...sessions.values()].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)),
      };
    },
    chunkIds: () => [...attempts.keys()].filter((id) => !frozen.has(id)),
    ended: (attemptId) => attempts.has(attemptId) && !running.has(attemptId),
    live: () => running.size > 0,
  };
}

/** The state of a run after `events`, folded in one go. */
export function foldRun({ run, runbookTitle, document, events, chunkCounts }: FoldInput): RunDetail {
  const fold = createRunFold(run, runbookTitle, document);
  fold.apply(events);
  return fold.snapshot((id) => chunkCounts.get(id) ?? 0);
}
