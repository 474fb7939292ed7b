/**
 * The timeline of an incident: its own entries (declared, changes, notes, corrections, updates, reminders,
 * follow-ups) and, for each linked run, what the run recorded: the run itself, each step attempt with its command
 * as it ran, where, its exit code and duration, ticks and skips, notes and terminal recordings. Sorted by when each
 * thing happened (`at`), ties kept in the order they were recorded. Pure: the runs are read by the caller.
 */
import type { TimelineEntry } from '../../../shared/contract/incidents.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import type { Step } from '../../../shared/model/runbook.js';
import { stepLabel } from '../../../shared/model/step-label.js';
import { asRun } from '../evidence/history-events.js';
import { sectionSteps } from '../runs/run-state.js';
import type { EntryRow } from '../store/incident-store.js';
import { ownEntry } from './incident-state.js';

/** A tick, untick or skip of a linked run, with its time (a run's detail keeps only each step's state). */
export interface StepAction {
  id: string;
  at: string;
  stepId: string;
  action: 'ticked' | 'unticked' | 'skipped';
  reason: string | null;
  /** Empty when the record does not say: the run's operator then. */
  by: string;
}

export interface LinkedRun {
  detail: RunDetail;
  actions: readonly StepAction[];
}

/** What one linked run adds to the timeline; `link` is the entry that linked it (its id names the run's entry). */
export function runEntries(link: EntryRow, run: LinkedRun | null): TimelineEntry[] {
  const runId = link.runId ?? '';
  if (!run) {
    // A run this device does not have (recorded on another, not synced yet): the link alone.
    return [{ id: link.id, at: link.at, recordedAt: link.recordedAt, by: link.by, kind: 'run', runId, runbookTitle: '', sectionTitle: '', target: '', status: 'unknown' }];
  }
  const { detail } = run;
  const r = detail.run;
  const by = r.operator;
  const steps = new Map<string, Step>(sectionSteps(detail.section).map((s) => [s.id, s]));
  const title = (stepId: string): string => {
    const step = steps.get(stepId);
    return step ? stepLabel(step) : stepId;
  };
  const out: TimelineEntry[] = [
    { id: link.id, at: r.startedAt, recordedAt: link.recordedAt, by, kind: 'run', runId, runbookTitle: r.runbookTitle, sectionTitle: r.sectionTitle, target: r.target, status: r.status },
  ];
  for (const state of detail.steps) {
    const step = steps.get(state.stepId);
    for (const a of state.attempts) {
      out.push({
        id: a.id,
        at: a.startedAt,
        recordedAt: a.endedAt ?? a.startedAt,
        by,
        kind: 'attempt',
        runId,
        attemptId: a.id,
        stepTitle: title(state.stepId),
        command: step ? asRun(step, detail.params, a.params) : '',
        host: a.host,
        status: a.status,
        exitCode: a.exitCode,
        durationMs: a.durationMs,
      });
    }
  }
  for (const act of run.actions) {
    out.push({ id: act.id, at: act.at, recordedAt: act.at, by: act.by || by, kind: 'step', runId, stepTitle: title(act.stepId), action: act.action, reason: act.reason });
  }
  for (const note of detail.notes) out.push({ id: note.id, at: note.at, recordedAt: note.at, by: note.operator, kind: 'run-note', runId, text: note.text });
  for (const rec of detail.recordings) out.push({ id: rec.id, at: rec.startedAt, recordedAt: rec.startedAt, by, kind: 'recording', runId, title: rec.title });
  return out;
}

/** The whole timeline: own entries in recorded order, each linked run's after them, then sorted by `at` (stable). */
export function buildTimeline(rows: readonly EntryRow[], run: (runId: string) => LinkedRun | null): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const linked = new Set<string>();
  for (const row of rows) {
    if (row.kind === 'run') {
      if (!row.runId || linked.has(row.runId)) continue;
      linked.add(row.runId);
      out.push(...runEntries(row, run(row.runId)));
      continue;
    }
    const entry = ownEntry(row);
    if (entry) out.push(entry);
  }
  const key = (e: TimelineEntry): number => {
    const t = Date.parse(e.at);
    return Number.isNaN(t) ? 0 : t;
  };
  return out.map((e, i) => ({ e, i, t: key(e) })).sort((a, b) => a.t - b.t || a.i - b.i).map(({ e }) => e);
}
