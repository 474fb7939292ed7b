/**
 * Schedules in the contract: what a client sends to make or change one, and what the owner answers with. The
 * calendar and its rules are shared/model/schedule.ts; outcomes are shared/schedule/outcome.ts. A schedule fires only
 * in a long-lived owner (the desktop app, `opsdeck serve`, `opsdeck daemon`) on the device that made it.
 */
import { z } from 'zod';
import { ScheduleRules } from '../model/schedule.js';
import { ScheduleOutcome } from '../schedule/outcome.js';
import { Target } from './hosts.js';
import { Id } from './schemas.js';

/** When to tell someone about a scheduled run: when it did not succeed (default), after every run, or never. */
export const NotifyOn = z.enum(['failure', 'always', 'never']);
export type NotifyOn = z.infer<typeof NotifyOn>;

export const Notify = z.object({
  on: NotifyOn,
  /** POSTed the run's JSON summary (as seed 000's --notify-webhook-url), retried with backoff while it fails. */
  webhook: z
    .string()
    .max(2000)
    .url()
    .refine((u) => /^https?:\/\//i.test(u), 'a webhook is an http:// or https:// address')
    .nullable(),
});
export type Notify = z.infer<typeof Notify>;

/**
 * Where a secret parameter's value comes from when the schedule fires; the value is never stored in plain text.
 * `env`: the owner's environment variable (default: the parameter's name). `keychain`: sealed with the OS keychain
 * when the schedule is saved (only where the owner has one: the desktop app).
 */
export const SecretSource = z.discriminatedUnion('from', [
  z.object({ from: z.literal('env'), variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name') }),
  z.object({ from: z.literal('keychain') }),
]);
export type SecretSource = z.infer<typeof SecretSource>;

const ParamValues = z.record(z.string().max(200), z.string().max(10_000));

export const ScheduleFields = z
  .object({
    runbookId: Id,
    /** The section's id (shared/model/runbook.ts); its command steps run unattended, as `opsdeck run` does. */
    sectionId: z.string().min(1),
    target: Target,
    rules: ScheduleRules,
    /** Values of the non-secret parameters. */
    params: ParamValues,
    /** Secret parameters by name: where each value comes from. */
    secrets: z.record(z.string().max(200), SecretSource),
    /** Values for `keychain` secrets, sealed when saved; never stored or answered in plain text. */
    secretValues: z.record(z.string().max(200), z.string().max(10_000)).optional(),
    notify: Notify,
    /**
     * The section has destructive steps and the caller approves their text as it is now. Required to create such a
     * schedule (`approval_required`); the approval is bound to the text, so a new version pauses the schedule.
     */
    approveDestructive: z.boolean().optional(),
    /** Created paused. */
    paused: z.boolean().optional(),
  })
  .strict();
export type ScheduleFields = z.infer<typeof ScheduleFields>;

/** A step of the schedule's section whose text differs from the text approved (or was never approved). */
export const StepChange = z.object({
  stepId: z.string(),
  title: z.string(),
  change: z.enum(['changed', 'added', 'removed', 'unapproved']),
  destructive: z.boolean(),
});
export type StepChange = z.infer<typeof StepChange>;

/**
 * What keeps a schedule from firing, if anything: paused by someone (`paused`, with their reason), the runbook
 * changed a scheduled step since approval (`needs_approval`), or the runbook or section is gone (`broken`).
 */
export const ScheduleState = z.enum(['active', 'paused', 'needs_approval', 'broken']);
export type ScheduleState = z.infer<typeof ScheduleState>;

/** One record of the schedule's history: an occurrence's outcome, or a summary of misses. */
export const ScheduleRecord = z.object({
  id: Id,
  recordedAt: z.string(),
  outcome: ScheduleOutcome,
  /** For `started`: how the run ended, or `running`; null before it is known. */
  runStatus: z.string().nullable(),
});
export type ScheduleRecord = z.infer<typeof ScheduleRecord>;

export const Schedule = z.object({
  id: Id,
  runbookId: Id,
  runbookTitle: z.string(),
  sectionId: z.string(),
  sectionTitle: z.string(),
  target: Target,
  rules: ScheduleRules,
  params: z.record(z.string(), z.string()),
  secrets: z.record(z.string(), SecretSource),
  notify: Notify,
  state: ScheduleState,
  /** Why it does not fire: the pause's reason, the steps changed, the section gone. Null when active. */
  stateReason: z.string().nullable(),
  /** For `needs_approval`: what changed since the approved text. */
  changes: z.array(StepChange),
  /** False on a device the schedule was synced to: it fires only on the device that made it. */
  firesHere: z.boolean(),
  /** The next occurrences (up to 5), ISO instants; empty when the calendar has no more. */
  next: z.array(z.string()),
  /** The newest records first, at most 30. */
  recent: z.array(ScheduleRecord),
  /** Catch-up occurrences waiting for someone's approval (after a wake, for destructive or fan-out steps). */
  waiting: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type Schedule = z.infer<typeof Schedule>;

export const AgendaEntry = z.object({ scheduleId: Id, at: z.string(), runbookTitle: z.string(), sectionTitle: z.string() });
export type AgendaEntry = z.infer<typeof AgendaEntry>;

export const ExportedSchedule = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), files: z.array(z.object({ name: z.string(), content: z.string() })), notes: z.array(z.string()) }),
  z.object({ ok: z.literal(false), reason: z.string() }),
]);

