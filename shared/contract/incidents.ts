/**
 * Incidents and shift handovers in the contract (issue 13). An incident is a fold of append-only entries (declared,
 * status and severity changes, milestones, roles, notes, corrections, linked runs, status updates, snoozes,
 * follow-ups, reminders): nothing on its timeline is edited away, a correction is a new entry. The timeline also
 * shows what the linked runs recorded (each attempt's command, target, exit code and duration; ticks, skips, notes),
 * read from the runs themselves. A handover is kept exactly as it was signed off.
 */
import { z } from 'zod';
import { Id } from './schemas.js';

const Instant = z.string();

/** A severity level: from the runbook when it defines them (seed 004's P0-P3), else SEV-1..SEV-5 as PagerDuty does. */
export const SeverityLevel = z.object({
  /** What is typed and shown: `P1`, `SEV-2`. */
  id: z.string().min(1).max(20),
  label: z.string(),
  definition: z.string(),
  /** As the runbook says it ("<15 minutes", "Immediate (24/7)"), or null. */
  responseTime: z.string().nullable(),
  /** How often a status update is due while the incident is open; null: only on a status change. */
  updateEveryMin: z.number().int().min(1).max(24 * 60).nullable(),
});
export type SeverityLevel = z.infer<typeof SeverityLevel>;

export const IncidentStatus = z.enum(['investigating', 'identified', 'monitoring', 'resolved']);
export type IncidentStatus = z.infer<typeof IncidentStatus>;

export const Milestone = z.enum(['detected', 'acknowledged', 'mitigated', 'resolved']);
export type Milestone = z.infer<typeof Milestone>;

export const IncidentRole = z.enum(['commander', 'communications', 'scribe']);
export type IncidentRole = z.infer<typeof IncidentRole>;

/** One step of an escalation path (seed 004: "No response in 15 min: Contact secondary"). */
export const EscalationStep = z.object({ afterMin: z.number().int().min(0), contact: z.string(), text: z.string() });
export type EscalationStep = z.infer<typeof EscalationStep>;

const Base = { id: Id, at: Instant, recordedAt: Instant, by: z.string() };

/** What happened, in order of `at` (when it happened; a backdated note has `at` before `recordedAt`). */
export const TimelineEntry = z.discriminatedUnion('kind', [
  z.object({ ...Base, kind: z.literal('declared'), title: z.string(), severity: z.string(), summary: z.string(), service: z.string() }),
  z.object({ ...Base, kind: z.literal('status'), from: IncidentStatus.nullable(), to: IncidentStatus }),
  z.object({ ...Base, kind: z.literal('severity'), from: z.string(), to: z.string() }),
  z.object({ ...Base, kind: z.literal('milestone'), milestone: Milestone }),
  z.object({ ...Base, kind: z.literal('role'), role: IncidentRole, name: z.string() }),
  z.object({ ...Base, kind: z.literal('note'), text: z.string() }),
  /** Corrects an earlier entry (`entryId`); the entry itself stays as it was. */
  z.object({ ...Base, kind: z.literal('correction'), entryId: Id, text: z.string() }),
  z.object({ ...Base, kind: z.literal('run'), runId: Id, runbookTitle: z.string(), sectionTitle: z.string(), target: z.string(), status: z.string() }),
  /** A step attempt of a linked run, as the run recorded it. */
  z.object({
    ...Base, kind: z.literal('attempt'), runId: Id, attemptId: Id, stepTitle: z.string(), command: z.string(), host: z.string().nullable(),
    status: z.string(), exitCode: z.number().int().nullable(), durationMs: z.number().nullable(),
  }),
  /** A check ticked or a step skipped in a linked run. */
  z.object({ ...Base, kind: z.literal('step'), runId: Id, stepTitle: z.string(), action: z.enum(['ticked', 'unticked', 'skipped']), reason: z.string().nullable() }),
  /** A note written on a linked run. */
  z.object({ ...Base, kind: z.literal('run-note'), runId: Id, text: z.string() }),
  z.object({ ...Base, kind: z.literal('recording'), runId: Id, title: z.string() }),
  z.object({ ...Base, kind: z.literal('update'), text: z.string(), sent: z.enum(['copied', 'webhook']) }),
  z.object({ ...Base, kind: z.literal('snooze'), until: Instant }),
  z.object({ ...Base, kind: z.literal('reminder'), reason: z.enum(['update_due', 'escalation']), text: z.string() }),
  z.object({ ...Base, kind: z.literal('followup'), followupId: Id, text: z.string(), owner: z.string(), due: Instant.nullable() }),
  z.object({ ...Base, kind: z.literal('followup-done'), followupId: Id }),
]);
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const FollowUp = z.object({ id: Id, text: z.string(), owner: z.string(), due: Instant.nullable(), done: z.boolean(), createdAt: Instant });
export type FollowUp = z.infer<typeof FollowUp>;

