/**
 * One run's recorded history as evidence events: each stored event (run_events) becomes one event that says who did
 * what, where and when on its own, and each attempt's output follows its start as `step.output` events (consecutive
 * chunks of one stream joined up to OUTPUT_EVENT_CHARS). Values are exported as recorded: parameters with secrets
 * already masked, output already redacted and with its terminal escapes (ANSI) kept, as the history holds them.
 */
import type { RemoteEndpoint } from '../../../shared/contract/hosts.js';
import { targetToValue } from '../../../shared/contract/target-value.js';
import type { Step } from '../../../shared/model/runbook.js';
import { stepLabel } from '../../../shared/model/step-label.js';
import { asRun } from '../../../shared/runbook/command-as-run.js';
import { findSection, sectionSteps } from '../runs/run-state.js';
import type { StoredRun } from '../store/evidence-reads.js';
import type { VersionDetail } from '../store/library-store.js';
import type { ChunkRow, RunEventRow } from '../store/run-store.js';

export interface Who {
  operator: string;
  deviceId: string;
}
export interface RunbookRef {
  id: string;
  title: string;
  versionId: string;
  version: number;
  sourceSha256: string;
  sourcePath: string;
}
export interface StepRef {
  id: string;
  title: string;
  kind: Step['kind'];
  danger: { level: Step['danger']['level']; reasons: string[] };
}
export interface What {
  runbook: RunbookRef;
  section: { id: string; title: string };
  step: StepRef | null;
}
interface Base {
  at: string;
  run: string;
  /** The id of the history record this event comes from. */
  recordId: string;
  who: Who;
  what: What;
}
export interface OutputEvent {
  type: 'step.output' | 'terminal.output';
  at: string;
  /** When the last chunk of this event was recorded. */
  until: string;
  run: string;
  /** The attempt's id (step output) or the recording's (terminal output). */
  attempt: string;
  step: string;
  stream: ChunkRow['stream'];
  /** The stored chunks this event joins (their seq numbers, inclusive). */
  chunks: { from: number; to: number };
  data: string;
}
export interface Confirmation {
  required: true;
  reasons: string[];
  /**
   * How a destructive step gets past its gate: the run service starts it only with the target's name given as
   * confirmation: typed in the cockpit or at the CLI's prompt, given by `opsdeck run --yes`, or by the schedule's
   * approval. Which one is not recorded apart from the run's origin.
   */
  given: 'typed target name or --yes' | 'schedule approval';
}
export interface Endpoint {
  host: string;
  address: string;
  port: number;
  user: string;
  hostKey: { type: string; fingerprint: string };
}

export type EvidenceEvent =
  | (Base & { type: 'run.started'; origin: StoredRun['origin']; where: { target: string } })
  | (Base & { type: 'run.resumed'; origin: string | null })
  | (Base & { type: 'check.ticked'; done: boolean })
  | (Base & { type: 'step.skipped'; reason: string })
  | (Base & { type: 'note.added'; text: string })
  | (Base & {
      type: 'step.started';
      attempt: string;
      /** `source`: the step as written in the version; `asRun`: each parameter occurrence replaced by its recorded value. */
      command: { source: string; asRun: string };
      params: Record<string, string>;
      where: { target: string; host: string | null };
      timeoutSec: number | null;
      fanoutId: string | null;
      confirmation: Confirmation | null;
    })
  | (Base & {
      type: 'step.ended';
      attempt: string;
      result: { status: string; exitCode: number | null; signal: string | null; durationMs: number | null; error: string | null; failedCommand: { command: string; line: number | null } | null };
      where: { host: string | null; endpoint: Endpoint | null };
    })
  | (Base & { type: 'terminal.recording'; recording: string; title: string })
  | (Base & { type: 'run.finished'; status: string; left: Array<{ id: string; title: string }>; reason: string | null })
  | (Base & { type: 'run.aborted'; reason: string | null })
  | (Base & { type: 'run.interrupted' })
  /** A kind of history record this version of Opsdeck does not export: named, its data left out. */
  | (Base & { type: 'history.other'; historyType: string })
  | OutputEvent;

export interface RunHistory {
  run: StoredRun;
  version: VersionDetail;
  sourcePath: string;
  events: readonly RunEventRow[];
}

