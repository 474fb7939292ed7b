/**
 * A schedule's calendar and rules: when a runbook section runs unattended, and what happens to occurrences missed
 * while the machine slept or was off. Pure data, shared by the planner (shared/schedule/), the owner's scheduler,
 * the CLI (`schedule next` needs no owner) and the export to systemd, cron and Kubernetes.
 */
import { z } from 'zod';

/** 5-field cron (minute first) or 6 with seconds first; or a systemd `OnCalendar=` expression. */
export const Calendar = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cron'), expr: z.string().min(1).max(200) }),
  z.object({ kind: z.literal('oncalendar'), expr: z.string().min(1).max(200) }),
]);
export type Calendar = z.infer<typeof Calendar>;

/**
 * After sleep or downtime: `latest` runs once, for the newest missed occurrence (systemd's Persistent=true,
 * anacron); `skip` records the misses and runs nothing; `all` runs every missed occurrence in order, at most 10.
 */
export const CatchUp = z.enum(['latest', 'skip', 'all']);
export type CatchUp = z.infer<typeof CatchUp>;

/** An occurrence while the previous run still runs: `skip` it, `queue` it (at most one waiting), or `allow` both. */
export const Overlap = z.enum(['skip', 'queue', 'allow']);
export type Overlap = z.infer<typeof Overlap>;

export const ScheduleRules = z.object({
  calendar: Calendar,
  /** IANA zone the calendar is read in, always explicit: never "the machine's zone at the time". */
  timezone: z.string().min(1).max(100),
  catchUp: CatchUp,
  /** Misses older than this (seconds) are recorded, not run; null: one period of the calendar. At most 7 days. */
  catchUpWindowSec: z.number().int().min(0).max(7 * 24 * 3600).nullable(),
  overlap: Overlap,
  /** Up to this many seconds of delay, the same for every occurrence of one schedule (stable across restarts). */
  jitterSec: z.number().int().min(0).max(24 * 3600),
});
export type ScheduleRules = z.infer<typeof ScheduleRules>;

/** The longest catch-up window, whatever a schedule says. */
export const MAX_CATCH_UP_WINDOW_SEC = 7 * 24 * 3600;
/** `all` runs at most this many missed occurrences after one wake. */
export const MAX_CATCH_UP_RUNS = 10;
