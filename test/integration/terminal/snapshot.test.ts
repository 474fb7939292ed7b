/**
 * The owner's copy of a terminal's screen, through the terminal service with real node-pty and bash: a window that
 * attaches later writes `snapshot()` into a fresh xterm, then the output sent after it, and sees what a window that
 * was there all along sees: the same lines, nothing lost or doubled even when the snapshot is taken mid-flood, the
 * alternate screen of a full-screen program, and bracketed paste still on.
 */
import { Terminal } from '@xterm/headless';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHarness, PROMPT, settle, waitFor, type Harness, type Screen } from './harness.js';

let h: Harness;

beforeEach(() => {
  h = createHarness();
});
afterEach(async () => {
  await h.dispose();
});

/** A window attaching now: a fresh xterm the snapshot's size, and the index in the stream its live output starts at. */
function attach(s: Screen): { xterm: Terminal; from: number } {
  const snap = h.terms.snapshot(s.id);
  // Taken synchronously: what is emitted from here on is what this window gets live.
  const from = s.raw.length;
  const xterm = new Terminal({ cols: snap.cols, rows: snap.rows, scrollback: 5_000, allowProposedApi: true });
  xterm.write(snap.data);
  return { xterm, from };
}

/** Writes what the window got live since attaching, and resolves once xterm has parsed it. */
function catchUp(s: Screen, w: { xterm: Terminal; from: number }): Promise<void> {
  const data = s.raw.slice(w.from);
  w.from = s.raw.length;
  return new Promise((resolve) => w.xterm.write(data, resolve));
}

const linesOf = (xterm: Terminal): string[] => {
  const buf = xterm.buffer.active;
  const out: string[] = [];
  for (let i = 0; i < buf.length; i++) out.push(buf.getLine(i)?.translateToString(true).trimEnd() ?? '');
  return out;
};
/** The screen's rows as shown (scrolled to the bottom). */
const screenOf = (xterm: Terminal): string[] => linesOf(xterm).slice(xterm.buffer.active.baseY);
/** Waits until the harness's own xterm (the window that was there all along) has parsed everything emitted. */
const drained = (s: Screen): Promise<void> => new Promise((resolve) => s.xterm.write('', resolve));

describe('a terminal attached to later', () => {
  it('shows the same screen, colours and all, and the cursor where it was', async () => {
    const s = await h.open({ cols: 90, rows: 20 });
    await h.ready(s);
    h.terms.input(s.id, "printf '\\033[1;31mred alert\\033[0m and plain\\n'; seq 1 5\r");
    await waitFor(() => h.lines(s).includes('5') && h.cursorLine(s) === PROMPT, 10_000, 'seq output');
    await drained(s);
    const w = attach(s);
    await catchUp(s, w);
    expect(w.xterm.cols).toBe(90);
    expect(screenOf(w.xterm)).toEqual(screenOf(s.xterm));
    expect(screenOf(w.xterm)).toContain('red alert and plain');
    const row = w.xterm.buffer.active.getLine(linesOf(w.xterm).indexOf('red alert and plain'));
    expect(row?.getCell(0)?.isBold()).toBeTruthy();
    expect(row?.getCell(0)?.getFgColor()).toBe(1);
    expect(w.xterm.buffer.active.cursorX).toBe(s.xterm.buffer.active.cursorX);
    // bash 5.1+ switches bracketed paste on at its prompt; the window attached later knows it too.
    expect(s.xterm.modes.bracketedPasteMode).toBe(true);
    expect(w.xterm.modes.bracketedPasteMode).toBe(true);
    w.xterm.dispose();
  });

  it('loses and repeats nothing when attached in the middle of a flood', async () => {
    const s = await h.open({ cols: 80, rows: 24 });
    await h.ready(s);
    // The window drawing it all along stops acknowledging: the flood stalls part way, the source paused.
    s.autoAck = false;
    h.ackAll(s);
    h.terms.input(s.id, 'seq 1 60000\r');
    await waitFor(() => s.raw.includes('\n5000\r\n'), 20_000, 'the flood to be under way');
    await settle(() => s.bytes, 300);
    const w = attach(s);
    expect(s.raw.includes('\n60000\r')).toBe(false);
    s.autoAck = true;
    h.ackAll(s);
    await waitFor(() => h.cursorLine(s) === PROMPT && s.raw.includes('\n60000\r'), 30_000, 'the flood to end');
    await settle(() => s.raw.length, 200);
    await drained(s);
    await catchUp(s, w);
    const live = linesOf(s.xterm);
    const attached = linesOf(w.xterm);
    // The attached window got the copy's scrollback (1,000 lines) plus the rest live: compare what both hold.
    const n = 1_000;
    expect(attached.slice(-n)).toEqual(live.slice(-n));
    // Every number once, in order, across the seam.
    const numbers = attached.slice(-n).filter((line) => /^\d+$/.test(line)).map(Number);
    expect(numbers.at(-1)).toBe(60000);
    expect(numbers.every((value, i) => i === 0 || value === (numbers[i - 1] as number) + 1)).toBe(true);
    w.xterm.dispose();
  });

  it('shows a full-screen program on its alternate screen, and the shell again once it quits', async () => {
    const s = await h.open({ cols: 80, rows: 24 });
    await h.ready(s);
    h.terms.input(s.id, "echo before-fullscreen; printf '\\033[?1049h\\033[H\\033[2Jfull screen app'; read -r _; printf '\\033[?1049l'\r");
    await waitFor(() => s.xterm.buffer.active.type === 'alternate' && h.lines(s).includes('full screen app'), 10_000, 'the alternate screen');
    await drained(s);
    const w = attach(s);
    await catchUp(s, w);
    expect(w.xterm.buffer.active.type).toBe('alternate');
    expect(screenOf(w.xterm)[0]).toBe('full screen app');
    h.terms.input(s.id, '\r');
    await waitFor(() => s.xterm.buffer.active.type === 'normal' && h.cursorLine(s) === PROMPT, 10_000, 'the shell again');
    await drained(s);
    await catchUp(s, w);
    expect(w.xterm.buffer.active.type).toBe('normal');
    expect(linesOf(w.xterm)).toContain('before-fullscreen');
    w.xterm.dispose();
  });

  it('follows a resize', async () => {
    const s = await h.open({ cols: 80, rows: 24 });
    await h.ready(s);
    h.terms.resize(s.id, 120, 30);
    expect(h.terms.snapshot(s.id)).toMatchObject({ cols: 120, rows: 30 });
  });
});