export interface ChunkSource {
  /** Up to `limit` chunks after `afterSeq`, in order. */
  page(attemptId: string, afterSeq: number, limit: number): ChunkRow[];
}

/** Characters of output one event holds at most: larger means fewer lines, smaller means more of them to hash. */
export const OUTPUT_EVENT_CHARS = 64 * 1024;
/**
 * Chunks read from the store at once, a synchronous query each: a chunk holds up to 32 K characters (the output
 * batcher's flush size), so a page is at most ~3 MB however large the output; more per page means fewer queries.
 */
const CHUNK_PAGE = 100;
const END_TYPES = new Set(['run.finished', 'run.aborted', 'run.interrupted']);

/**
 * The run's evidence events in order. `between` is awaited between pages of output (and events), so a long history
 * never holds the event loop for long.
 */
export async function* runEvidence(history: RunHistory, chunks: ChunkSource, between: () => Promise<void>): AsyncGenerator<EvidenceEvent> {
  const { run, version } = history;
  const section = findSection(version.document.sections, run.sectionId);
  const steps = new Map((section ? sectionSteps(section) : []).map((s) => [s.id, s]));
  const runbook: RunbookRef = { id: run.runbookId, title: version.title, versionId: version.id, version: version.version, sourceSha256: version.sha256, sourcePath: history.sourcePath };
  const sectionRef = { id: run.sectionId, title: section?.title ?? run.sectionTitle };
  const what = (stepId: string | null): What => ({ runbook, section: sectionRef, step: stepId === null ? null : stepRef(stepId, steps.get(stepId)) });
  let operator = run.operator;
  const base = (e: RunEventRow, who = operator): Base => ({ at: e.at, run: run.id, recordId: e.id, who: { operator: who, deviceId: run.deviceId }, what: what(e.stepId) });
  const lastEnd = history.events.findLastIndex((e) => END_TYPES.has(e.type));
  const open = new Map<string, string>();
  const recordings: string[] = [];

  for (const [index, e] of history.events.entries()) {
    if (index === lastEnd) {
      // What is still open when the run ends for the last time: output of attempts never ended, terminal transcripts.
      for (const [attemptId, stepId] of open) yield* output('step.output', run.id, attemptId, stepId, chunks, between);
      open.clear();
      for (const id of recordings) yield* output('terminal.output', run.id, id, 'terminal', chunks, between);
      recordings.length = 0;
    }
    const d = e.data;
    switch (e.type) {
      case 'run.started':
        yield { ...base(e), type: 'run.started', origin: run.origin, where: { target: targetToValue(run.target) } };
        break;
      case 'run.resumed':
        operator = typeof d.operator === 'string' ? d.operator : operator;
        yield { ...base(e), type: 'run.resumed', origin: typeof d.origin === 'string' ? d.origin : null };
        break;
      case 'check.ticked':
        yield { ...base(e), type: 'check.ticked', done: d.done === true };
        break;
      case 'step.skipped':
        yield { ...base(e), type: 'step.skipped', reason: String(d.reason ?? '') };
        break;
      case 'note.added':
        yield { ...base(e, typeof d.operator === 'string' ? d.operator : operator), type: 'note.added', text: String(d.text ?? '') };
        break;
      case 'attempt.started': {
        const step = e.stepId ? steps.get(e.stepId) : undefined;
        const params = stringRecord(d.params);
        const host = typeof d.host === 'string' ? d.host : null;
        yield {
          ...base(e),
          type: 'step.started',
          attempt: e.attemptId ?? '',
          command: { source: step?.script ?? '', asRun: step ? asRun(step, version.document.params, params) : '' },
          params,
          where: { target: host ? `host:${host}` : 'local', host },
          timeoutSec: typeof d.timeoutSec === 'number' ? d.timeoutSec : null,
          fanoutId: typeof d.fanoutId === 'string' ? d.fanoutId : null,
          confirmation: step?.danger.level === 'destructive' ? { required: true, reasons: [...step.danger.reasons], given: run.origin === 'schedule' ? 'schedule approval' : 'typed target name or --yes' } : null,
        };
        if (e.attemptId) open.set(e.attemptId, e.stepId ?? '');
        break;
      }
      case 'attempt.ended': {
        const attemptId = e.attemptId ?? '';
        if (open.has(attemptId)) {
          yield* output('step.output', run.id, attemptId, open.get(attemptId) ?? '', chunks, between);
          open.delete(attemptId);
        }
        const failed = d.failedCommand as { command?: unknown; line?: unknown } | undefined;
        yield {
          ...base(e),
          type: 'step.ended',
          attempt: attemptId,
          result: {
            status: String(d.status ?? ''),
            exitCode: typeof d.exitCode === 'number' ? d.exitCode : null,
            signal: typeof d.signal === 'string' ? d.signal : null,
            durationMs: typeof d.durationMs === 'number' ? d.durationMs : null,
            error: typeof d.error === 'string' ? d.error : null,
            failedCommand: failed && typeof failed.command === 'string' ? { command: failed.command, line: typeof failed.line === 'number' ? failed.line : null } : null,
          },
          where: { host: endpointOf(d.endpoint)?.host ?? null, endpoint: endpointOf(d.endpoint) },
        };
        break;
      }
      case 'terminal.recording':
        recordings.push(String(d.recordingId ?? ''));
        yield { ...base(e), type: 'terminal.recording', recording: String(d.recordingId ?? ''), title: String(d.title ?? '') };
        break;
      case 'run.finished':
        yield {
          ...base(e),
          type: 'run.finished',
          status: String(d.status ?? ''),
          left: Array.isArray(d.left) ? (d.left as Array<{ id?: unknown; title?: unknown }>).map((s) => ({ id: String(s.id ?? ''), title: String(s.title ?? '') })) : [],
          reason: typeof d.reason === 'string' ? d.reason : null,
        };
        break;
      case 'run.aborted':
        yield { ...base(e), type: 'run.aborted', reason: typeof d.reason === 'string' && d.reason !== '' ? d.reason : null };
        break;
      case 'run.interrupted':
        yield { ...base(e), type: 'run.interrupted' };
        break;
      default:
        yield { ...base(e), type: 'history.other', historyType: e.type };
        break;
    }
  }
  // A run still going (or never ended) when exported: what it printed so far.
  for (const [attemptId, stepId] of open) yield* output('step.output', run.id, attemptId, stepId, chunks, between);
  for (const id of recordings) yield* output('terminal.output', run.id, id, 'terminal', chunks, between);
}

