/**
 * What the owner's scheduler offers the handlers (electron/host/schedule-handlers.ts). Implemented by
 * scheduler-service.ts; a CLI owner (one command's lifetime) has it too, but never arms its timers.
 */
import type { AgendaEntry, Schedule, ScheduleFields } from '../../../shared/contract/schedules.js';
import type { ExportableSchedule } from '../../../shared/schedule/export-command.js';

export interface SchedulerService {
  list(): Schedule[];
  get(id: string): Schedule;
  create(fields: ScheduleFields, createdBy: string): Promise<Schedule>;
  update(id: string, fields: Partial<ScheduleFields>): Promise<Schedule>;
  pause(id: string, reason: string | undefined): Schedule;
  resume(id: string): Schedule;
  remove(id: string): { removed: boolean };
  runNow(id: string): { runId: string };
  approve(id: string, dropWaiting: boolean): Schedule;
  agenda(hours: number): AgendaEntry[];
  /** The schedule as `schedule export` needs it (runbook path, section title, parameters, secret names). */
  exportable(id: string): ExportableSchedule;
  /** A runbook got a new version (or was archived or brought back): its schedules may fire again or be held. */
  runbookChanged(runbookId: string): void;
  /** Runs found interrupted at start-up (the owner died under them): their schedules' notifications go out once. */
  runsInterrupted(runIds: readonly string[]): void;
  /** Arms the timers and catches up (a long-lived owner only); before it, nothing fires. */
  start(): Promise<void>;
  /** Pauses or resumes every schedule's firing in this owner (the tray's "Pause schedules"); not recorded. */
  setSuspended(suspended: boolean): void;
  /** Tells the scheduler the machine woke (Electron's powerMonitor 'resume'): re-plan now. */
  woke(): void;
  dispose(): Promise<void>;
}
