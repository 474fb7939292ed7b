// Flow control and batching with a fake source and fake timers: pausing, resuming, order, whole characters.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACK_EVERY_CHARS, createFlowController, createOutputBatcher, HIGH_WATERMARK_CHARS, LOW_WATERMARK_CHARS, type Timers,
} from '../../../../electron/services/terminal/flow-control.js';

const timers: Timers = { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };

/** A program writing into a pipe: it produces only while not paused, like a process blocked on a full pty. */
function fakeSource() {
  const state = { paused: false, pauses: 0, resumes: 0, produced: 0 };
  return {
    state,
    pause: () => {
      state.paused = true;
      state.pauses += 1;
    },
    resume: () => {
      state.paused = false;
      state.resumes += 1;
    },
  };
}

/**
 * A renderer slower than the source: what arrives waits in an inbox, `draw` draws up to `chars` of it and acknowledges
 * every ACK_EVERY_CHARS drawn, as the real one does.
 */
function slowRenderer(ack: (chars: number) => void) {
  let inbox = '';
  let drawn = '';
  let pending = 0;
  return {
    receive(data: string) {
      inbox += data;
    },
    draw(chars: number) {
      const now = inbox.slice(0, chars);
      inbox = inbox.slice(now.length);
      drawn += now;
      pending += now.length;
      while (pending >= ACK_EVERY_CHARS) {
        pending -= ACK_EVERY_CHARS;
        ack(ACK_EVERY_CHARS);
      }
    },
    get drawn() {
      return drawn;
    },
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('createFlowController', () => {
  it('pauses once unacknowledged output passes the high watermark, and not before', () => {
    const src = fakeSource();
    const flow = createFlowController(src);
    flow.sent(HIGH_WATERMARK_CHARS);
    expect(src.state.paused).toBe(false);
    flow.sent(1);
    expect(src.state.paused).toBe(true);
    flow.sent(50_000);
    expect(src.state.pauses).toBe(1);
    expect(flow.unacknowledged).toBe(HIGH_WATERMARK_CHARS + 50_001);
  });

  it('resumes only once unacknowledged output falls below the low watermark', () => {
    const src = fakeSource();
    const flow = createFlowController(src);
    flow.sent(120_000);
    flow.acked(110_000);
    expect(flow.unacknowledged).toBe(10_000);
    expect(src.state.paused).toBe(true);
    flow.acked(10_000 - LOW_WATERMARK_CHARS);
    expect(src.state.paused).toBe(true); // exactly at the low watermark: still paused
    flow.acked(1);
    expect(src.state.paused).toBe(false);
    expect(src.state.resumes).toBe(1);
  });

  it('does not call resume on a source it never paused, and an over-ack only clears the debt', () => {
    const src = fakeSource();
    const flow = createFlowController({ ...src, highWatermark: 10, lowWatermark: 5 });
    flow.sent(8);
    flow.acked(100);
    expect(flow.unacknowledged).toBe(0);
    expect(src.state.resumes).toBe(0);
    flow.sent(11);
    expect(src.state.paused).toBe(true);
  });

  it('refuses a low watermark that is not below the high one', () => {
    expect(() => createFlowController({ ...fakeSource(), highWatermark: 5, lowWatermark: 5 })).toThrow(/below/);
  });
});

describe('createOutputBatcher', () => {
  it('merges writes within 5 ms into one flush, then starts a new batch', () => {
    const flushed: string[] = [];
    const batcher = createOutputBatcher({ timers, flush: (d) => flushed.push(d) });
    batcher.write('a');
    vi.advanceTimersByTime(2);
    batcher.write('b');
    vi.advanceTimersByTime(2);
    batcher.write('c');
    expect(flushed).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual(['abc']);
    batcher.write('d');
    vi.advanceTimersByTime(4);
    expect(flushed).toEqual(['abc']);
    vi.advanceTimersByTime(1);
    expect(flushed).toEqual(['abc', 'd']);
    vi.advanceTimersByTime(100);
    expect(flushed).toEqual(['abc', 'd']); // nothing queued: no empty flushes
  });

  it('delivers a multi-byte character split across Buffers whole, in the batch where its last byte arrived', () => {
    const flushed: string[] = [];
    const batcher = createOutputBatcher({ timers, flush: (d) => flushed.push(d) });
    const bytes = Buffer.from('a€🚀b', 'utf8'); // 1 + 3 + 4 + 1 bytes
    expect(batcher.write(bytes.subarray(0, 2))).toBe(1); // "a" and the first byte of €
    vi.advanceTimersByTime(5);
    expect(batcher.write(bytes.subarray(2, 4))).toBe(1); // the rest of €, and the first byte of 🚀
    vi.advanceTimersByTime(5);
    batcher.write(bytes.subarray(4, 6));
    vi.advanceTimersByTime(5);
    batcher.write(bytes.subarray(6));
    vi.advanceTimersByTime(5);
    expect(flushed).toEqual(['a', '€', '🚀b']);
    expect(flushed.join('')).not.toContain('\uFFFD');
  });

  it('every byte-wise split of a mixed string decodes to the same text', () => {
    const text = 'héllo wörld — ✓ 日本語 🚀🇫🇷 done';
    const bytes = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (let cut2 = cut; cut2 <= bytes.length; cut2 += 3) {
        const flushed: string[] = [];
        const batcher = createOutputBatcher({ timers, flush: (d) => flushed.push(d) });
        batcher.write(bytes.subarray(0, cut));
        vi.advanceTimersByTime(5);
        batcher.write(bytes.subarray(cut, cut2));
        vi.advanceTimersByTime(5);
        batcher.write(bytes.subarray(cut2));
        batcher.flushNow(true);
        expect(flushed.join('')).toBe(text);
      }
    }
  });

  it('flushNow(true) delivers a dangling partial character as U+FFFD instead of dropping it', () => {
    const flushed: string[] = [];
    const batcher = createOutputBatcher({ timers, flush: (d) => flushed.push(d) });
    batcher.write(Buffer.from([0x61, 0xe2, 0x82])); // "a" then 2 of the 3 bytes of €
    batcher.flushNow(true);
    expect(flushed).toEqual(['a\uFFFD']);
  });

  it('dispose drops what is queued and stops the timer', () => {
    const flushed: string[] = [];
    const batcher = createOutputBatcher({ timers, flush: (d) => flushed.push(d) });
    batcher.write('x');
    batcher.dispose();
    vi.advanceTimersByTime(50);
    expect(flushed).toEqual([]);
  });
});

describe('flow control and batching together', () => {
  it('a source flooding a slow renderer is paused and resumed, and not one character is lost or reordered', () => {
    const src = fakeSource();
    const flow = createFlowController(src);
    let acks = 0;
    const renderer = slowRenderer((chars) => {
      acks += chars;
      flow.acked(chars);
    });
    const batcher = createOutputBatcher({ timers, flush: (d) => renderer.receive(d) });
    let expected = '';
    let maxUnacked = 0;
    let seq = 0;
    const produce = (): void => {
      // Reads of ~8,000 chars; numbered lines so loss or reordering shows.
      let chunk = '';
      while (chunk.length < 8_000) chunk += `line ${seq++} ✓\n`;
      expected += chunk;
      flow.sent(batcher.write(Buffer.from(chunk, 'utf8')));
      maxUnacked = Math.max(maxUnacked, flow.unacknowledged);
    };
    // Each millisecond the source offers ~8,000 chars (when not paused) and the renderer draws 3,000.
    for (let ms = 0; ms < 2_000; ms++) {
      if (!src.state.paused) produce();
      vi.advanceTimersByTime(1);
      renderer.draw(3_000);
    }
    batcher.flushNow(true);
    renderer.draw(Number.MAX_SAFE_INTEGER);
    expect(src.state.pauses).toBeGreaterThan(0);
    expect(src.state.resumes).toBe(src.state.pauses - (src.state.paused ? 1 : 0));
    // Never more than one read beyond the high watermark is outstanding.
    expect(maxUnacked).toBeLessThanOrEqual(HIGH_WATERMARK_CHARS + 8_100);
    expect(renderer.drawn).toBe(expected);
    expect(acks).toBeLessThanOrEqual(expected.length);
  });

  it('a paused source stays paused without acks, and the renderer catches up once it acknowledges', () => {
    const src = fakeSource();
    const flow = createFlowController(src);
    const received: string[] = [];
    const batcher = createOutputBatcher({ timers, flush: (d) => received.push(d) });
    while (!src.state.paused) flow.sent(batcher.write('y\r\n'.repeat(1_000)));
    vi.advanceTimersByTime(1_000);
    const total = received.join('').length;
    expect(total).toBe(102_000); // the write that crossed 100,000 went out; none after it
    expect(src.state.paused).toBe(true);
    flow.acked(total - LOW_WATERMARK_CHARS + 1);
    expect(src.state.paused).toBe(false);
  });
});
