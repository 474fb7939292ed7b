import { useMemo, useState } from 'react';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import { formatDateTime, formatTime, plural } from '../../components/format.js';
import { useNow } from '../../components/use-now.js';
import { OutputPane } from './OutputPane.js';
import { useRecordingTimeline } from './use-recording-timeline.js';
import './recordings.css';

export type Recording = RunDetail['recordings'][number];

/**
 * How often an open transcript is fetched again while the run is running: a recording's output is stored, not sent
 * as `step.output` events, so this (and each `run.updated`) is how new output shows up.
 */
const POLL_MS = 3_000;

const titleOf = (recording: Recording): string => recording.title || 'Terminal';

/** The side column's list of terminal transcripts recorded into the run; choosing one opens it (again: closes it). */
export function RecordingsList({
  recordings,
  active,
  openId,
  onOpen,
}: {
  recordings: readonly Recording[];
  active: boolean;
  openId: string | null;
  onOpen(id: string | null): void;
}) {
  if (recordings.length === 0 && !active) return null;
  return (
    <div className="panel" data-testid="recordings">
      <h3>Terminal recordings</h3>
      {recordings.length === 0 ? (
        <div className="muted small">None yet. “Record to this run” in a terminal tab keeps its transcript here.</div>
      ) : (
        <ul className="recordings">
          {recordings.map((recording) => {
            const open = recording.id === openId;
            return (
              <li key={recording.id}>
                <button
                  type="button"
                  className="recording"
                  aria-pressed={open}
                  title={`${open ? 'Close' : 'Open'} the transcript of ${titleOf(recording)}, recorded from ${formatDateTime(recording.startedAt)}`}
                  onClick={() => onOpen(open ? null : recording.id)}
                  data-testid="recording"
                  data-id={recording.id}
                >
                  <span className="recording-title">{titleOf(recording)}</span>
                  <span className="note-meta muted">{formatTime(recording.startedAt)}</span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

/**
 * A recording's transcript in a read-only pane, fetched again while the run is running. Under it, when the line
 * under the mouse was recorded, and a compact list of when output was recorded (bursts of chunks with no pause
 * longer than two seconds, with the first line each showed); choosing one scrolls the pane there.
 */
export function RecordingView({ detail, recording, onClose }: { detail: RunDetail; recording: Recording; onClose(): void }) {
  const following = detail.run.status === 'running';
  const now = useNow(following, POLL_MS);
  // A new detail is a `run.updated` (or an action's answer): fetch again then too.
  const refresh = useMemo(() => ({ now, detail }), [now, detail]);
  const timeline = useRecordingTimeline();
  const [hovered, setHovered] = useState<string | null>(null);
  const { bursts } = timeline;
  const chunks = bursts.reduce((sum, burst) => sum + burst.chunks, 0);
  const first = bursts[0];
  const last = bursts[bursts.length - 1];

  return (
    <section className="panel recording-view" data-testid="recording-pane" data-id={recording.id}>
      <div className="recording-head">
        <h3>{titleOf(recording)}</h3>
        <span className="muted small">
          terminal recording · started {formatDateTime(recording.startedAt)}
          {following ? ' · updates while the run is running' : ''}
        </span>
        <button type="button" className="btn-icon btn-close" aria-label="Close the transcript" title="Close" onClick={onClose} data-testid="recording-close" />
      </div>
      <div
        onMouseMove={(event) => setHovered(timeline.timeAt(event.clientY, event.currentTarget.querySelector('.xterm-screen')))}
        onMouseLeave={() => setHovered(null)}
      >
        <OutputPane runId={detail.run.id} attemptId={recording.id} size="fill" refresh={refresh} onTerminal={timeline.onTerminal} onDrawn={timeline.onDrawn} />
      </div>
      <div className="step-exit recording-time" data-testid="recording-time" data-at={hovered ?? ''} title={hovered ? formatDateTime(hovered) : undefined}>
        {hovered
          ? `this line was recorded at ${formatTime(hovered)}`
          : first && last
            ? `${plural(chunks, 'chunk')} recorded ${formatTime(first.at)}–${formatTime(last.lastAt)} · hover a line to see when it was recorded`
            : following
              ? 'nothing recorded yet'
              : 'nothing was recorded'}
      </div>
      {bursts.length > 0 && (
        <ol className="recording-bursts" aria-label="When output was recorded" data-testid="recording-bursts">
          {bursts.map((burst) => (
            <li key={burst.seq}>
              <button
                type="button"
                className="recording-burst"
                title={`${formatDateTime(burst.at)}${burst.lastAt === burst.at ? '' : `–${formatTime(burst.lastAt)}`} · ${plural(burst.chunks, 'chunk')}, ${plural(burst.chars, 'char')}; show it in the transcript`}
                onClick={() => timeline.scrollTo(burst.seq)}
                data-testid="recording-burst"
                data-seq={burst.seq}
                data-at={burst.at}
              >
                <span className="note-meta muted">{formatTime(burst.at)}</span>
                <span className={`recording-burst-text mono${burst.preview ? '' : ' muted'}`}>{burst.preview || '(no visible text)'}</span>
              </button>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
