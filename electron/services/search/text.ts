/**
 * What the search indexes of a recorded text: the text a terminal would show, without its escape sequences (colours,
 * cursor moves, window titles) and control characters, so `\x1b[31mERROR` is found as ERROR and a snippet shows no
 * escape codes. It is also the SQL function the output index's content view calls (migration 007): what it returns
 * for a text must never change, or snippets of older chunks highlight the wrong words (a change needs a rebuild).
 */

/* eslint-disable no-control-regex -- escape sequences and control characters are what these remove */
/**
 * CSI (`ESC [` or the 8-bit CSI, parameters, intermediates, a final byte), OSC/DCS/SOS/PM/APC strings (up to BEL or
 * ST), and the other two- and three-byte escapes (`ESC (B`, `ESC =`, `ESC 7`).
 */
const ESCAPES = /(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]|\x1b[\]PX^_][\s\S]*?(?:\x07|\x1b\\|$)|\x1b[\x20-\x2f]*[\x30-\x7e]/g;
/** Carriage returns (a progress bar redrawing its line) become line ends; a CR LF is one line end. */
const RETURNS = /\r\n?/g;
/** C0 controls but tab and newline, DEL, C1 controls, and an escape left incomplete at the end of a chunk. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
/* eslint-enable no-control-regex */

export function searchableText(raw: string): string {
  return raw.replace(ESCAPES, '').replace(RETURNS, '\n').replace(CONTROLS, '');
}

/** Marks a match in a snippet: the text between them matched. Control characters, so never part of indexed text. */
export const MATCH_START = '\u0002';
export const MATCH_END = '\u0003';
