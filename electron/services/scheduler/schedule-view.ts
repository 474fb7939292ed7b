/**
 * What a schedule looks like from outside: its state (may it fire, and if not why), the steps changed since their
 * text was approved, its records folded into one outcome per occurrence, and the approval of a section's steps,
 * bound to their text by a hash. Pure functions over the stores' rows and the runbook's document.
 */
import { createHash } from 'node:crypto';
import type { Schedule, ScheduleRecord, StepChange } from '../../../shared/contract/schedules.js';
import type { Section, Step } from '../../../shared/model/runbook.js';
import { DEFAULT_STEP_SHELL } from '../../../shared/model/runbook.js';
import type { ScheduleOutcome } from '../../../shared/schedule/outcome.js';
import { findSection, sectionSteps } from '../runs/run-state.js';
import type { Approval, RecordRow, ScheduleRow } from '../store/schedule-store.js';

/** How many records a schedule shows (the outcome strip). */
export const RECENT_SHOWN = 30;

/** A command step's text as approved: what it runs and how its shell runs it. */
export function stepHash(step: Step): string {
  const shell = step.shell ?? DEFAULT_STEP_SHELL;
  const remote = step.remote ? JSON.stringify(step.remote) : '';
  return createHash('sha256').update(JSON.stringify([step.script, shell.errexit, shell.pipefail, shell.fresh, remote])).digest('hex');
}

export const commandSteps = (section: Section): Step[] => sectionSteps(section).filter((s) => s.kind === 'command');

export function approvalOf(section: Section, versionId: string): Approval {
  return { versionId, steps: commandSteps(section).map((s) => ({ id: s.id, title: s.title, sha256: stepHash(s) })) };
}

/**
 * The section's command steps whose text differs from the approved text. Step ids follow their content, so a step
 * whose text changed has a new id: a new step where an approved one is gone, at the same place, is that step changed.
 */
export function changesSince(approved: Approval, section: Section): StepChange[] {
  const steps = commandSteps(section);
  const byId = new Map(approved.steps.map((a) => [a.id, a]));
  const present = new Set(steps.map((s) => s.id));
  const changes: StepChange[] = [];
  const replaced = new Set<string>();
  steps.forEach((step, index) => {
    const destructive = step.danger.level === 'destructive';
    const was = byId.get(step.id);
    if (was) {
      if (was.sha256 !== stepHash(step)) changes.push({ stepId: step.id, title: step.title, change: 'changed', destructive });
      return;
    }
    const atPlace = approved.steps[index];
    if (atPlace && !present.has(atPlace.id) && !replaced.has(atPlace.id)) {
      replaced.add(atPlace.id);
      changes.push({ stepId: step.id, title: step.title, change: 'changed', destructive });
    } else {
      changes.push({ stepId: step.id, title: step.title, change: 'added', destructive });
    }
  });
  for (const a of approved.steps) {
    if (!present.has(a.id) && !replaced.has(a.id)) changes.push({ stepId: a.id, title: a.title, change: 'removed', destructive: false });
  }
  return changes;
}

export function describeChanges(changes: readonly StepChange[]): string {
  const names = changes.slice(0, 3).map((c) => `"${c.title}" ${c.change}`);
  const more = changes.length > 3 ? ` and ${changes.length - 3} more` : '';
  return `a new version of the runbook changed scheduled steps (${names.join(', ')}${more}): approve the new text to fire again`;
}

export interface Situation {
  state: Schedule['state'];
  reason: string | null;
  changes: StepChange[];
  section: Section | null;
}

/** May the schedule fire, against the runbook's latest version (`sections`, null when archived). */
export function situationOf(row: ScheduleRow, sections: readonly Section[] | null): Situation {
  const section = sections ? (findSection(sections, row.sectionId) ?? null) : null;
  if (row.paused) return { state: 'paused', reason: row.pauseReason ?? 'paused', changes: [], section };
  if (sections === null) return { state: 'broken', reason: 'the runbook was removed from the library: import it again to fire again', changes: [], section };
  if (!section) return { state: 'broken', reason: 'the runbook no longer has this section', changes: [], section };
  const changes = changesSince(row.approved, section);
  if (changes.length > 0) return { state: 'needs_approval', reason: describeChanges(changes), changes, section };
  return { state: 'active', reason: null, changes: [], section };
}

/** A record as the contract's outcome; null for `pending` (not yet an outcome). */
export function outcomeOf(r: RecordRow): ScheduleOutcome | null {
  const occurrence = r.occurrence ?? '';
  switch (r.kind) {
    case 'pending':
      return null;
    case 'started':
      return { kind: 'started', occurrence, runId: r.runId ?? '', catchUp: r.catchUp, ...(r.manual ? { manual: true } : {}) };
    case 'skipped_overlap':
      return { kind: 'skipped_overlap', occurrence, reason: r.reason === 'queue_full' ? 'queue_full' : 'previous_running' };
    case 'missed':
    case 'missed_beyond_window':
      return { kind: r.kind, first: r.firstAt ?? '', last: r.lastAt ?? '', count: r.count ?? 1 };
    case 'waiting_approval':
      return { kind: 'waiting_approval', occurrence };
    case 'failed_to_start':
      return { kind: 'failed_to_start', occurrence, reason: r.reason ?? 'unknown' };
    default:
      return assertNever(r.kind);
  }
}

/**
 * Newest first, one per occurrence (its newest record) and one per summary, at most RECENT_SHOWN. `rows` are the
 * newest records, newest first; `runStatus` reads a started run's status.
 */
export function foldRecent(rows: readonly RecordRow[], runStatus: (runId: string) => string | null): ScheduleRecord[] {
  const seen = new Set<string>();
  const out: ScheduleRecord[] = [];
  for (const r of rows) {
    if (r.occurrence !== null) {
      const key = `${r.manual ? 'm' : 'o'}${r.occurrence}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    const outcome = outcomeOf(r);
    if (!outcome) continue;
    out.push({ id: r.id, recordedAt: r.recordedAt, outcome, runStatus: r.kind === 'started' && r.runId ? runStatus(r.runId) : null });
    if (out.length >= RECENT_SHOWN) break;
  }
  return out;
}

function assertNever(value: never): never {
  throw new Error(`unexpected record kind: ${String(value)}`);
}
