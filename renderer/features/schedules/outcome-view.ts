/**
 * How one recorded outcome of a schedule looks in the strip and reads aloud: a tone (the app's status colours), a
 * glyph so the kinds differ without colour, a short label, a full sentence for the title and screen readers, and the
 * run to link to. Pure, so every kind is unit-tested.
 */
import type { ScheduleRecord } from '../../../shared/contract/schedules.js';
import type { RunStatus } from '../../../shared/contract/schemas.js';
import { assertNever } from '../../components/assert-never.js';
import { statusTone, type Tone } from '../../components/status.js';
import { occurrenceText } from './occurrence-text.js';

export interface OutcomeView {
  kind: ScheduleRecord['outcome']['kind'];
  tone: Tone;
  /** One character drawn in the cell: the kinds differ by shape as well as colour. */
  glyph: string;
  /** A few words: `run failed`, `missed ×3`. */
  label: string;
  /** The whole story, with times in the schedule's zone. */
  title: string;
  runId: string | null;
  /** For `started`: the run's status as recorded (`running`, `failed`), or null before it is known. */
  runStatus: string | null;
}

const when = (iso: string, zone: string): string => occurrenceText(iso, zone).full;

/** Every run status (a Record, so a new one is a compile error here); not the zod enum, which would bundle zod. */
const RUN_STATUSES: Record<RunStatus, true> = { running: true, completed: true, incomplete: true, failed: true, aborted: true, interrupted: true };
const isRunStatus = (status: string): status is RunStatus => Object.hasOwn(RUN_STATUSES, status);

function runTone(status: string | null): Tone {
  return status !== null && isRunStatus(status) ? statusTone(status) : 'info';
}

export function outcomeView(record: ScheduleRecord, zone: string): OutcomeView {
  const outcome = record.outcome;
  switch (outcome.kind) {
    case 'started': {
      const status = record.runStatus;
      const state = status === null ? 'started' : status.replace(/_/g, ' ');
      const late = outcome.catchUp ? ' (a catch-up after a wake)' : '';
      const what = outcome.manual ? `started by hand (Run now) at ${when(outcome.occurrence, zone)}` : `the occurrence of ${when(outcome.occurrence, zone)}${late}`;
      return {
        kind: outcome.kind,
        tone: runTone(status),
        glyph: '',
        label: `run ${state}`,
        title: `Run ${state}: ${what}`,
        runId: outcome.runId,
        runStatus: status,
      };
    }
    case 'skipped_overlap': {
      const why = outcome.reason === 'queue_full' ? 'one run was already waiting' : 'the previous run was still running';
      return {
        kind: outcome.kind,
        tone: 'muted',
        glyph: '–',
        label: 'skipped',
        title: `Skipped ${when(outcome.occurrence, zone)}: ${why}`,
        runId: null,
        runStatus: null,
      };
    }
    case 'missed':
    case 'missed_beyond_window': {
      const count = outcome.count === 1 ? '1 occurrence' : `${outcome.count} occurrences`;
      const span = outcome.count === 1 ? when(outcome.first, zone) : `${when(outcome.first, zone)} – ${when(outcome.last, zone)}`;
      const beyond = outcome.kind === 'missed_beyond_window';
      return {
        kind: outcome.kind,
        tone: 'warn',
        glyph: beyond ? '»' : '·',
        label: beyond ? `missed ×${outcome.count}, too old` : `missed ×${outcome.count}`,
        title: beyond
          ? `Missed ${count} beyond the catch-up window (recorded, not run): ${span}`
          : `Missed ${count} while the machine was off or asleep: ${span}`,
        runId: null,
        runStatus: null,
      };
    }
    case 'waiting_approval':
      return {
        kind: outcome.kind,
        tone: 'info',
        glyph: '?',
        label: 'waiting for approval',
        title: `Catch-up of ${when(outcome.occurrence, zone)} waits for someone's approval`,
        runId: null,
        runStatus: null,
      };
    case 'failed_to_start':
      return {
        kind: outcome.kind,
        tone: 'bad',
        glyph: '!',
        label: 'failed to start',
        title: `Failed to start ${when(outcome.occurrence, zone)}: ${outcome.reason}`,
        runId: null,
        runStatus: null,
      };
    default:
      return assertNever(outcome);
  }
}
