import { useState } from 'react';
import type { Schedule } from '../../../shared/contract/schedules.js';
import { errorMessage } from '../../components/error-message.js';
import { plural } from '../../components/format.js';
import { useSchedules } from '../../stores/schedule-store.js';
import { toast } from '../../stores/toast-store.js';
import { occurrenceText } from './occurrence-text.js';

const CHANGE_LABEL = { changed: 'changed', added: 'added', removed: 'removed', unapproved: 'never approved' } as const;

function useApprove(schedule: Schedule): { busy: boolean; approve(drop: boolean): void } {
  const approve = useSchedules((state) => state.approve);
  const [busy, setBusy] = useState(false);
  return {
    busy,
    approve(drop) {
      setBusy(true);
      approve(schedule.id, drop)
        .then(() => toast.success(drop ? `Dropped the waiting catch-ups of “${schedule.sectionTitle}”.` : `Approved “${schedule.sectionTitle}”.`))
        .catch((error: unknown) => toast.error(`${schedule.sectionTitle}: ${errorMessage(error)}`))
        .finally(() => setBusy(false));
    },
  };
}

function WaitingBanner({ schedule }: { schedule: Schedule }) {
  const { busy, approve } = useApprove(schedule);
  const times = schedule.waiting.map((iso) => occurrenceText(iso, schedule.rules.timezone).full);
  return (
    <div className="banner schedule-banner" role="status" data-testid="schedule-banner" data-kind="waiting" data-id={schedule.id}>
      <div className="schedule-banner-text">
        <strong>{plural(schedule.waiting.length, 'catch-up run')}</strong> of “{schedule.sectionTitle}” ({schedule.runbookTitle}) {schedule.waiting.length === 1 ? 'waits' : 'wait'} for
        approval after a wake: its steps are destructive or run on many hosts.
        <div className="muted small mono">{times.join(' · ')}</div>
      </div>
      <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => approve(false)} data-testid="schedule-approve">
        Approve and run
      </button>
      <button type="button" className="btn btn-small" disabled={busy} onClick={() => approve(true)} data-testid="schedule-drop">
        Drop
      </button>
    </div>
  );
}

function ChangedBanner({ schedule }: { schedule: Schedule }) {
  const { busy, approve } = useApprove(schedule);
  return (
    <div className="banner schedule-banner" role="status" data-testid="schedule-banner" data-kind="needs-approval" data-id={schedule.id}>
      <div className="schedule-banner-text">
        <strong>“{schedule.sectionTitle}”</strong> ({schedule.runbookTitle}) is paused: {schedule.stateReason ?? 'its scheduled steps changed since they were approved.'}
        {schedule.changes.length > 0 && (
          <ul className="schedule-changes">
            {schedule.changes.map((change) => (
              <li key={`${change.stepId}-${change.change}`}>
                {change.destructive && <span className="danger-dot" title="destructive" aria-label="destructive" />} {change.title}{' '}
                <span className="muted">({CHANGE_LABEL[change.change]})</span>
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" className="btn btn-small btn-primary" disabled={busy} onClick={() => approve(false)} data-testid="schedule-approve">
        Approve the steps as they are now
      </button>
    </div>
  );
}

/** What needs someone: catch-ups waiting for approval, and schedules paused because their steps changed. */
export function ScheduleBanners({ schedules }: { schedules: readonly Schedule[] }) {
  const waiting = schedules.filter((schedule) => schedule.waiting.length > 0);
  const changed = schedules.filter((schedule) => schedule.state === 'needs_approval');
  if (waiting.length === 0 && changed.length === 0) return null;
  return (
    <div className="schedule-banners">
      {waiting.map((schedule) => (
        <WaitingBanner key={schedule.id} schedule={schedule} />
      ))}
      {changed.map((schedule) => (
        <ChangedBanner key={schedule.id} schedule={schedule} />
      ))}
    </div>
  );
}