async function* output(type: OutputEvent['type'], runId: string, attemptId: string, stepId: string, chunks: ChunkSource, between: () => Promise<void>): AsyncGenerator<OutputEvent> {
  let after = -1;
  let pending: OutputEvent | null = null;
  for (;;) {
    const page = chunks.page(attemptId, after, CHUNK_PAGE).filter((c) => c.runId === runId);
    if (page.length === 0) break;
    for (const c of page) {
      if (pending && (pending.stream !== c.stream || pending.data.length + c.data.length > OUTPUT_EVENT_CHARS)) {
        yield pending;
        pending = null;
      }
      if (pending) {
        pending.data += c.data;
        pending.until = c.at;
        pending.chunks.to = c.seq;
      } else {
        pending = { type, at: c.at, until: c.at, run: runId, attempt: attemptId, step: stepId, stream: c.stream, chunks: { from: c.seq, to: c.seq }, data: c.data };
      }
      after = c.seq;
    }
    await between();
  }
  if (pending) yield pending;
}

function stepRef(id: string, step: Step | undefined): StepRef {
  if (!step) return { id, title: id, kind: 'command', danger: { level: 'safe', reasons: [] } };
  return { id, title: stepLabel(step), kind: step.kind, danger: { level: step.danger.level, reasons: [...step.danger.reasons] } };
}

function stringRecord(value: unknown): Record<string, string> {
  if (value === null || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}


function endpointOf(value: unknown): Endpoint | null {
  if (value === null || typeof value !== 'object') return null;
  const e = value as Partial<RemoteEndpoint>;
  if (typeof e.host !== 'string' || typeof e.address !== 'string') return null;
  return { host: e.host, address: e.address, port: Number(e.port ?? 22), user: String(e.user ?? ''), hostKey: { type: String(e.keyType ?? ''), fingerprint: String(e.fingerprint ?? '') } };
}

export { asRun };