export const IncidentSummary = z.object({
  id: Id,
  title: z.string(),
  severity: z.string(),
  status: IncidentStatus,
  service: z.string(),
  declaredAt: Instant,
  declaredBy: z.string(),
  /** Last status update sent (copied or by webhook), and when the next is due (null: resolved, or no cadence). */
  lastUpdateAt: Instant.nullable(),
  nextUpdateDue: Instant.nullable(),
  resolvedAt: Instant.nullable(),
});
export type IncidentSummary = z.infer<typeof IncidentSummary>;

export const IncidentDetail = IncidentSummary.extend({
  summary: z.string(),
  /** The runbook (and section) that describes this incident's response, if declared from one: its severities, templates, escalation. */
  runbookId: Id.nullable(),
  sectionId: z.string().nullable(),
  roles: z.record(IncidentRole, z.string()),
  milestones: z.record(Milestone, Instant.nullable()),
  /** From detected (or declared) to each milestone, ms; null until reached. */
  durations: z.object({ toAcknowledgeMs: z.number().nullable(), toMitigateMs: z.number().nullable(), toResolveMs: z.number().nullable() }),
  severityLevels: z.array(SeverityLevel),
  escalation: z.object({ path: z.array(EscalationStep), next: z.object({ at: Instant, step: EscalationStep }).nullable() }),
  followups: z.array(FollowUp),
  runIds: z.array(Id),
  timeline: z.array(TimelineEntry),
});
export type IncidentDetail = z.infer<typeof IncidentDetail>;

const At = z.string().datetime({ offset: true }).optional();

export const incidentMethods = {
  'incidents.list': { input: z.object({ open: z.boolean().optional() }).strict(), output: z.array(IncidentSummary) },
  'incidents.get': { input: z.object({ id: Id }).strict(), output: IncidentDetail },
  /** Blank, from a failed run (and step), or from a runbook section that describes incident response. */
  'incidents.declare': {
    input: z
      .object({
        title: z.string().trim().min(1).max(300),
        severity: z.string().trim().min(1).max(20).optional(),
        summary: z.string().max(20_000).optional(),
        service: z.string().max(300).optional(),
        runbookId: Id.optional(),
        sectionId: z.string().min(1).optional(),
        fromRunId: Id.optional(),
        fromStepId: z.string().min(1).optional(),
        /** Any of the three; the others default to the operator (a full record would make all three required). */
        roles: z.partialRecord(IncidentRole, z.string().trim().min(1).max(200)).optional(),
        /** When it was detected (the alert fired), if before now. */
        detectedAt: At,
      })
      .strict(),
    output: IncidentDetail,
  },
  'incidents.setStatus': { input: z.object({ id: Id, status: IncidentStatus }).strict(), output: IncidentDetail },
  'incidents.setSeverity': { input: z.object({ id: Id, severity: z.string().trim().min(1).max(20) }).strict(), output: IncidentDetail },
  'incidents.milestone': { input: z.object({ id: Id, milestone: Milestone, at: At }).strict(), output: IncidentDetail },
  'incidents.setRole': { input: z.object({ id: Id, role: IncidentRole, name: z.string().trim().min(1).max(200) }).strict(), output: IncidentDetail },
  /** A manual entry; `at` backdates it ("alert fired 14:02"). */
  'incidents.note': { input: z.object({ id: Id, text: z.string().trim().min(1).max(20_000), at: At }).strict(), output: IncidentDetail },
  'incidents.correct': { input: z.object({ id: Id, entryId: Id, text: z.string().trim().min(1).max(20_000) }).strict(), output: IncidentDetail },
  /** The run belongs to the incident: its attempts, ticks, skips and notes join the timeline. */
  'incidents.linkRun': { input: z.object({ id: Id, runId: Id }).strict(), output: IncidentDetail },
  /** Records a status update as sent (copied by the operator), and POSTs it to `webhook` through the outbox when given. */
  'incidents.sendUpdate': {
    input: z.object({ id: Id, text: z.string().trim().min(1).max(50_000), webhook: z.string().url().max(2000).optional() }).strict(),
    output: IncidentDetail,
  },
  'incidents.snooze': { input: z.object({ id: Id, minutes: z.number().int().min(1).max(24 * 60) }).strict(), output: IncidentDetail },
  'incidents.followUp': {
    input: z.object({ id: Id, text: z.string().trim().min(1).max(2000), owner: z.string().trim().min(1).max(200), due: At }).strict(),
    output: IncidentDetail,
  },
  'incidents.followUpDone': { input: z.object({ id: Id, followupId: Id }).strict(), output: IncidentDetail },
  /** The incident a run belongs to, if any (the run view shows it). */
  'incidents.ofRun': { input: z.object({ runId: Id }).strict(), output: z.object({ incidentId: Id.nullable() }) },
  /** The severity levels a runbook defines, or the default SEV-1..SEV-5. */
  'incidents.severities': { input: z.object({ runbookId: Id.optional() }).strict(), output: z.array(SeverityLevel) },

} as const;