/** A scheduled run ended and its schedule says to tell someone: windows show it as a notification. */
export const ScheduleNotice = z.object({
  scheduleId: Id,
  runId: Id,
  status: z.string(),
  title: z.string(),
  body: z.string(),
});
export type ScheduleNotice = z.infer<typeof ScheduleNotice>;

export const scheduleMethods = {
  'schedules.list': { input: z.object({}).strict(), output: z.array(Schedule) },
  'schedules.get': { input: z.object({ id: Id }).strict(), output: Schedule },
  /** Refuses with `approval_required` when the section has destructive steps and approveDestructive is not set. */
  'schedules.create': { input: ScheduleFields, output: Schedule },
  /** Replaces the fields given; a change of section or target needs approveDestructive again. */
  'schedules.update': { input: z.object({ id: Id, fields: ScheduleFields.partial().strict() }).strict(), output: Schedule },
  'schedules.pause': { input: z.object({ id: Id, reason: z.string().trim().max(500).optional() }).strict(), output: Schedule },
  /** Occurrences while paused are not misses: the schedule picks up from now. */
  'schedules.resume': { input: z.object({ id: Id }).strict(), output: Schedule },
  'schedules.remove': { input: z.object({ id: Id }).strict(), output: z.object({ removed: z.boolean() }) },
  /** Starts a run now (origin `schedule`), whatever the calendar; answers with the run's id. */
  'schedules.runNow': { input: z.object({ id: Id }).strict(), output: z.object({ runId: Id }) },
  /**
   * Approves the section's steps as they are now (a schedule paused by a new version fires again) and starts the
   * catch-ups waiting for approval, oldest first; `dropWaiting` records them as not run instead.
   */
  'schedules.approve': { input: z.object({ id: Id, dropWaiting: z.boolean().optional() }).strict(), output: Schedule },
  /**
   * Holds (or lets go) all firing in this owner, as the tray's "Pause schedules" does: nothing is recorded while
   * held, and on letting go the held occurrences are caught up by each schedule's policy, as after a sleep.
   */
  'schedules.suspend': { input: z.object({ suspended: z.boolean() }).strict(), output: z.object({ suspended: z.boolean() }) },
  /** The machine woke from sleep (Electron's powerMonitor 'resume'): the owner re-plans at once. */
  'schedules.wake': { input: z.object({}).strict(), output: z.object({}) },
  /** Occurrences of a calendar, computed (nothing stored): for a form being filled in. */
  'schedules.preview': {
    input: z.object({ rules: ScheduleRules.pick({ calendar: true, timezone: true }), count: z.number().int().min(1).max(100), from: z.string().datetime({ offset: true }).optional() }).strict(),
    output: z.object({ next: z.array(z.string()), problem: z.string().nullable() }),
  },
  /** Every occurrence of every active schedule in the next `hours` (at most 500 entries), soonest first. */
  'schedules.agenda': { input: z.object({ hours: z.number().int().min(1).max(168) }).strict(), output: z.array(AgendaEntry) },
  'schedules.export': {
    input: z
      .object({
        id: Id,
        format: z.enum(['systemd', 'cron', 'k8s']),
        /** How the machine that runs it starts opsdeck, as argv; default: how this owner was started. */
        opsdeckCommand: z.array(z.string().min(1).max(4096)).min(1).max(20).optional(),
        image: z.string().max(500).optional(),
        environmentFile: z.string().max(4096).optional(),
        dataDir: z.string().max(4096).optional(),
        namespace: z.string().max(253).optional(),
        secretName: z.string().max(253).optional(),
      })
      .strict(),
    output: ExportedSchedule,
  },
} as const;

export const scheduleEvents = {
  /** A schedule was made, changed, removed, or recorded an outcome: get it (or list) again. */
  'schedules.changed': z.object({ scheduleId: Id }),
  'schedule.notice': ScheduleNotice,
} as const;
