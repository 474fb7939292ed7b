import type { AgendaEntry, Schedule } from '../../../shared/contract/schedules.js';
import { useNow } from '../../components/use-now.js';
import { AGENDA_HOURS } from '../../stores/schedule-store.js';
import { occurrenceText, untilText } from './occurrence-text.js';
import { browserZone } from './schedule-form.js';

/** A per-minute schedule alone fills a day with 1,440 entries: the panel lists the soonest and counts the rest. */
const SHOWN = 40;

interface Props {
  agenda: readonly AgendaEntry[];
  schedules: readonly Schedule[];
  error: string | null;
}

/** Everything due in the next 24 hours, soonest first, each time in its schedule's zone. */
export function AgendaPanel({ agenda, schedules, error }: Props) {
  const now = useNow(agenda.length > 0, 30_000);
  const zones = new Map(schedules.map((schedule) => [schedule.id, schedule.rules.timezone]));
  const local = browserZone();
  const shown = agenda.slice(0, SHOWN);
  return (
    <aside className="panel agenda" data-testid="agenda" aria-label={`Next ${AGENDA_HOURS} hours`}>
      <h3>Next {AGENDA_HOURS} hours</h3>
      {error && <div className="inline-error">{error}</div>}
      {agenda.length === 0 && !error && <div className="muted">Nothing is due.</div>}
      <ol className="agenda-list">
        {shown.map((entry) => {
          const zone = zones.get(entry.scheduleId) ?? local;
          const text = occurrenceText(entry.at, zone);
          return (
            <li key={`${entry.scheduleId}-${entry.at}`} data-testid="agenda-entry" data-id={entry.scheduleId} data-at={entry.at}>
              <div className="agenda-when">
                <span className="mono" title={text.full}>
                  {text.short}
                </span>
                <span className="muted small">{untilText(entry.at, now)}</span>
              </div>
              <div className="agenda-what">
                {entry.sectionTitle} <span className="muted small">· {entry.runbookTitle}</span>
              </div>
            </li>
          );
        })}
      </ol>
      {agenda.length > shown.length && <div className="muted small">and {agenda.length - shown.length} more</div>}
    </aside>
  );
}
