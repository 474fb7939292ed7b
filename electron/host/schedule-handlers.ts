/**
 * The `schedules.*` handlers: thin translations to the scheduler service; previews and exports are computed here
 * from shared/schedule/ (pure), so they answer the same from any owner.
 */
import type { Handlers } from '../../shared/contract/dispatch.js';
import { calendarProblem, nextOccurrences } from '../../shared/schedule/occurrences.js';
import { exportSchedule } from '../../shared/schedule/export.js';
import type { SchedulerService } from '../services/scheduler/types.js';
import { StoreError } from '../services/store/store-error.js';
import { ContractError } from '../../shared/contract/errors.js';

type ScheduleMethod = Extract<keyof Handlers, `schedules.${string}`>;

export interface ScheduleHandlerDeps {
  scheduler: SchedulerService;
  operator(): string;
  now(): Date;
  /** How this owner starts opsdeck, as argv (the default for an export's commands). */
  opsdeckCommand: readonly string[];
}

/** A schedule (or its runbook) that does not exist is `not_found`, as everywhere in the contract. */
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError) throw new ContractError(error.code === 'not_found' ? 'not_found' : error.code === 'ambiguous' ? 'ambiguous' : 'unavailable', error.message);
    throw error;
  }
}

export function createScheduleHandlers(deps: ScheduleHandlerDeps): Pick<Handlers, ScheduleMethod> {
  const { scheduler } = deps;
  return {
    'schedules.list': () => guard(() => scheduler.list()),
    'schedules.get': (input) => guard(() => scheduler.get(input.id)),
    'schedules.create': (input) => guard(() => scheduler.create(input, deps.operator())),
    'schedules.update': (input) => guard(() => scheduler.update(input.id, input.fields)),
    'schedules.pause': (input) => guard(() => scheduler.pause(input.id, input.reason)),
    'schedules.resume': (input) => guard(() => scheduler.resume(input.id)),
    'schedules.remove': (input) => guard(() => scheduler.remove(input.id)),
    'schedules.runNow': (input) => guard(() => scheduler.runNow(input.id)),
    'schedules.approve': (input) => guard(() => scheduler.approve(input.id, input.dropWaiting ?? false)),
    'schedules.agenda': (input) => guard(() => scheduler.agenda(input.hours)),
    'schedules.suspend': (input) => {
      scheduler.setSuspended(input.suspended);
      return { suspended: input.suspended };
    },
    'schedules.wake': () => {
      scheduler.woke();
      return {};
    },
    'schedules.preview': (input) => {
      const problem = calendarProblem(input.rules.calendar, input.rules.timezone);
      if (problem) return { next: [], problem };
      const from = input.from ? new Date(input.from) : deps.now();
      return { next: nextOccurrences(input.rules, from, input.count).map((d) => d.toISOString()), problem: null };
    },
    'schedules.export': (input) =>
      guard(() => {
      const schedule = scheduler.exportable(input.id);
      const result = exportSchedule(schedule, input.format, {
        opsdeckCommand: input.opsdeckCommand ?? deps.opsdeckCommand,
        now: deps.now(),
        ...(input.environmentFile !== undefined ? { environmentFile: input.environmentFile } : {}),
        ...(input.dataDir !== undefined ? { dataDir: input.dataDir } : {}),
        ...(input.image !== undefined ? { image: input.image } : {}),
        ...(input.namespace !== undefined ? { namespace: input.namespace } : {}),
        ...(input.secretName !== undefined ? { secretName: input.secretName } : {}),
      });
      return result.ok ? { ok: true as const, files: result.files.map((f) => ({ name: f.name, content: f.content })), notes: result.notes } : result;
      }),
  };
}
