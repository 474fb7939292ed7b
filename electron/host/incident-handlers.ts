/**
 * The `incidents.*` handlers of `incidentMethods`, and the incident service behind them wired to the owner's
 * database, library, runs and webhook outbox. A long-lived owner starts its reminders (`start`); the host tells it
 * when a run changes, so that the incidents the run belongs to are announced as changed too.
 */
import type { Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { incidentMethods } from '../../shared/contract/incidents.js';
import type { EventPayload } from '../../shared/contract/methods.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import { createIncidentService } from '../services/incidents/incident-service.js';
import type { StepAction } from '../services/incidents/timeline.js';
import type { Database } from '../services/store/db.js';
import { createIncidentStore } from '../services/store/incident-store.js';
import type { LibraryStore } from '../services/store/library-store.js';
import type { RunStore } from '../services/store/run-store.js';
import { StoreError } from '../services/store/store-error.js';

type IncidentMethod = Extract<keyof Handlers, keyof typeof incidentMethods>;

export interface IncidentHandlerDeps {
  db: Database;
  deviceId: string;
  library: Pick<LibraryStore, 'get' | 'getVersion'>;
  /** A run as the run service folds it (throws `not_found`). */
  run(id: string): RunDetail;
  runEvents: Pick<RunStore, 'events'>;
  webhooks: { enqueue(entry: { scheduleId: string; runId: string; url: string; body: object }): void };
  operator(): string;
  emit<E extends 'incidents.changed' | 'incident.reminder'>(event: E, payload: EventPayload<E>): void;
  onError(error: unknown): void;
}

/** An incident, runbook or run that does not exist is `not_found`, as everywhere in the contract. */
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError) throw new ContractError(error.code === 'not_found' ? 'not_found' : error.code === 'ambiguous' ? 'ambiguous' : 'unavailable', error.message);
    throw error;
  }
}

/** Ticks and skips of a run with their times, from its recorded events. */
function actionsOf(events: ReturnType<RunStore['events']>): StepAction[] {
  const out: StepAction[] = [];
  for (const e of events) {
    if (e.stepId === null) continue;
    const by = typeof e.data.operator === 'string' ? e.data.operator : '';
    if (e.type === 'check.ticked') out.push({ id: e.id, at: e.at, stepId: e.stepId, action: e.data.done === true ? 'ticked' : 'unticked', reason: null, by });
    else if (e.type === 'step.skipped') out.push({ id: e.id, at: e.at, stepId: e.stepId, action: 'skipped', reason: typeof e.data.reason === 'string' ? e.data.reason : null, by });
  }
  return out;
}

export function createIncidentHandlers(deps: IncidentHandlerDeps) {
  const incidents = createIncidentService({
    store: createIncidentStore(deps.db, deps.deviceId),
    library: deps.library,
    runs: {
      detail: (runId) => {
        try {
          return deps.run(runId);
        } catch (error) {
          if (error instanceof ContractError && error.code === 'not_found') return null;
          throw error;
        }
      },
      actions: (runId) => actionsOf(deps.runEvents.events(runId)),
    },
    clock: { now: () => new Date() },
    // Unref'd: the owner's socket and server keep it alive; a reminder's timer never does by itself.
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms).unref(), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
    operator: deps.operator,
    emit: (event: 'incidents.changed' | 'incident.reminder', payload: never) => deps.emit(event, payload),
    webhooks: deps.webhooks,
    onError: deps.onError,
  });
  const handlers: Pick<Handlers, IncidentMethod> = {
    'incidents.list': (input) => guard(() => incidents.list(input)),
    'incidents.get': (input) => guard(() => incidents.get(input.id)),
    'incidents.declare': (input) => guard(() => incidents.declare(input)),
    'incidents.setStatus': (input) => guard(() => incidents.setStatus(input.id, input.status)),
    'incidents.setSeverity': (input) => guard(() => incidents.setSeverity(input.id, input.severity)),
    'incidents.milestone': (input) => guard(() => incidents.milestone(input.id, input.milestone, input.at)),
    'incidents.setRole': (input) => guard(() => incidents.setRole(input.id, input.role, input.name)),
    'incidents.note': (input) => guard(() => incidents.note(input.id, input.text, input.at)),
    'incidents.correct': (input) => guard(() => incidents.correct(input.id, input.entryId, input.text)),
    'incidents.linkRun': (input) => guard(() => incidents.linkRun(input.id, input.runId)),
    'incidents.sendUpdate': (input) => guard(() => incidents.sendUpdate(input.id, input.text, input.webhook)),
    'incidents.snooze': (input) => guard(() => incidents.snooze(input.id, input.minutes)),
    'incidents.followUp': (input) => guard(() => incidents.followUp(input.id, input.text, input.owner, input.due)),
    'incidents.followUpDone': (input) => guard(() => incidents.followUpDone(input.id, input.followupId)),
    'incidents.ofRun': (input) => guard(() => ({ incidentId: incidents.ofRun(input.runId) })),
    'incidents.severities': (input) => guard(() => incidents.severities(input.runbookId)),
  };
  return {
    handlers,
    /** The host heard `run.updated`: the incidents that run belongs to changed too. */
    runChanged: (runId: string) => {
      try {
        incidents.runChanged(runId);
      } catch (error) {
        deps.onError(error);
      }
    },
    start: () => incidents.start(),
    dispose: () => incidents.dispose(),
  };
}
