/**
 * When a terminal recording's output was recorded, for its transcript pane: chunks folded into bursts (output with
 * no pause longer than BURST_GAP_MS between chunks, like a command typed and what it printed), each with its time
 * and the first line it showed, for the compact list under the pane; and which recorded chunk first wrote to a line
 * of the transcript, for the time shown when hovering it. Pure, so it is unit-tested.
 */
import type { OutputChunk } from '../../../shared/contract/schemas.js';
import { terminalText } from './terminal-text.js';

/** A pause longer than this between two chunks starts a new burst. */
export const BURST_GAP_MS = 2_000;
/** Raw output kept per burst to read its preview from. */
const HEAD_CHARS = 400;
/** Preview length in the list; the rest is in the pane. */
export const PREVIEW_CHARS = 80;

export interface Burst {
  /** The seq of its first chunk: a stable key, and where the pane scrolls to. */
  seq: number;
  /** When its first and last chunk were recorded. */
  at: string;
  lastAt: string;
  chunks: number;
  chars: number;
  /** The first line with visible text, as a terminal shows it; '' when it printed none (only escapes, blank lines). */
  preview: string;
  /** The start of its raw output, up to HEAD_CHARS, the preview is read from. */
  head: string;
}

/** The first line with visible text of some output, plain (colours and cursor moves dropped) and cut short. */
export function previewOf(data: string): string {
  for (const raw of terminalText(data).split('\n')) {
    // A sequence cut off at the end of the kept head is left whole by terminalText: drop it.
    // eslint-disable-next-line no-control-regex
    const line = raw.replace(/\x1b.*$/, '').trim();
    if (line) return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1)}…` : line;
  }
  return '';
}

/**
 * Adds a chunk (in seq order) to the bursts, in place; true when it started a new burst. A chunk with an unreadable
 * time, or recorded before the last one (a clock change), joins the current burst.
 */
export function addChunk(bursts: Burst[], chunk: Pick<OutputChunk, 'seq' | 'at' | 'data'>, gapMs = BURST_GAP_MS): boolean {
  const last = bursts[bursts.length - 1];
  const gap = last ? Date.parse(chunk.at) - Date.parse(last.lastAt) : Number.POSITIVE_INFINITY;
  if (!last || gap > gapMs) {
    const head = chunk.data.slice(0, HEAD_CHARS);
    bursts.push({ seq: chunk.seq, at: chunk.at, lastAt: chunk.at, chunks: 1, chars: chunk.data.length, preview: previewOf(head), head });
    return true;
  }
  if (!Number.isNaN(Date.parse(chunk.at)) && gap > 0) last.lastAt = chunk.at;
  last.chunks += 1;
  last.chars += chunk.data.length;
  if (last.head.length < HEAD_CHARS) {
    last.head = (last.head + chunk.data).slice(0, HEAD_CHARS);
    last.preview = previewOf(last.head);
  }
  return false;
}

/**
 * The first mark at or after `line`: with one mark per line where a chunk's output ended (in line order, marks
 * scrolled out of the kept lines at -1 first), the chunk that first wrote to that line. Null below the last mark.
 */
export function markForLine<T>(marks: readonly T[], line: number, lineOf: (mark: T) => number): T | null {
  let low = 0;
  let high = marks.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (lineOf(marks[middle] as T) < line) low = middle + 1;
    else high = middle;
  }
  return low < marks.length ? (marks[low] as T) : null;
}
