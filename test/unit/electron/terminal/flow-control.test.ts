// Flow control and batching with a fake source and fake timers: pausing, resuming, order, whole characters, and
// when a batch leaves (the 5 ms window, at once when big, at the end of the round of reads after quiet or a resume).
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ACK_EVERY_BYTES, createFlowController, createOutputBatcher, FLUSH_AT_BYTES, HIGH_WATERMARK_BYTES, LOW_WATERMARK_BYTES,
  unfinishedCharBytes, type FlowController, type OutputBatcher, type Timers,
} from '../../../../electron/services/terminal/flow-control.js';

const timers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
};

/** Decodes a batch, failing on malformed UTF-8: a batch that ends inside a character fails here. */
const strict = new TextDecoder('utf-8', { fatal: true });
const text = (batches: Uint8Array[]): string[] => batches.map((b) => strict.decode(b));

/** A batcher whose flushes are collected, decoded. */
function collecting(extra: { batchMs?: number; flushAtBytes?: number } = {}) {
  const flushed: Buffer[] = [];
  const batcher = createOutputBatcher({ timers, ...extra, flush: (d) => flushed.push(d) });
  return { batcher, flushed, texts: () => text(flushed) };
}

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

/** The flow controller and batcher wired as the terminal service wires them: flush when paused, hurry when resumed. */
function wired(src: ReturnType<typeof fakeSource>, flush: (d: Buffer) => void): { flow: FlowController; batcher: OutputBatcher } {
  const batcher = createOutputBatcher({ timers, flush });
  const flow = createFlowController({
    pause: () => {
      src.pause();
      batcher.flushNow();
    },
    resume: () => {
      src.resume();
      batcher.hurry();
    },
  });
  return { flow, batcher };
}

/**
 * A renderer slower than the source: what arrives waits in an inbox, `draw` draws up to `bytes` of it and acknowledges
 * every ACK_EVERY_BYTES drawn, as the real one does.
 */
