/**
 * Follows a transcript pane's terminal as its chunks are drawn, to tell when each part was recorded: the bursts for
 * the compact list (with a marker where each begins, to scroll there), and a marker on each line where a chunk's
 * output ended, so hovering a line gives the time of the chunk that first wrote to it. xterm markers move with the
 * scrollback and are disposed when their line is cut from it. Re-renders at most every UPDATE_MS.
 */
import type { IMarker, Terminal } from '@xterm/xterm';
import { useEffect, useState } from 'react';
import type { OutputChunk } from '../../../shared/contract/schemas.js';
import { addChunk, markForLine, type Burst } from './recording-timeline.js';

/** How often the list is redrawn while a long transcript loads or output streams. */
const UPDATE_MS = 300;
/** Line marks kept before those scrolled out of the pane are dropped (the pane keeps 5,000 lines). */
const MAX_MARKS = 8_000;

interface LineMark {
  marker: IMarker;
  at: string;
}

export interface RecordingTimeline {
  onTerminal(terminal: Terminal | null): void;
  onDrawn(chunk: OutputChunk): void;
  /** When the line under a point of the pane's screen (`.xterm-screen`) was first written; null off the text. */
  timeAt(clientY: number, screen: Element | null): string | null;
  /** Scrolls the pane to where a burst begins (the top when that part is no longer kept). */
  scrollTo(seq: number): void;
  /** Drops a pending redraw (the pane is going away). */
  stop(): void;
}

function createTimeline(publish: (bursts: readonly Burst[]) => void): RecordingTimeline {
  let term: Terminal | null = null;
  let bursts: Burst[] = [];
  let marks: LineMark[] = [];
  /** Where each burst after the first begins. */
  let starts = new Map<number, IMarker>();
  /** Where the next chunk begins: the cursor after the last one. */
  let next: IMarker | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const schedule = (): void => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      publish(bursts.map((burst) => ({ ...burst })));
    }, UPDATE_MS);
  };
  const lineOf = (mark: LineMark): number => mark.marker.line;

  return {
    onTerminal(terminal) {
      term = terminal;
      bursts = [];
      marks = [];
      starts = new Map();
      next = null;
      schedule();
    },
    onDrawn(chunk) {
      if (!term) return;
      const buffer = term.buffer.active;
      // A full-screen program (the alternate screen) draws over itself: its lines have no place in the scrollback.
      const normal = buffer.type === 'normal';
      const started = addChunk(bursts, chunk);
      if (started && next) starts.set(chunk.seq, next);
      else next?.dispose();
      next = normal ? term.registerMarker(0) : null;
      if (normal) {
        // The cursor at the start of a line has not written to it yet: the chunk ended on the line above.
        const offset = buffer.cursorX === 0 ? -1 : 0;
        const line = buffer.baseY + buffer.cursorY + offset;
        const last = marks[marks.length - 1];
        if (line >= 0 && (!last || line > last.marker.line)) marks.push({ marker: term.registerMarker(offset), at: chunk.at });
        if (marks.length > MAX_MARKS) marks = marks.filter((mark) => !mark.marker.isDisposed);
      }
      schedule();
    },
    timeAt(clientY, screen) {
      if (!term || !screen || term.rows === 0 || term.buffer.active.type !== 'normal') return null;
      const rect = screen.getBoundingClientRect();
      if (clientY < rect.top || clientY >= rect.bottom) return null;
      const row = Math.floor((clientY - rect.top) / (rect.height / term.rows));
      return markForLine(marks, term.buffer.active.viewportY + row, lineOf)?.at ?? null;
    },
    scrollTo(seq) {
      const marker = starts.get(seq);
      term?.scrollToLine(marker && !marker.isDisposed ? marker.line : 0);
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

export function useRecordingTimeline(): RecordingTimeline & { bursts: readonly Burst[] } {
  const [bursts, setBursts] = useState<readonly Burst[]>([]);
  const [timeline] = useState(() => createTimeline(setBursts));
  useEffect(() => () => timeline.stop(), [timeline]);
  return { ...timeline, bursts };
}
