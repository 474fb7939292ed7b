/**
 * Text on its way into a terminal as a paste (Send to terminal, the clipboard): the bracketed-paste markers taken
 * out so pasted text cannot end the bracket early and run what follows, trailing newlines dropped so nothing runs
 * by itself, and whether the text still needs bracketed paste to arrive without running line by line.
 */

// eslint-disable-next-line no-control-regex
const PASTE_MARKERS = /\x1b\[20[01]~/g;

/** Clipboard text as pasted: only the markers go; what the user copied is what they paste. */
export function withoutPasteMarkers(text: string): string {
  return text.replace(PASTE_MARKERS, '');
}

/** A command to paste for the user to check and run: no markers, and no trailing newline that would run it. */
export function pasteText(text: string): string {
  return withoutPasteMarkers(text).replace(/[\r\n]+$/, '');
}

/** Several lines: without bracketed paste, a shell runs each line as it arrives. */
export function isMultiline(text: string): boolean {
  return /[\r\n]/.test(text);
}

/** Keystrokes and pastes go out in pieces under the contract's 1 MiB limit for `term.input`, never splitting a surrogate pair. */
export const INPUT_CHUNK_CHARS = 256 * 1024;

export function inputChunks(data: string, size: number = INPUT_CHUNK_CHARS): string[] {
  if (data.length <= size) return [data];
  const chunks: string[] = [];
  let start = 0;
  while (start < data.length) {
    let end = Math.min(data.length, start + size);
    const last = data.charCodeAt(end - 1);
    if (end < data.length && last >= 0xd800 && last <= 0xdbff) end -= 1;
    chunks.push(data.slice(start, end));
    start = end;
  }
  return chunks;
}
