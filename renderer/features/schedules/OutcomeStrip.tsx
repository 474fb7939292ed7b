import type { ScheduleRecord } from '../../../shared/contract/schedules.js';
import { href } from '../../app/route.js';
import { outcomeView } from './outcome-view.js';

/** As many as Schedule.recent holds: the strip keeps its width from the first outcome on. */
export const STRIP_LENGTH = 30;

interface Props {
  recent: readonly ScheduleRecord[];
  zone: string;
}

/**
 * The last 30 outcomes, oldest on the left: a cell per record, coloured as run statuses are elsewhere and marked by
 * kind, each with its whole story as title and accessible name; a started run's cell opens the run.
 */
export function OutcomeStrip({ recent, zone }: Props) {
  const records = recent.slice(0, STRIP_LENGTH).reverse();
  const empty = STRIP_LENGTH - records.length;
  return (
    <ol className="outcome-strip" aria-label={`Last ${STRIP_LENGTH} outcomes, oldest first`} data-testid="outcome-strip" data-count={records.length}>
      {Array.from({ length: empty }, (_, index) => (
        <li key={`empty-${index}`} className="outcome-cell outcome-empty" aria-hidden="true" />
      ))}
      {records.map((record) => {
        const view = outcomeView(record, zone);
        const common = {
          className: `outcome-cell tone-${view.tone} outcome-${view.kind}`,
          title: view.title,
          'aria-label': view.title,
          'data-testid': 'outcome',
          'data-kind': view.kind,
          'data-run-status': view.runStatus ?? undefined,
        };
        return (
          <li key={record.id}>
            {view.runId ? (
              <a href={href.run(view.runId)} {...common}>
                {view.glyph}
              </a>
            ) : (
              <span role="img" {...common}>
                {view.glyph}
              </span>
            )}
          </li>
        );
      })}
    </ol>
  );
}
