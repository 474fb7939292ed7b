import { useState } from 'react';
import type { Schedule } from '../../../shared/contract/schedules.js';
import { href } from '../../app/route.js';
import { errorMessage } from '../../components/error-message.js';
import { useSchedules } from '../../stores/schedule-store.js';
import { toast } from '../../stores/toast-store.js';
import { OccurrenceList } from './OccurrenceList.js';
import { occurrenceText } from './occurrence-text.js';
import { OutcomeStrip } from './OutcomeStrip.js';
import { outcomeView } from './outcome-view.js';
import { rulesSummary, stateView } from './schedule-text.js';

interface Props {
  schedule: Schedule;
  onEdit(): void;
  onPause(): void;
  onRemove(): void;
}

function LastOutcome({ schedule }: { schedule: Schedule }) {
  const last = schedule.recent[0];
  if (!last) return <span className="muted">Nothing recorded yet.</span>;
  const view = outcomeView(last, schedule.rules.timezone);
  return (
    <span className="schedule-last" data-testid="schedule-last-outcome" data-kind={view.kind} title={view.title}>
      <span className={`badge tone-${view.tone}`}>{view.label}</span>
      <span className="muted small mono">recorded {occurrenceText(last.recordedAt, schedule.rules.timezone).short}</span>
      {view.runId && (
        <a className="small" href={href.run(view.runId)}>
          open the run
        </a>
      )}
    </span>
  );
}

/** One schedule: what it runs and when, its next occurrences, its last outcomes, and what can be done to it. */
export function ScheduleCard({ schedule, onEdit, onPause, onRemove }: Props) {
  const runNow = useSchedules((state) => state.runNow);
  const resume = useSchedules((state) => state.resume);
  const [busy, setBusy] = useState(false);
  const state = stateView(schedule.state);
  const zone = schedule.rules.timezone;

  const act = (what: () => Promise<unknown>, done: string): void => {
    setBusy(true);
    what()
      .then(() => toast.success(done))
      .catch((error: unknown) => toast.error(`${schedule.sectionTitle}: ${errorMessage(error)}`))
      .finally(() => setBusy(false));
  };

  return (
    <article className="panel schedule-card" data-testid="schedule-card" data-id={schedule.id} data-state={schedule.state} data-title={schedule.sectionTitle}>
      <header className="schedule-card-head">
        <div className="schedule-title">
          <a href={href.runbook(schedule.runbookId, schedule.sectionId)}>{schedule.sectionTitle}</a>
          <span className="muted"> · {schedule.runbookTitle}</span>
        </div>
        <span className={`badge tone-${state.tone}`} data-testid="schedule-state">
          {state.label}
        </span>
        <div className="schedule-actions">
          <button type="button" className="btn btn-small" disabled={busy} onClick={() => act(() => runNow(schedule.id), `Started a run of “${schedule.sectionTitle}”.`)} data-testid="schedule-run-now">
            Run now
          </button>
          {schedule.state === 'paused' ? (
            <button type="button" className="btn btn-small" disabled={busy} onClick={() => act(() => resume(schedule.id), `“${schedule.sectionTitle}” resumed.`)} data-testid="schedule-resume">
              Resume
            </button>
          ) : (
            <button type="button" className="btn btn-small" disabled={busy || schedule.state === 'broken'} onClick={onPause} data-testid="schedule-pause">
              Pause…
            </button>
          )}
          <button type="button" className="btn btn-small" onClick={onEdit} data-testid="schedule-edit">
            Edit
          </button>
          <button type="button" className="btn btn-small btn-danger" onClick={onRemove} data-testid="schedule-remove">
            Remove…
          </button>
        </div>
      </header>
      <div className="schedule-summary small">
        <span className="mono schedule-calendar" data-testid="schedule-calendar">
          {schedule.rules.calendar.kind === 'oncalendar' ? 'OnCalendar=' : ''}
          {schedule.rules.calendar.expr}
        </span>
        <span className="mono">{zone}</span>
        {rulesSummary(schedule).map((part) => (
          <span key={part} className="muted">
            {part}
          </span>
        ))}
      </div>
      {schedule.stateReason && schedule.state !== 'needs_approval' && (
        <div className={`schedule-reason tone-${state.tone}`} data-testid="schedule-reason">
          {schedule.stateReason}
        </div>
      )}
      {!schedule.firesHere && <div className="muted small">Fires only on the device that made it, not here.</div>}
      <div className="schedule-body">
        <section className="schedule-next">
          <h4>Next</h4>
          {schedule.state !== 'active' && <div className="muted small">Not firing while {state.label}.</div>}
          {schedule.next.length === 0 ? (
            schedule.state === 'active' && <span className="muted">No more occurrences.</span>
          ) : (
            <OccurrenceList next={schedule.next} zone={zone} testId="schedule-next" idle={schedule.state !== 'active'} />
          )}
        </section>
        <section className="schedule-history">
          <h4>Last outcome</h4>
          <LastOutcome schedule={schedule} />
          <OutcomeStrip recent={schedule.recent} zone={zone} />
        </section>
      </div>
    </article>
  );
}
