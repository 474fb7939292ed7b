import { useEffect, useState } from 'react';
import type { Schedule } from '../../../shared/contract/schedules.js';
import type { RunbookDetail } from '../../../shared/contract/schemas.js';
import { client } from '../../api/client.js';
import { href } from '../../app/route.js';
import { errorMessage } from '../../components/error-message.js';
import { plural } from '../../components/format.js';
import { useSchedules } from '../../stores/schedule-store.js';
import { toast } from '../../stores/toast-store.js';
import { AgendaPanel } from './AgendaPanel.js';
import { NotificationsButton } from './NotificationsButton.js';
import { PauseDialog, RemoveScheduleDialog } from './ScheduleActionDialogs.js';
import { ScheduleBanners } from './ScheduleBanners.js';
import { ScheduleCard } from './ScheduleCard.js';
import { ScheduleDialog } from './ScheduleDialog.js';
import { draftFromSchedule } from './schedule-form.js';
import '../../styles/schedules.css';

type PageDialog =
  | { kind: 'edit'; schedule: Schedule; runbook: RunbookDetail }
  | { kind: 'pause'; schedule: Schedule }
  | { kind: 'remove'; schedule: Schedule }
  | null;

/**
 * Every schedule: when it runs next (in its own zone), how its last occurrences went, and the actions on it; what
 * waits for someone's approval on top, the next day's agenda beside.
 */
export function SchedulesPage() {
  const schedules = useSchedules((state) => state.schedules);
  const loaded = useSchedules((state) => state.loaded);
  const error = useSchedules((state) => state.error);
  const agenda = useSchedules((state) => state.agenda);
  const agendaError = useSchedules((state) => state.agendaError);
  const load = useSchedules((state) => state.load);
  const [dialog, setDialog] = useState<PageDialog>(null);
  const close = (): void => setDialog(null);

  useEffect(() => {
    void load();
  }, [load]);

  const edit = (schedule: Schedule): void => {
    client
      .call('runbooks.get', { id: schedule.runbookId })
      .then((runbook) => setDialog({ kind: 'edit', schedule, runbook }))
      .catch((failure: unknown) => toast.error(`Could not open the runbook of “${schedule.sectionTitle}”: ${errorMessage(failure)}`));
  };

  return (
    <div className="page schedules-page" data-testid="schedules-page">
      <div className="page-head">
        <h1>Schedules</h1>
        <span className="muted count">{plural(schedules.length, 'schedule')}</span>
        <button type="button" className="btn btn-small" onClick={() => void load()}>
          Reload
        </button>
        <span className="page-head-right">
          <NotificationsButton />
        </span>
      </div>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
      <ScheduleBanners schedules={schedules} />
      <div className="schedules-columns">
        <div className="schedules-list">
          {loaded && schedules.length === 0 && !error && (
            <div className="empty">
              No schedules yet. Open a runbook from the <a href={href.library()}>library</a> and use “Schedule this” on one of its
              schedule hints, or “Schedule…” on any section with commands.
            </div>
          )}
          {schedules.map((schedule) => (
            <ScheduleCard
              key={schedule.id}
              schedule={schedule}
              onEdit={() => edit(schedule)}
              onPause={() => setDialog({ kind: 'pause', schedule })}
              onRemove={() => setDialog({ kind: 'remove', schedule })}
            />
          ))}
        </div>
        <AgendaPanel agenda={agenda} schedules={schedules} error={agendaError} />
      </div>
      {dialog?.kind === 'edit' && (
        <ScheduleDialog
          runbook={dialog.runbook}
          schedule={dialog.schedule}
          initial={draftFromSchedule(dialog.schedule)}
          onClose={close}
          onSaved={(saved) => {
            toast.success(`Schedule of “${saved.sectionTitle}” saved.`);
            close();
          }}
        />
      )}
      {dialog?.kind === 'pause' && <PauseDialog schedule={dialog.schedule} onClose={close} />}
      {dialog?.kind === 'remove' && <RemoveScheduleDialog schedule={dialog.schedule} onClose={close} />}
    </div>
  );
}
