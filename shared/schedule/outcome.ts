/**
 * What the scheduler records for each occurrence, exactly once: a run started, skipped because the previous run was
 * still running, missed (one summary per schedule and wake: first, last, count), missed beyond the catch-up window
 * (likewise one summary), waiting for approval, or failed to start (and why). Times are ISO strings, as everywhere
 * in the contract. Zod schemas so the contract's schedule events can reuse them.
 *
 * API: ScheduleOutcome (schema and type), OutcomeKind, missOutcomes(plan) for a plan's summaries.
 */
import { z } from 'zod';
import type { CatchUpPlan } from './catch-up.js';

const Instant = z.string();

export const OutcomeKind = z.enum(['started', 'skipped_overlap', 'missed', 'missed_beyond_window', 'waiting_approval', 'failed_to_start']);
export type OutcomeKind = z.infer<typeof OutcomeKind>;

const Summary = { first: Instant, last: Instant, count: z.number().int().positive() };

export const ScheduleOutcome = z.discriminatedUnion('kind', [
  /** `catchUp`: the occurrence was run after a wake, not on time. */
  /** `manual`: started by hand ("run now"); `occurrence` is then when, not an occurrence of the calendar. */
  z.object({ kind: z.literal('started'), occurrence: Instant, runId: z.string(), catchUp: z.boolean(), manual: z.boolean().optional() }),
  z.object({ kind: z.literal('skipped_overlap'), occurrence: Instant, reason: z.enum(['previous_running', 'queue_full']) }),
  z.object({ kind: z.literal('missed'), ...Summary }),
  z.object({ kind: z.literal('missed_beyond_window'), ...Summary }),
  z.object({ kind: z.literal('waiting_approval'), occurrence: Instant }),
  z.object({ kind: z.literal('failed_to_start'), occurrence: Instant, reason: z.string().min(1) }),
]);
export type ScheduleOutcome = z.infer<typeof ScheduleOutcome>;

/** The plan's miss summaries as outcomes to record (at most one of each kind), oldest first. */
export function missOutcomes(plan: Pick<CatchUpPlan, 'missed' | 'missedBeyondWindow'>): ScheduleOutcome[] {
  const out: ScheduleOutcome[] = [];
  const beyond = plan.missedBeyondWindow;
  if (beyond) out.push({ kind: 'missed_beyond_window', first: beyond.first.toISOString(), last: beyond.last.toISOString(), count: beyond.count });
  const missed = plan.missed;
  if (missed) out.push({ kind: 'missed', first: missed.first.toISOString(), last: missed.last.toISOString(), count: missed.count });
  return out;
}
