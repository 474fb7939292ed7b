/**
 * Schedules as the owner lists them, and the next day's agenda, kept current by `schedules.changed` (a schedule made,
 * changed, removed, or an outcome recorded, from any window or the CLI), by `run.updated` for the runs a schedule
 * started (so a strip cell turns from running to failed without a reload) and by `runbooks.changed` (a new version
 * can make a schedule need approval). `schedule.notice` becomes a toast and,
 * when allowed, a desktop notification, whatever page is open.
 */
import { create } from 'zustand';
import { ContractError } from '../../shared/contract/errors.js';
import type { AgendaEntry, Schedule, ScheduleFields } from '../../shared/contract/schedules.js';
import { client, connection } from '../api/client.js';
import { href } from '../app/route.js';
import { navigate } from '../app/use-route.js';
import { errorMessage } from '../components/error-message.js';
import { browserNotifier, noticeToast, showDesktopNotice } from '../features/schedules/schedule-notice.js';
import { useToasts } from './toast-store.js';

/** The agenda the Schedules page shows: the next day. */
export const AGENDA_HOURS = 24;
/** Several changes in a burst (a catch-up recording misses, then starting a run) reload the agenda once. */
const AGENDA_RELOAD_DELAY_MS = 300;

interface SchedulesState {
  schedules: Schedule[];
  loaded: boolean;
  error: string | null;
  agenda: AgendaEntry[];
  agendaError: string | null;
  load(): Promise<void>;
  /** Gets one schedule again (or drops it when it is gone). */
  refresh(id: string): Promise<void>;
  loadAgenda(): Promise<void>;
  /** These throw the owner's error (approval_required, invalid_schedule) for the caller to show where it belongs. */
  create(fields: ScheduleFields): Promise<Schedule>;
  update(id: string, fields: Partial<ScheduleFields>): Promise<Schedule>;
  pause(id: string, reason: string): Promise<Schedule>;
  resume(id: string): Promise<Schedule>;
  remove(id: string): Promise<void>;
  runNow(id: string): Promise<string>;
  approve(id: string, dropWaiting: boolean): Promise<Schedule>;
}

const byTitle = (a: Schedule, b: Schedule): number =>
  a.runbookTitle.localeCompare(b.runbookTitle) || a.sectionTitle.localeCompare(b.sectionTitle) || a.createdAt.localeCompare(b.createdAt);

function withSchedule(list: readonly Schedule[], schedule: Schedule): Schedule[] {
  return [...list.filter((s) => s.id !== schedule.id), schedule].sort(byTitle);
}

let agendaTimer: ReturnType<typeof setTimeout> | null = null;
/** Schedules being got again, and those that changed meanwhile. */
const refreshing = new Set<string>();
const refreshAgain = new Set<string>();

export const useSchedules = create<SchedulesState>()((set, get) => {
  const keep = (schedule: Schedule): Schedule => {
    set({ schedules: withSchedule(get().schedules, schedule) });
    reloadAgendaSoon();
    return schedule;
  };
  return {
    schedules: [],
    loaded: false,
    error: null,
    agenda: [],
    agendaError: null,
    async load() {
      try {
        const schedules = await client.call('schedules.list', {});
        set({ schedules: [...schedules].sort(byTitle), loaded: true, error: null });
      } catch (error) {
        set({ error: errorMessage(error), loaded: true });
      }
      await get().loadAgenda();
    },
    async refresh(id) {
      if (refreshing.has(id)) {
        refreshAgain.add(id);
        return;
      }
      refreshing.add(id);
      try {
        keep(await client.call('schedules.get', { id }));
      } catch (error) {
        if (error instanceof ContractError && error.code === 'not_found') {
          set({ schedules: get().schedules.filter((s) => s.id !== id) });
          reloadAgendaSoon();
        }
      } finally {
        refreshing.delete(id);
      }
      // Changed again while the answer was on its way: one more get, not one per event.
      if (refreshAgain.delete(id)) await get().refresh(id);
    },
    async loadAgenda() {
      try {
        set({ agenda: await client.call('schedules.agenda', { hours: AGENDA_HOURS }), agendaError: null });
      } catch (error) {
        set({ agendaError: errorMessage(error) });
      }
    },
    async create(fields) {
      return keep(await client.call('schedules.create', fields));
    },
    async update(id, fields) {
      return keep(await client.call('schedules.update', { id, fields }));
    },
    async pause(id, reason) {
      const trimmed = reason.trim();
      return keep(await client.call('schedules.pause', trimmed ? { id, reason: trimmed } : { id }));
    },
    async resume(id) {
      return keep(await client.call('schedules.resume', { id }));
    },
    async remove(id) {
      await client.call('schedules.remove', { id });
      set({ schedules: get().schedules.filter((s) => s.id !== id) });
      await get().loadAgenda();
    },
    async runNow(id) {
      const { runId } = await client.call('schedules.runNow', { id });
      await get().refresh(id);
      return runId;
    },
    async approve(id, dropWaiting) {
      return keep(await client.call('schedules.approve', dropWaiting ? { id, dropWaiting } : { id }));
    },
  };
});

function reloadAgendaSoon(): void {
  if (agendaTimer) clearTimeout(agendaTimer);
  agendaTimer = setTimeout(() => {
    agendaTimer = null;
    void useSchedules.getState().loadAgenda();
  }, AGENDA_RELOAD_DELAY_MS);
}

client.on('schedules.changed', ({ scheduleId }) => {
  if (!useSchedules.getState().loaded) return;
  void useSchedules.getState().refresh(scheduleId);
});

// A run a schedule started changed status: the strip shows the run's status, so get that schedule again.
client.on('run.updated', (detail) => {
  const { schedules, loaded } = useSchedules.getState();
  if (!loaded) return;
  const run = detail.run;
  for (const schedule of schedules) {
    const record = schedule.recent.find((r) => r.outcome.kind === 'started' && r.outcome.runId === run.id);
    if (record && record.runStatus !== run.status) void useSchedules.getState().refresh(schedule.id);
  }
});

// A new version of a runbook may change a scheduled step (the schedule then needs approval) or drop its section:
// the owner answers that when asked, so ask again for the schedules of that runbook.
client.on('runbooks.changed', ({ runbookId }) => {
  const { schedules, loaded } = useSchedules.getState();
  if (!loaded) return;
  for (const schedule of schedules) if (schedule.runbookId === runbookId) void useSchedules.getState().refresh(schedule.id);
});

client.on('schedule.notice', (notice) => {
  const { kind, text } = noticeToast(notice);
  useToasts.getState().push(kind, text);
  showDesktopNotice(notice, browserNotifier(), (runId) => navigate(href.run(runId)));
});

connection.onState((state) => {
  if (state === 'connected' && useSchedules.getState().loaded) void useSchedules.getState().load();
});
