/**
 * Incidents: declared blank, from a failed run (and step) or from a runbook section that describes the response;
 * then status, severity, milestones, roles, notes (backdated if need be), corrections, linked runs, status updates
 * (copied, or POSTed through the webhook outbox), snoozes and follow-ups, each one appended entry. The timeline reads
 * the linked runs as they recorded themselves. A long-lived owner also reminds: reminder-timer.ts.
 */
import { v7 as uuidv7 } from 'uuid';
import type { z } from 'zod';
import { ContractError } from '../../../shared/contract/errors.js';
import type { IncidentDetail, IncidentRole, IncidentStatus, IncidentSummary, incidentMethods, Milestone, SeverityLevel } from '../../../shared/contract/incidents.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import { findSeverity, severitiesOf } from '../../../shared/incident/severity.js';
import { stepLabel } from '../../../shared/model/step-label.js';
import { findSection, sectionSteps } from '../runs/run-state.js';
import type { EntryRow, IncidentRow, IncidentStore, NewEntry } from '../store/incident-store.js';
import type { LibraryStore } from '../store/library-store.js';
import { foldIncident, type IncidentState } from './incident-state.js';
import { detailOf, factsOf, summaryOf, type RunbookFacts } from './incident-view.js';
import { createReminderTimer, type ReminderTimer } from './reminder-timer.js';
import { buildTimeline, type LinkedRun, type StepAction } from './timeline.js';

type In<M extends keyof typeof incidentMethods> = z.output<(typeof incidentMethods)[M]['input']>;

/** How far ahead of this clock a given time may be (another machine's clock, a typo of a second): beyond, it is refused. */
const FUTURE_SKEW_MS = 60_000;

export interface IncidentServiceDeps {
  store: IncidentStore;
  library: Pick<LibraryStore, 'get' | 'getVersion'>;
  runs: {
    /** The run as recorded, or null when this device does not have it. */
    detail(runId: string): RunDetail | null;
    /** Its ticks, unticks and skips with their times. */
    actions(runId: string): StepAction[];
  };
  clock: { now(): Date };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  operator(): string;
  emit(event: 'incidents.changed', payload: { incidentId: string }): void;
  emit(event: 'incident.reminder', payload: { incidentId: string; reason: 'update_due' | 'escalation'; title: string; body: string }): void;
  /** The webhook outbox: a status update sent to a webhook is stored there first and delivered with retries. */
  webhooks?: { enqueue(entry: { scheduleId: string; runId: string; url: string; body: object }): void };
  onError?(error: unknown): void;
}

export type IncidentService = ReturnType<typeof createIncidentService>;

