// The owner's screen copy (real @xterm/headless): a snapshot taken before the copy has parsed what it was given still
// covers every byte, one taken between two halves of an escape sequence does not break it, and the modes a program
// set come back in a terminal that writes the snapshot.
import { Terminal } from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { createScreenCopy, unfinishedEscape } from '../../../../electron/services/terminal/screen-copy.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const written = (xterm: Terminal, data: string): Promise<void> => new Promise((resolve) => xterm.write(data, resolve));
const lines = (xterm: Terminal): string[] => {
  const buf = xterm.buffer.active;
  return Array.from({ length: buf.length }, (_, i) => buf.getLine(i)?.translateToString(true).trimEnd() ?? '').filter((line) => line !== '');
};

describe('the screen copy', () => {
  it('covers output it has not parsed yet: the snapshot carries it as it came', async () => {
    const copy = createScreenCopy(80, 24, 1_000);
    let parsed = 0;
    copy.write(bytes('first line\r\n'), (n) => (parsed += n));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(parsed).toBe(12);
    let text = '';
    for (let i = 1; i <= 300; i++) text += `row ${i}\r\n`;
    copy.write(bytes(text), (n) => (parsed += n));
    // Taken at once, before the copy parses the second batch.
    expect(copy.queued).toBe(text.length);
    const snap = copy.snapshot();
    const xterm = new Terminal({ cols: snap.cols, rows: snap.rows, scrollback: 1_000, allowProposedApi: true });
    await written(xterm, snap.data);
    expect(lines(xterm)).toEqual(['first line', ...Array.from({ length: 300 }, (_, i) => `row ${i + 1}`)]);
    xterm.dispose();
    copy.dispose();
  });

  it('brings back bracketed paste, application cursor keys and the alternate screen', async () => {
    const copy = createScreenCopy(80, 24);
    await new Promise<void>((resolve) => copy.write(bytes('$ ls\r\n\x1b[?2004h\x1b[?1h\x1b[?1049h\x1b[Hin the editor'), () => resolve()));
    expect(copy.bracketedPaste).toBe(true);
    const xterm = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    await written(xterm, copy.snapshot().data);
    expect(xterm.modes.bracketedPasteMode).toBe(true);
    expect(xterm.modes.applicationCursorKeysMode).toBe(true);
    expect(xterm.buffer.active.type).toBe('alternate');
    expect(xterm.buffer.active.getLine(0)?.translateToString(true).trimEnd()).toBe('in the editor');
    xterm.dispose();
    copy.dispose();
  });
});

describe('a snapshot taken between two batches that split an escape sequence', () => {
  it('repeats the unfinished part, so the rest that arrives live still colours the text', async () => {
    for (const [first, rest] of [['plain \x1b[3', '1mred\x1b[0m'], ['plain \x1b', '[31mred\x1b[0m'], ['plain \x1b]0;a ti', 'tle\x07\x1b[31mred\x1b[0m']]) {
      const copy = createScreenCopy(80, 24);
      await new Promise<void>((resolve) => copy.write(bytes(first as string), () => resolve()));
      const xterm = new Terminal({ cols: 80, rows: 24, allowProposedApi: true });
      await written(xterm, copy.snapshot().data);
      // What the window gets live after attaching.
      await written(xterm, rest as string);
      const row = xterm.buffer.active.getLine(0);
      expect(row?.translateToString(true)).toBe('plain red');
      expect(row?.getCell(6)?.getFgColor()).toBe(1);
      xterm.dispose();
      copy.dispose();
    }
  });

  it('finds sequences left unfinished, and not those that ended', () => {
    const left = (text: string): string => new TextDecoder().decode(unfinishedEscape(bytes(text)));
    expect(left('ab\x1b[1;3')).toBe('\x1b[1;3');
    expect(left('ab\x1b[1;31m')).toBe('');
    expect(left('ab\x1b')).toBe('\x1b');
    expect(left('ab\x1b(')).toBe('\x1b(');
    expect(left('ab\x1b(B')).toBe('');
    expect(left('ab\x1b]8;;http://x')).toBe('\x1b]8;;http://x');
    expect(left('ab\x1b]0;t\x07cd')).toBe('');
    expect(left('ab\x1b]0;t\x1b\\cd')).toBe('');
    expect(left('ab\x1bMcd')).toBe('');
  });
});
