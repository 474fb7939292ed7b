/**
 * The `schedules.*` handlers: thin translations to the scheduler service; previews and exports are computed here
 * from shared/schedule/ (pure), so they answer the same from any owner.
 */
import type { Handlers } from '../../shared/contract/dispatch.js';
import { calendarProblem, nextOccurrences } from '../../shared/schedule/occurrences.js';
import { exportSchedule } from '../../shared/schedule/export.js';
import type { SchedulerService } from '../services/scheduler/types.js';

type ScheduleMethod = Extract<keyof Handlers, `schedules.${string}`>;

export interface ScheduleHandlerDeps {
  scheduler: SchedulerService;
  operator(): string;
  now(): Date;
  /** How this owner starts opsdeck, as argv (the default for an export's commands). */
  opsdeckCommand: readonly string[];
}

export function createScheduleHandlers(deps: ScheduleHandlerDeps): Pick<Handlers, ScheduleMethod> {
  const { scheduler } = deps;
  return {
    'schedules.list': () => scheduler.list(),
    'schedules.get': (input) => scheduler.get(input.id),
    'schedules.create': (input) => scheduler.create(input, deps.operator()),
    'schedules.update': (input) => scheduler.update(input.id, input.fields),
    'schedules.pause': (input) => scheduler.pause(input.id, input.reason),
    'schedules.resume': (input) => scheduler.resume(input.id),
    'schedules.remove': (input) => scheduler.remove(input.id),
    'schedules.runNow': (input) => scheduler.runNow(input.id),
    'schedules.approve': (input) => scheduler.approve(input.id, input.dropWaiting ?? false),
    'schedules.agenda': (input) => scheduler.agenda(input.hours),
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
    'schedules.export': (input) => {
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
    },
  };
}
