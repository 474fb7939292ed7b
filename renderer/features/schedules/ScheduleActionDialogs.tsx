import { useState } from 'react';
import type { Schedule } from '../../../shared/contract/schedules.js';
import { Dialog, DialogActions } from '../../components/Dialog.js';
import { errorMessage } from '../../components/error-message.js';
import { useSchedules } from '../../stores/schedule-store.js';
import { toast } from '../../stores/toast-store.js';

interface Props {
  schedule: Schedule;
  onClose(): void;
}

/** Pausing, with a reason others will see on the page (optional). */
export function PauseDialog({ schedule, onClose }: Props) {
  const pause = useSchedules((state) => state.pause);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Pause “${schedule.sectionTitle}”?`} onClose={onClose} testId="schedule-pause-dialog">
      <form
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          pause(schedule.id, reason)
            .then(() => {
              toast.success(`“${schedule.sectionTitle}” paused.`);
              onClose();
            })
            .catch((failure: unknown) => {
              setError(errorMessage(failure));
              setBusy(false);
            });
        }}
      >
        <p>Occurrences while it is paused are not run and not counted as missed; resuming picks up from then.</p>
        <label className="field field-block">
          <span className="field-label">Reason (optional, shown on the Schedules page)</span>
          <input className="input" maxLength={500} value={reason} onChange={(event) => setReason(event.target.value)} data-testid="schedule-pause-reason" />
        </label>
        <DialogActions error={error} onCancel={onClose} submit="Pause" submitTestId="schedule-pause-confirm" disabled={busy} variant="primary" />
      </form>
    </Dialog>
  );
}

export function RemoveScheduleDialog({ schedule, onClose }: Props) {
  const remove = useSchedules((state) => state.remove);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Remove the schedule of “${schedule.sectionTitle}”?`} onClose={onClose} testId="schedule-remove-dialog">
      <form
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          remove(schedule.id)
            .then(() => {
              toast.success(`Schedule of “${schedule.sectionTitle}” removed.`);
              onClose();
            })
            .catch((failure: unknown) => {
              setError(errorMessage(failure));
              setBusy(false);
            });
        }}
      >
        <p>
          It will no longer run. The runs it started stay in the history; the runbook is not changed.
        </p>
        <DialogActions error={error} onCancel={onClose} submit="Remove schedule" submitTestId="schedule-remove-confirm" disabled={busy} variant="danger" />
      </form>
    </Dialog>
  );
}