function slowRenderer(ack: (bytes: number) => void) {
  let inbox = Buffer.alloc(0);
  const drawn: Buffer[] = [];
  const batches: Buffer[] = [];
  let pending = 0;
  return {
    receive(data: Buffer) {
      batches.push(data);
      inbox = Buffer.concat([inbox, data]);
    },
    draw(bytes: number) {
      const now = inbox.subarray(0, bytes);
      inbox = inbox.subarray(now.length);
      drawn.push(now);
      pending += now.length;
      while (pending >= ACK_EVERY_BYTES) {
        pending -= ACK_EVERY_BYTES;
        ack(ACK_EVERY_BYTES);
      }
    },
    get drawn() {
      return Buffer.concat(drawn).toString('utf8');
    },
    batches,
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
    flow.sent(HIGH_WATERMARK_BYTES);
    expect(src.state.paused).toBe(false);
    flow.sent(1);
    expect(src.state.paused).toBe(true);
    flow.sent(50_000);
    expect(src.state.pauses).toBe(1);
    expect(flow.unacknowledged).toBe(HIGH_WATERMARK_BYTES + 50_001);
  });

  it('resumes only once unacknowledged output falls below the low watermark', () => {
    const src = fakeSource();
    const flow = createFlowController(src);
    flow.sent(120_000);
    flow.acked(110_000);
    expect(flow.unacknowledged).toBe(10_000);
    expect(src.state.paused).toBe(true);
    flow.acked(10_000 - LOW_WATERMARK_BYTES);
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

describe('unfinishedCharBytes', () => {
  it('counts the bytes of a character cut short at the end, and nothing for whole or malformed endings', () => {
    const euro = [0xe2, 0x82, 0xac];
    const rocket = [0xf0, 0x9f, 0x9a, 0x80];
    const cases: Array<[number[], number]> = [
      [[], 0],
      [[0x61], 0],
      [[0x61, ...euro], 0],
      [[0x61, ...euro.slice(0, 1)], 1],
      [[0x61, ...euro.slice(0, 2)], 2],
      [rocket, 0],
      [rocket.slice(0, 1), 1],
      [rocket.slice(0, 3), 3],
      [[0xc3], 1],
      [[0xc3, 0xa9], 0],
      [[0x80, 0x80], 0], // continuation bytes with no lead: malformed, nothing to wait for
      [[0x80, 0x80, 0x80, 0x80, 0x80], 0],
      [[0xff], 0],
    ];
    for (const [bytes, expected] of cases) expect([bytes, unfinishedCharBytes(Uint8Array.from(bytes))]).toEqual([bytes, expected]);
  });
});

describe('createOutputBatcher', () => {
  it('sends output after a quiet window at the end of its round of reads, and merges what follows within 5 ms', () => {
    const { batcher, texts } = collecting();
    batcher.write('e');
    batcher.write('cho');
    expect(texts()).toEqual([]); // the rest of this round of reads joins it
    vi.advanceTimersByTime(0);
    expect(texts()).toEqual(['echo']);
    batcher.write('a');
    vi.advanceTimersByTime(2);
    batcher.write('b');
    vi.advanceTimersByTime(2);
    batcher.write('c');
    expect(texts()).toEqual(['echo']);
    vi.advanceTimersByTime(1);
    expect(texts()).toEqual(['echo', 'abc']);
    batcher.write('d'); // 5 ms after 'abc' left: still batched
    vi.advanceTimersByTime(4);
    expect(texts()).toEqual(['echo', 'abc']);
    vi.advanceTimersByTime(1);
    expect(texts()).toEqual(['echo', 'abc', 'd']);
    vi.advanceTimersByTime(100);
    expect(texts()).toEqual(['echo', 'abc', 'd']); // nothing queued: no empty flushes
    batcher.write('prompt$ '); // quiet again: at once
    vi.advanceTimersByTime(0);
    expect(texts().at(-1)).toBe('prompt$ ');
  });

  it('counts what it queues in bytes of UTF-8', () => {
    const { batcher } = collecting();
    expect(batcher.write('a€')).toBe(4);
    expect(batcher.write(Buffer.from('🚀'))).toBe(4);
  });

  it('sends a big batch at once, without waiting for the timer, in order with what came before', () => {
    const { batcher, flushed, texts } = collecting({ flushAtBytes: 1_000 });
    batcher.write('head ');
    batcher.write(Buffer.alloc(600, 'x'));
    expect(flushed).toEqual([]);
    batcher.write(Buffer.alloc(600, 'y'));
    expect(texts()).toEqual([`head ${'x'.repeat(600)}${'y'.repeat(600)}`]);
    batcher.write('tail');
    expect(texts()).toHaveLength(1); // a small remainder waits for the window again
    vi.advanceTimersByTime(5);
    expect(texts().at(-1)).toBe('tail');
    expect(FLUSH_AT_BYTES).toBeGreaterThanOrEqual(16 * 1024);
  });

  it('after hurry(), sends the first read at the end of its round of reads, then batches doubling in size, then as usual', () => {
    const { batcher, texts } = collecting({ flushAtBytes: 1_000 });
    const round = (...reads: string[]): void => {
      for (const read of reads) batcher.write(read);
      vi.advanceTimersByTime(0); // the end of this round of reads (setImmediate), no time passing
    };
    batcher.hurry();
    batcher.write('a'.repeat(100));
    batcher.write('b'.repeat(50));
    expect(texts()).toEqual([]); // not synchronously: the rest of this round of reads joins it
    vi.advanceTimersByTime(0);
    expect(texts()).toEqual(['a'.repeat(100) + 'b'.repeat(50)]);
    round('c'.repeat(200)); // below twice the last batch (300): waits
    expect(texts()).toHaveLength(1);
    round('d'.repeat(100)); // 300 now: leaves
    expect(texts().at(-1)).toBe('c'.repeat(200) + 'd'.repeat(100));
    round('e'.repeat(600)); // twice 300: leaves; twice 600 reaches the big-batch size, so the ramp is over
    expect(texts()).toHaveLength(3);
    round('f');
    vi.advanceTimersByTime(4);
    expect(texts()).toHaveLength(3); // the 5 ms window again
    vi.advanceTimersByTime(1);
    expect(texts().join('')).toBe(`${'a'.repeat(100)}${'b'.repeat(50)}${'c'.repeat(200)}${'d'.repeat(100)}${'e'.repeat(600)}f`);
  });

  it('while ramping, a source that slows down still gets its output out within the 5 ms window', () => {
    const { batcher, texts } = collecting({ flushAtBytes: 1_000 });
    batcher.hurry();
    batcher.write('x'.repeat(100));
    vi.advanceTimersByTime(0);
    batcher.write('y');
    vi.advanceTimersByTime(4);
    expect(texts()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(texts()).toEqual(['x'.repeat(100), 'y']);
  });

  it('hurry() moves output already waiting for the timer to the end of the round of reads', () => {
    const { batcher, texts } = collecting();
    batcher.write('waiting');
    vi.advanceTimersByTime(1);
    batcher.hurry();
    vi.advanceTimersByTime(0);
    expect(texts()).toEqual(['waiting']);
  });

  it('delivers a multi-byte character split across Buffers whole, in the batch where its last byte arrived', () => {
    const { batcher, texts } = collecting();
    const bytes = Buffer.from('a€🚀b', 'utf8'); // 1 + 3 + 4 + 1 bytes
    expect(batcher.write(bytes.subarray(0, 2))).toBe(1); // "a" and the first byte of €
    vi.advanceTimersByTime(5);
    expect(batcher.write(bytes.subarray(2, 4))).toBe(3); // the rest of €, and the first byte of 🚀
    vi.advanceTimersByTime(5);
    expect(batcher.write(bytes.subarray(4, 6))).toBe(0);
    vi.advanceTimersByTime(5);
    expect(batcher.write(bytes.subarray(6))).toBe(5);
    vi.advanceTimersByTime(5);
    expect(texts()).toEqual(['a', '€', '🚀b']);
  });

  it('every byte-wise split of a mixed string gives the same text, in batches that each decode alone', () => {
    const mixed = 'héllo wörld — ✓ 日本語 🚀🇫🇷 done';
    const bytes = Buffer.from(mixed, 'utf8');
    for (let cut = 0; cut <= bytes.length; cut++) {
      for (let cut2 = cut; cut2 <= bytes.length; cut2 += 3) {
        const { batcher, texts } = collecting({ flushAtBytes: 8 });
        batcher.write(bytes.subarray(0, cut));
        vi.advanceTimersByTime(5);
        batcher.write(bytes.subarray(cut, cut2));
        vi.advanceTimersByTime(5);
        batcher.write(bytes.subarray(cut2));
        batcher.flushNow(true);
        expect(texts().join('')).toBe(mixed);
      }
    }
  });

  it('flushNow(true) delivers a dangling partial character (drawn as U+FFFD) instead of dropping it', () => {
    const { batcher, flushed } = collecting();
    batcher.write(Buffer.from([0x61, 0xe2, 0x82])); // "a" then 2 of the 3 bytes of €
    batcher.flushNow(true);
    expect(Buffer.concat(flushed)).toEqual(Buffer.from([0x61, 0xe2, 0x82]));
    expect(Buffer.concat(flushed).toString('utf8')).toBe('a\uFFFD');
  });

  it('dispose drops what is queued and stops the timers', () => {
    const { batcher, flushed } = collecting();
    batcher.write('x');
    batcher.dispose();
    batcher.hurry();
    batcher.write(Buffer.from([0xe2]));
    batcher.dispose();
    vi.advanceTimersByTime(50);
    expect(flushed).toEqual([]);
  });
});

describe('flow control and batching together', () => {
  it('a source flooding a slow renderer is paused and resumed, and not one character is lost, reordered or split', () => {
    const src = fakeSource();
    let acks = 0;
    let flow: FlowController | null = null;
    const renderer = slowRenderer((bytes) => {
      acks += bytes;
      flow?.acked(bytes);
    });
    const parts = wired(src, (d) => renderer.receive(d));
    flow = parts.flow;
    const { batcher } = parts;
    let expected = '';
    let maxUnacked = 0;
    let seq = 0;
    let carry = Buffer.alloc(0);
    const produce = (): void => {
      // Reads of 8,000 bytes, cut anywhere (inside characters too); numbered lines so loss or reordering shows.
      while (carry.length < 8_000) {
        const line = `line ${seq++} ✓\n`;
        expected += line;
        carry = Buffer.concat([carry, Buffer.from(line)]);
      }
      const read = carry.subarray(0, 8_000);
      carry = carry.subarray(8_000);
      flow?.sent(batcher.write(read));
      maxUnacked = Math.max(maxUnacked, flow?.unacknowledged ?? 0);
    };
    // Each millisecond the source offers 8,000 bytes (when not paused) and the renderer draws 3,000.
    for (let ms = 0; ms < 2_000; ms++) {
      if (!src.state.paused) produce();
      vi.advanceTimersByTime(1);
      renderer.draw(3_000);
    }
    batcher.write(carry);
    batcher.flushNow(true);
    renderer.draw(Number.MAX_SAFE_INTEGER);
    expect(src.state.pauses).toBeGreaterThan(0);
    expect(src.state.resumes).toBe(src.state.pauses - (src.state.paused ? 1 : 0));
    // Never more than one read beyond the high watermark is outstanding.
    expect(maxUnacked).toBeLessThanOrEqual(HIGH_WATERMARK_BYTES + 8_000);
    expect(renderer.drawn).toBe(expected);
    expect(() => text(renderer.batches)).not.toThrow();
    expect(acks).toBeLessThanOrEqual(Buffer.byteLength(expected));
  });

  it('pausing sends what is queued at once; the source stays paused without acks, and resumes when they come', () => {
    const src = fakeSource();
    const received: Buffer[] = [];
    const { flow, batcher } = wired(src, (d) => received.push(d));
    while (!src.state.paused) flow.sent(batcher.write('y\r\n'.repeat(1_000)));
    // No timer ran: the batch that crossed the watermark went out with the pause.
    expect(Buffer.concat(received).length).toBe(102_000);
    vi.advanceTimersByTime(1_000);
    expect(Buffer.concat(received).length).toBe(102_000); // the write that crossed 100,000 went out; none after it
    expect(src.state.paused).toBe(true);
    flow.acked(102_000 - LOW_WATERMARK_BYTES + 1);
    expect(src.state.paused).toBe(false);
    // The renderer is nearly idle: what the source reads next goes at the end of this round of reads.
    flow.sent(batcher.write('after resume'));
    vi.advanceTimersByTime(0);
    expect(Buffer.concat(received).toString('utf8').endsWith('after resume')).toBe(true);
  });
});
