import { occurrenceText } from './occurrence-text.js';

interface Props {
  next: readonly string[];
  zone: string;
  testId: string;
  /** The schedule does not fire now (paused, waiting for approval): the times are shown dimmed. */
  idle?: boolean;
}

/** Occurrences as wall-clock times in the schedule's zone, each with its zone abbreviation and UTC offset. */
export function OccurrenceList({ next, zone, testId, idle = false }: Props) {
  return (
    <ol className={`occurrences${idle ? ' occurrences-idle' : ''}`} data-testid={testId}>
      {next.map((iso) => {
        const text = occurrenceText(iso, zone);
        return (
          <li key={iso} data-testid="occurrence" data-at={iso} title={`${iso} (UTC)`}>
            <span className="mono">{text.local}</span>
            <span className="occurrence-abbr mono">{text.abbreviation ?? ''}</span>
            <span className="muted mono small">{text.offset}</span>
          </li>
        );
      })}
    </ol>
  );
}