export const Handover = z.object({
  id: Id,
  markdown: z.string(),
  carry: z.array(z.string()),
  signedBy: z.string(),
  signedAt: Instant,
  /** Since when it reports (the previous handover's sign-off, or the first record). */
  since: Instant,
  acknowledgedBy: z.string().nullable(),
  acknowledgedAt: Instant.nullable(),
  deviceId: z.string(),
});
export type Handover = z.infer<typeof Handover>;

export const HandoverDraft = z.object({
  since: Instant,
  markdown: z.string(),
  /** The template used: a runbook's handover template, or the default. */
  template: z.object({ kind: z.enum(['runbook', 'default']), runbookId: Id.nullable(), sectionId: z.string().nullable() }),
  /** Notes carried forward from the previous handover, until someone clears them. */
  carry: z.array(z.string()),
});
export type HandoverDraft = z.infer<typeof HandoverDraft>;

/** Drafts written from an incident (served by electron/host/incident-draft-handlers.ts). */
export const incidentDraftMethods = {
  /** The status update drafted from the runbook's communication template (or a default one), filled from the incident. */
  'incidents.draftUpdate': { input: z.object({ id: Id }).strict(), output: z.object({ text: z.string(), template: z.enum(['runbook', 'default']) }) },
  /** A post-mortem draft in Markdown with the sections the runbook asks for, prefilled from the incident. */
  'incidents.postmortem': { input: z.object({ id: Id }).strict(), output: z.object({ markdown: z.string() }) },
} as const;

export const handoverMethods = {
  /** The handover drafted from what happened since the last one signed off. */
  'handover.draft': {
    /** `carry`: the notes to carry forward instead of the previous handover's (as edited before signing off). */
    input: z.object({ carry: z.array(z.string().max(2000)).max(100).optional() }).strict(),
    output: HandoverDraft,
  },
  /** Signs the handover off as edited: it is kept exactly so. `carry`: notes carried forward to the next one. */
  'handover.signOff': { input: z.object({ markdown: z.string().min(1).max(500_000), carry: z.array(z.string().max(2000)).max(100) }).strict(), output: Handover },
  'handover.acknowledge': { input: z.object({ id: Id }).strict(), output: Handover },
  'handover.list': { input: z.object({ limit: z.number().int().min(1).max(500).optional() }).strict(), output: z.array(Handover) },
} as const;

export const incidentEvents = {
  'incidents.changed': z.object({ incidentId: Id }),
  /** A status update is due, or an escalation threshold passed: shown as a banner and a desktop notification. */
  'incident.reminder': z.object({ incidentId: Id, reason: z.enum(['update_due', 'escalation']), title: z.string(), body: z.string() }),
  'handover.changed': z.object({ handoverId: Id }),
} as const;
