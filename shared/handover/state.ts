/**
 * What a shift handover is drafted from: what happened since the last handover was signed off, gathered by the
 * handover service (electron/services/handover/) from the runs, the scheduler and the incidents, as plain data so
 * that the draft (draft.ts) is a pure function of it and can be tested against exact Markdown.
 */
import type { RunStatus } from '../contract/schemas.js';

export interface ShiftIncident {
  id: string;
  title: string;
  severity: string;
  status: string;
  lastUpdateAt: string | null;
  nextUpdateDue: string | null;
  commander: string | null;
  followups: Array<{ id: string; text: string; owner: string; due: string | null; done: boolean }>;
}

/** A run of the shift: it started or ended since the last handover, or it is still running. */
export interface ShiftRun {
  id: string;
  runbookTitle: string;
  sectionTitle: string;
  status: RunStatus;
  startedAt: string;
  endedAt: string | null;
  operator: string;
  target: string;
  progress: { done: number; total: number };
  endReason: string | null;
  /** Steps left when it was finished (incomplete), titles. */
  left: string[];
  /** The step whose latest attempt failed, with what the attempt recorded. */
  failure: ShiftFailure | null;
  /** Checks neither ticked nor skipped, when the run did not complete. */
  pendingChecks: string[];
}

export interface ShiftFailure {
  stepTitle: string;
  exitCode: number | null;
  /** `failed`, `timed_out`, `cancelled`, `interrupted`. */
  attemptStatus: string;
  /** The command that failed, when the shell could tell, and its line in the step. */
  command: string | null;
  error: string | null;
  host: string | null;
  /** The last few lines of the attempt's output, escape sequences removed. */
  excerpt: string[];
}

/** A schedule's due, missed or waiting occurrences, for the schedules part. */
export interface ShiftSchedule {
  id: string;
  runbookTitle: string;
  sectionTitle: string;
  /** Occurrences in the next 24 hours, soonest first. */
  due: string[];
  /** Occurrences missed (or missed beyond the catch-up window, or that failed to start) since the last handover. */
  missed: Array<{ first: string; last: string; count: number; why: 'missed' | 'missed_beyond_window' | 'failed_to_start'; reason: string | null }>;
  /** Catch-up occurrences waiting for someone's approval. */
  waiting: string[];
  /** The section's steps changed since they were approved: it does not fire until approved again. */
  needsApproval: string | null;
}

export interface HandoverState {
  /** Since when it reports: the previous handover's sign-off, or the first record. */
  since: string;
  now: string;
  operator: string;
  /** Who signed off the previous handover, if any. */
  previous: { signedBy: string; signedAt: string } | null;
  incidents: ShiftIncident[];
  runs: ShiftRun[];
  /** More runs than were read: the shift's oldest runs are not in `runs`. */
  runsTruncated: boolean;
  schedules: ShiftSchedule[];
  /** Notes carried forward, until someone clears them. */
  carry: string[];
}
