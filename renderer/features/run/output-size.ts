/**
 * How tall a step's output pane is: as many rows as its output has, so one line takes one line and the page is
 * not a column of empty boxes, up to a share of the window; past that it scrolls inside.
 */

/**
 * The tallest a pane grows, as a share of the visible height of the page it scrolls in (the window less a terminal
 * dock): most of a long log is on screen at once, and the step's title and controls stay in view beside it.
 */
export const OUTPUT_MAX_SHARE = 0.6;
/** A pane never shrinks below this, so an attempt with no output yet still shows where its output will go. */
export const OUTPUT_MIN_ROWS = 1;

/** Lines of output up to and including the one the cursor is on (xterm buffer: scrollback `baseY` + `cursorY`). */
export function contentRows(buffer: { baseY: number; cursorY: number }): number {
  return buffer.baseY + buffer.cursorY + 1;
}

/** The rows to give the terminal: its content, at least OUTPUT_MIN_ROWS, at most what fits in the share. */
export function paneRows(content: number, visibleHeight: number, cellHeight: number, share = OUTPUT_MAX_SHARE): number {
  const most = cellHeight > 0 ? Math.max(OUTPUT_MIN_ROWS, Math.floor((visibleHeight * share) / cellHeight)) : OUTPUT_MIN_ROWS;
  return Math.min(Math.max(content, OUTPUT_MIN_ROWS), most);
}

/**
 * Splits a chunk's trailing line break off: written only with the next chunk, so the cursor stays at the end of
 * the last line and a finished command's output has no empty row under it.
 */
export function holdTrailingBreak(data: string): { now: string; held: string } {
  const match = /\r?\n$/.exec(data);
  return match ? { now: data.slice(0, match.index), held: match[0] } : { now: data, held: '' };
}