export function createIncidentService(deps: IncidentServiceDeps) {
  const { store, library, clock } = deps;
  const now = (): string => clock.now().toISOString();

  // Versions never change: what a runbook version says about severities and escalation is read once.
  const facts = new Map<string, RunbookFacts>();
  const defaults = factsOf(null);
  const factsFor = (versionId: string | null): RunbookFacts => {
    if (versionId === null) return defaults;
    let f = facts.get(versionId);
    if (!f) {
      try {
        f = factsOf(library.getVersion(versionId).document);
      } catch {
        // A version this device does not have (an incident merged from another): the defaults until it syncs.
        return defaults;
      }
      facts.set(versionId, f);
    }
    return f;
  };

  // Entries are append-only: a fold stays true until the incident has more entries (counted by an index lookup).
  const folds = new Map<string, { count: number; incident: IncidentRow; rows: EntryRow[]; state: IncidentState }>();
  const load = (id: string) => {
    const cached = folds.get(id);
    const count = store.count(id);
    if (cached && cached.count === count) return cached;
    const incident = cached?.incident ?? store.get(id);
    const rows = store.entries(id);
    const loaded = { count: rows.length, incident, rows, state: foldIncident(incident, rows) };
    folds.set(id, loaded);
    return loaded;
  };
  const linkedRun = (runId: string): LinkedRun | null => {
    const detail = deps.runs.detail(runId);
    return detail ? { detail, actions: deps.runs.actions(runId) } : null;
  };
  const detail = (id: string): IncidentDetail => {
    const { rows, state } = load(id);
    return detailOf(state, factsFor(state.versionId), buildTimeline(rows, linkedRun));
  };

  /** A time given by the user, as an ISO instant in UTC; refused when ahead of now. */
  const instant = (at: string | undefined, what: string): string => {
    if (at === undefined) return now();
    const t = Date.parse(at);
    if (Number.isNaN(t)) throw new ContractError('invalid_input', `${what}: "${at}" is not a time`);
    if (t > clock.now().getTime() + FUTURE_SKEW_MS) throw new ContractError('invalid_input', `${what}: ${new Date(t).toISOString()} is in the future`);
    return new Date(t).toISOString();
  };
  const severityIn = (levels: readonly SeverityLevel[], typed: string): SeverityLevel => {
    const level = findSeverity(levels, typed);
    if (!level) throw new ContractError('invalid_input', `no severity "${typed}" here: choose one of ${levels.map((l) => `${l.id} (${l.label})`).join(', ')}`);
    return level;
  };

  /** Appends entries (all made now by the operator unless they say otherwise), then tells everyone. */
  const record = (id: string, entries: ReadonlyArray<Partial<NewEntry> & Pick<NewEntry, 'kind' | 'data'>>): IncidentDetail => {
    const at = now();
    const by = deps.operator();
    store.append(id, entries.map((e) => ({ at, recordedAt: at, by, ...e })));
    changed(id);
    return detail(id);
  };
  const changed = (id: string): void => {
    deps.emit('incidents.changed', { incidentId: id });
    reminders.rearm();
  };
  const openState = (id: string): IncidentState => load(id).state;
  const otherIncidentOf = (runId: string, id: string | null): string | null => store.incidentsOfRun(runId).find((other) => other !== id) ?? null;

  const reminders: ReminderTimer = createReminderTimer({
    clock,
    timers: deps.timers,
    incidents: () => store.list().map((row) => {
      const { state } = load(row.id);
      return { state, facts: factsFor(state.versionId) };
    }),
    remind: (id, entries, notices) => {
      store.append(id, entries);
      for (const n of notices) deps.emit('incident.reminder', { incidentId: id, ...n });
      deps.emit('incidents.changed', { incidentId: id });
    },
    onError: (error) => deps.onError?.(error),
  });

  return {
    list(filter: In<'incidents.list'>): IncidentSummary[] {
      return store
        .list()
        .map((row) => {
          const { state } = load(row.id);
          return summaryOf(state, factsFor(state.versionId));
        })
        .filter((s) => filter.open === undefined || (s.status !== 'resolved') === filter.open);
    },
    get: detail,

    declare(input: In<'incidents.declare'>): IncidentDetail {
      const at = now();
      const operator = deps.operator();
      let fromRun: RunDetail | null = null;
      let runbookId = input.runbookId ?? null;
      let versionId: string | null = null;
      if (input.sectionId !== undefined && input.runbookId === undefined) throw new ContractError('invalid_input', 'a section is named with its runbook (runbookId)');
      if (input.fromStepId !== undefined && input.fromRunId === undefined) throw new ContractError('invalid_input', 'a failed step is named with its run (fromRunId)');
      if (input.fromRunId !== undefined) {
        fromRun = deps.runs.detail(input.fromRunId);
        if (!fromRun) throw new ContractError('not_found', `no run ${input.fromRunId}`);
        const other = otherIncidentOf(fromRun.run.id, null);
        if (other) throw new ContractError('conflict', `run ${fromRun.run.id} already belongs to incident ${other}`);
        if (runbookId === null || runbookId === fromRun.run.runbookId) {
          runbookId = fromRun.run.runbookId;
          versionId = fromRun.run.versionId;
        }
      }
      if (runbookId !== null && versionId === null) {
        const rb = library.get(runbookId);
        runbookId = rb.id;
        versionId = rb.version.id;
        if (input.sectionId !== undefined && !findSection(rb.document.sections, input.sectionId)) {
          throw new ContractError('not_found', `no section ${input.sectionId} in "${rb.document.title}"`);
        }
      }
      const levels = factsFor(versionId).levels;
      // Unsure which level it is? PagerDuty's advice: assume the worst and review it in the post-mortem.
      const severity = input.severity !== undefined ? severityIn(levels, input.severity).id : (levels[0]?.id ?? 'SEV-1');
      const detected = input.detectedAt !== undefined ? instant(input.detectedAt, 'detectedAt') : null;
      const roles: Record<IncidentRole, string> = {
        commander: input.roles?.commander ?? operator,
        communications: input.roles?.communications ?? operator,
        scribe: input.roles?.scribe ?? operator,
      };
      const entry = (kind: string, data: Record<string, unknown>, extra: Partial<NewEntry> = {}): NewEntry => ({ at, recordedAt: at, by: operator, kind, data, ...extra });
      const entries: NewEntry[] = [
        entry('declared', {
          title: input.title,
          severity,
          summary: input.summary ?? (fromRun ? failureSummary(fromRun, input.fromStepId) : ''),
          service: input.service ?? '',
          runbookId,
          versionId,
          sectionId: input.sectionId ?? null,
          fromRunId: fromRun?.run.id ?? null,
          fromStepId: input.fromStepId ?? null,
          roles,
        }),
        entry('status', { from: null, to: 'investigating' }),
        ...(detected !== null ? [entry('milestone', { milestone: 'detected' }, { at: detected })] : []),
        ...(fromRun ? [entry('run', {}, { runId: fromRun.run.id })] : []),
      ];
      const { incident } = store.declare({ declaredAt: at, declaredBy: operator }, entries);
      changed(incident.id);
      return detail(incident.id);
    },

    setStatus(id: string, to: IncidentStatus): IncidentDetail {
      const s = openState(id);
      if (s.status === to) return detail(id);
      if (s.status === 'resolved' && to !== 'investigating') throw new ContractError('conflict', `incident ${id} is resolved: reopen it first (status investigating)`);
      const milestones: Milestone[] = [];
      if (s.milestones.acknowledged === null) milestones.push('acknowledged');
      if (to === 'monitoring' || (to === 'resolved' && s.milestones.mitigated === null)) milestones.push('mitigated');
      if (to === 'resolved') milestones.push('resolved');
      return record(id, [{ kind: 'status', data: { from: s.status, to } }, ...milestones.map((milestone) => ({ kind: 'milestone', data: { milestone } }))]);
    },
    setSeverity(id: string, typed: string): IncidentDetail {
      const s = openState(id);
      const level = severityIn(factsFor(s.versionId).levels, typed);
      if (level.id === s.severity) return detail(id);
      return record(id, [{ kind: 'severity', data: { from: s.severity, to: level.id } }]);
    },
    milestone(id: string, milestone: Milestone, at: string | undefined): IncidentDetail {
      openState(id);
      return record(id, [{ kind: 'milestone', data: { milestone }, at: instant(at, 'at') }]);
    },
    setRole(id: string, role: IncidentRole, name: string): IncidentDetail {
      if (openState(id).roles[role] === name) return detail(id);
      return record(id, [{ kind: 'role', data: { role, name } }]);
    },
    note(id: string, text: string, at: string | undefined): IncidentDetail {
      openState(id);
      return record(id, [{ kind: 'note', data: { text }, at: instant(at, 'at') }]);
    },
    correct(id: string, entryId: string, text: string): IncidentDetail {
      const s = openState(id);
      if (!s.entryIds.has(entryId) && !detail(id).timeline.some((e) => e.id === entryId)) throw new ContractError('not_found', `no entry ${entryId} on incident ${id}'s timeline`);
      return record(id, [{ kind: 'correction', data: { entryId, text } }]);
    },
    linkRun(id: string, runId: string): IncidentDetail {
      const s = openState(id);
      if (!deps.runs.detail(runId)) throw new ContractError('not_found', `no run ${runId}`);
      if (s.runLinks.some((l) => l.runId === runId)) return detail(id);
      const other = otherIncidentOf(runId, id);
      if (other) throw new ContractError('conflict', `run ${runId} already belongs to incident ${other}`);
      return record(id, [{ kind: 'run', data: {}, runId }]);
    },
    sendUpdate(id: string, text: string, webhook: string | undefined): IncidentDetail {
      const s = openState(id);
      if (webhook !== undefined && !deps.webhooks) throw new ContractError('unavailable', 'sending to a webhook is not available here');
      const at = now();
      const [entry] = store.append(id, [{ at, recordedAt: at, by: deps.operator(), kind: 'update', data: { text, sent: webhook !== undefined ? 'webhook' : 'copied' } }]);
      if (webhook !== undefined && entry) {
        // The outbox keys its rows by schedule and run: an incident's update goes as `incident:<id>`, keyed by its entry.
        deps.webhooks?.enqueue({ scheduleId: `incident:${id}`, runId: entry.id, url: webhook, body: { text, incident: { id, title: s.title, severity: s.severity, status: s.status, updateId: entry.id } } });
      }
      changed(id);
      return detail(id);
    },
    snooze(id: string, minutes: number): IncidentDetail {
      openState(id);
      return record(id, [{ kind: 'snooze', data: { until: new Date(clock.now().getTime() + minutes * 60_000).toISOString() } }]);
    },
    followUp(id: string, text: string, owner: string, due: string | undefined): IncidentDetail {
      openState(id);
      const dueAt = due === undefined ? null : new Date(Date.parse(due)).toISOString();
      return record(id, [{ kind: 'followup', data: { followupId: uuidv7(), text, owner, due: dueAt } }]);
    },
    followUpDone(id: string, followupId: string): IncidentDetail {
      const f = openState(id).followups.find((x) => x.id === followupId);
      if (!f) throw new ContractError('not_found', `no follow-up ${followupId} on incident ${id}`);
      if (f.done) return detail(id);
      return record(id, [{ kind: 'followup-done', data: { followupId } }]);
    },
    ofRun(runId: string): string | null {
      return store.incidentsOfRun(runId).at(-1) ?? null;
    },
    severities(runbookId: string | undefined): SeverityLevel[] {
      return runbookId === undefined ? severitiesOf(null) : factsFor(library.get(runbookId).version.id).levels;
    },
    /** A run changed: the incidents it belongs to changed too (their timelines show it). */
    runChanged(runId: string): void {
      for (const id of new Set(store.incidentsOfRun(runId))) deps.emit('incidents.changed', { incidentId: id });
    },
    /** A long-lived owner reminds (a CLI command owning the data directory for a moment never does). */
    start(): void {
      reminders.start();
    },
    dispose(): void {
      reminders.dispose();
    },
  };
}

/** "Step "Check logs" failed (exit 1) in Ops › Triage.": the summary of an incident declared from a failed run. */
function failureSummary(run: RunDetail, stepId: string | undefined): string {
  const where = `${run.run.runbookTitle} › ${run.run.sectionTitle}`;
  const id = stepId ?? run.run.failedStep?.id;
  const step = id ? sectionSteps(run.section).find((s) => s.id === id) : undefined;
  if (!step) return `Declared from run ${run.run.id} of ${where} (${run.run.status}).`;
  const attempt = run.steps.find((s) => s.stepId === step.id)?.attempts.at(-1);
  const how = attempt ? (attempt.exitCode !== null ? ` (${attempt.status}, exit ${attempt.exitCode})` : ` (${attempt.status})`) : '';
  return `Step "${stepLabel(step)}"${how} in ${where}, run ${run.run.id}.`;
}
