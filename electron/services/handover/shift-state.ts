/**
 * Gathers what a handover reports from the services that recorded it: the runs of the shift (with each failure's step
 * and the end of its output, and the checks left), the schedules due, missed or waiting, and the open incidents.
 * The draft itself is pure (shared/handover/draft.ts); this is the part that reads.
 */
import type { IncidentDetail } from '../../../shared/contract/incidents.js';
import type { AgendaEntry, Schedule } from '../../../shared/contract/schedules.js';
import type { OutputChunk, Run, RunDetail } from '../../../shared/contract/schemas.js';
import type { ShiftFailure, ShiftIncident, ShiftRun, ShiftSchedule } from '../../../shared/handover/state.js';
import { sectionSteps } from '../runs/run-state.js';
import { searchableText } from '../search/text.js';

export interface ShiftSources {
  runs: {
    list(opts: { limit?: number }): Run[];
    get(runId: string): RunDetail;
    output(runId: string, attemptId: string, afterSeq?: number): OutputChunk[];
  };
  scheduler: { list(): Schedule[]; agenda(hours: number): AgendaEntry[] };
  /** The open incidents in full (follow-ups, roles); null where incidents are not served. */
  incidents: { open(): IncidentDetail[] | Promise<IncidentDetail[]> } | null;
}

/**
 * Runs read to find the shift's (newest first): a shift of more is reported as its newest this many, and says so.
 * Trades a complete count on a machine that ran thousands of runs since the last handover for a bounded read.
 */
export const RUNS_READ = 2000;
/** Output chunks read from the end of a failed attempt, and lines of them shown: enough to see the error. */
const EXCERPT_CHUNKS = 20;
const EXCERPT_LINES = 5;
/** A line of the excerpt longer than this is cut: a minified JSON blob would make the handover unreadable. */
const EXCERPT_LINE_CHARS = 200;
/** How far ahead the schedules part looks. */
export const AGENDA_HOURS = 24;

const NEEDS_DETAIL = new Set<Run['status']>(['running', 'interrupted', 'incomplete', 'failed']);

/** The newest runs, and the oldest start among them (the first record, when no handover was signed off yet). */
export function readRuns(sources: ShiftSources): { runs: Run[]; truncated: boolean; oldest: string | null } {
  const runs = sources.runs.list({ limit: RUNS_READ });
  return { runs, truncated: runs.length >= RUNS_READ, oldest: runs.at(-1)?.startedAt ?? null };
}

/** A run is of the shift when it started or ended since the last handover, or is still running. */
export function shiftRuns(sources: ShiftSources, runs: readonly Run[], since: string): ShiftRun[] {
  const from = Date.parse(since);
  return runs
    .filter((r) => Date.parse(r.startedAt) >= from || (r.endedAt !== null && Date.parse(r.endedAt) >= from) || r.status === 'running')
    .map((r) => {
      const detail = r.failedStep || NEEDS_DETAIL.has(r.status) ? sources.runs.get(r.id) : null;
      return {
        id: r.id,
        runbookTitle: r.runbookTitle,
        sectionTitle: r.sectionTitle,
        status: r.status,
        startedAt: r.startedAt,
        endedAt: r.endedAt,
        operator: r.operator,
        target: r.target,
        progress: r.progress,
        endReason: r.endReason,
        left: r.left.map((s) => s.title),
        failure: detail && r.failedStep ? failureOf(sources, detail, r.failedStep) : null,
        pendingChecks: detail && r.status !== 'completed' ? pendingChecks(detail) : [],
      };
    });
}

function failureOf(sources: ShiftSources, detail: RunDetail, failed: { id: string; title: string }): ShiftFailure | null {
  const attempt = detail.steps.find((s) => s.stepId === failed.id)?.attempts.at(-1);
  if (!attempt) return null;
  const chunks = sources.runs.output(detail.run.id, attempt.id, Math.max(-1, attempt.chunks - EXCERPT_CHUNKS - 1));
  return {
    stepTitle: failed.title,
    exitCode: attempt.exitCode,
    attemptStatus: attempt.status,
    command: attempt.failedCommand ? `${attempt.failedCommand.command}` : null,
    error: attempt.error,
    host: attempt.host,
    excerpt: excerptOf(chunks),
  };
}

/** The last lines the step printed (stdout and stderr; Opsdeck's own lines only when it printed nothing). */
export function excerptOf(chunks: readonly OutputChunk[]): string[] {
  const printed = chunks.filter((c) => c.stream !== 'system');
  const text = searchableText((printed.length > 0 ? printed : chunks).map((c) => c.data).join(''));
  return text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-EXCERPT_LINES)
    .map((l) => (l.length > EXCERPT_LINE_CHARS ? `${l.slice(0, EXCERPT_LINE_CHARS)}…` : l));
}

function pendingChecks(detail: RunDetail): string[] {
  const status = new Map(detail.steps.map((s) => [s.stepId, s.status]));
  return sectionSteps(detail.section)
    .filter((s) => s.kind === 'check' && (status.get(s.id) ?? 'pending') === 'pending')
    .map((s) => s.title);
}

/** Schedules with something to say: occurrences due in the next 24 hours, misses since the last handover, approvals. */
export function shiftSchedules(sources: ShiftSources, since: string): ShiftSchedule[] {
  const agenda = sources.scheduler.agenda(AGENDA_HOURS);
  const from = Date.parse(since);
  return sources.scheduler
    .list()
    .map((s): ShiftSchedule => ({
      id: s.id,
      runbookTitle: s.runbookTitle,
      sectionTitle: s.sectionTitle,
      due: agenda.filter((a) => a.scheduleId === s.id).map((a) => a.at),
      missed: s.recent
        .filter((r) => Date.parse(r.recordedAt) >= from)
        .flatMap((r): ShiftSchedule['missed'] => {
          const o = r.outcome;
          switch (o.kind) {
            case 'missed':
            case 'missed_beyond_window':
              return [{ first: o.first, last: o.last, count: o.count, why: o.kind, reason: null }];
            case 'failed_to_start':
              return [{ first: o.occurrence, last: o.occurrence, count: 1, why: 'failed_to_start', reason: o.reason }];
            case 'started':
            case 'skipped_overlap':
            case 'waiting_approval':
              return [];
            default:
              return assertNever(o);
          }
        })
        // The store answers newest first; a handover reads oldest first.
        .reverse(),
      waiting: [...s.waiting].sort(),
      needsApproval: s.state === 'needs_approval' ? (s.stateReason ?? 'its steps changed since they were approved') : null,
    }))
    .filter((s) => s.due.length > 0 || s.missed.length > 0 || s.waiting.length > 0 || s.needsApproval !== null);
}

export function shiftIncidents(open: readonly IncidentDetail[]): ShiftIncident[] {
  return open.map((i) => ({
    id: i.id,
    title: i.title,
    severity: i.severity,
    status: i.status,
    lastUpdateAt: i.lastUpdateAt,
    nextUpdateDue: i.nextUpdateDue,
    commander: i.roles.commander ?? null,
    followups: i.followups.map((f) => ({ id: f.id, text: f.text, owner: f.owner, due: f.due, done: f.done })),
  }));
}

function assertNever(value: never): never {
  throw new Error(`unexpected schedule outcome: ${JSON.stringify(value)}`);
}
