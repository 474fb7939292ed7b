// When a terminal recording's output was recorded: bursts for the compact list, and the chunk that first wrote a line.
import { describe, expect, it } from 'vitest';
import { addChunk, markForLine, previewOf, PREVIEW_CHARS, type Burst } from '../../../renderer/features/run/recording-timeline.js';

const at = (seconds: number): string => new Date(Date.UTC(2025, 0, 1, 9, 0, 0) + seconds * 1000).toISOString();

describe('addChunk', () => {
  it('folds chunks with no pause longer than the gap into one burst, and starts a new one after a pause', () => {
    const bursts: Burst[] = [];
    expect(addChunk(bursts, { seq: 0, at: at(0), data: '$ l' })).toBe(true);
    expect(addChunk(bursts, { seq: 1, at: at(1), data: 's\r\n' })).toBe(false);
    expect(addChunk(bursts, { seq: 2, at: at(2.5), data: 'a.txt  b.txt\r\n$ ' })).toBe(false);
    expect(addChunk(bursts, { seq: 3, at: at(10), data: 'exit\r\n' })).toBe(true);
    expect(bursts.map(({ seq, at: first, lastAt, chunks, chars, preview }) => ({ seq, first, lastAt, chunks, chars, preview }))).toEqual([
      { seq: 0, first: at(0), lastAt: at(2.5), chunks: 3, chars: 3 + 3 + 16, preview: '$ ls' },
      { seq: 3, first: at(10), lastAt: at(10), chunks: 1, chars: 6, preview: 'exit' },
    ]);
  });

  it('keeps a chunk with an unreadable or earlier time in the current burst', () => {
    const bursts: Burst[] = [];
    addChunk(bursts, { seq: 0, at: at(5), data: 'a' });
    expect(addChunk(bursts, { seq: 1, at: 'not a time', data: 'b' })).toBe(false);
    expect(addChunk(bursts, { seq: 2, at: at(1), data: 'c' })).toBe(false);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]?.lastAt).toBe(at(5));
  });

  it('respects a custom gap', () => {
    const bursts: Burst[] = [];
    addChunk(bursts, { seq: 0, at: at(0), data: 'a' }, 500);
    expect(addChunk(bursts, { seq: 1, at: at(1), data: 'b' }, 500)).toBe(true);
  });
});

describe('previewOf', () => {
  it('is the first line with visible text, without colours, title sequences or overwritten progress', () => {
    expect(previewOf('\x1b]0;user@host: ~\x07\r\n\x1b[1;32muser@host\x1b[0m:~$ ls\r\n')).toBe('user@host:~$ ls');
    expect(previewOf('10%\r50%\r100%\r\ndone')).toBe('100%');
    expect(previewOf('\x1b[?2004h\r\n  \r\n')).toBe('');
  });

  it('drops an escape sequence cut off at the end and shortens a long line', () => {
    expect(previewOf('ok \x1b[3')).toBe('ok');
    const long = previewOf('x'.repeat(200));
    expect(long).toHaveLength(PREVIEW_CHARS);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('markForLine', () => {
  const marks = [{ line: -1, at: 'trimmed' }, { line: 2, at: 'a' }, { line: 3, at: 'b' }, { line: 7, at: 'c' }];
  const lineOf = (mark: { line: number }): number => mark.line;

  it('gives the first mark at or after the line: the chunk that first wrote to it', () => {
    expect(markForLine(marks, 0, lineOf)?.at).toBe('a');
    expect(markForLine(marks, 2, lineOf)?.at).toBe('a');
    expect(markForLine(marks, 3, lineOf)?.at).toBe('b');
    expect(markForLine(marks, 4, lineOf)?.at).toBe('c');
    expect(markForLine(marks, 7, lineOf)?.at).toBe('c');
  });

  it('is null below the last mark or without marks', () => {
    expect(markForLine(marks, 8, lineOf)).toBeNull();
    expect(markForLine([], 0, lineOf)).toBeNull();
  });
});
