// Terminal flow control: the host hears about processed output in ~5,000-byte batches, never more than it was sent.
import { describe, expect, it } from 'vitest';
import { ACK_EVERY_BYTES, createAckBatcher } from '../../../renderer/features/terminal/ack-batcher.js';

describe('createAckBatcher', () => {
  it('acknowledges once a batch has been drawn, with everything counted so far', () => {
    const sent: number[] = [];
    const acks = createAckBatcher((chars) => sent.push(chars));
    acks.drawn(3_000);
    expect(sent).toEqual([]);
    acks.drawn(2_500);
    expect(sent).toEqual([5_500]);
    expect(acks.pending()).toBe(0);
  });

  it('sends nothing for keystroke echoes below a batch', () => {
    const sent: number[] = [];
    const acks = createAckBatcher((chars) => sent.push(chars));
    for (let i = 0; i < 100; i++) acks.drawn(1);
    expect(sent).toEqual([]);
    expect(acks.pending()).toBe(100);
  });

  it('acknowledges all but less than one batch of a flood, so a paused shell always resumes', () => {
    const sent: number[] = [];
    const acks = createAckBatcher((chars) => sent.push(chars));
    let total = 0;
    // Output of a paused shell: just over the host's 100,000-byte high-water mark, in uneven writes.
    for (const size of [65_536, 1, 4_999, 17, 30_000, 123]) {
      acks.drawn(size);
      total += size;
    }
    const acked = sent.reduce((sum, chars) => sum + chars, 0);
    expect(acked + acks.pending()).toBe(total);
    expect(total - acked).toBeLessThan(ACK_EVERY_BYTES);
    expect(sent.every((chars) => chars >= ACK_EVERY_BYTES)).toBe(true);
  });

  it('ignores empty and nonsensical counts', () => {
    const sent: number[] = [];
    const acks = createAckBatcher((chars) => sent.push(chars), 10);
    acks.drawn(0);
    acks.drawn(-5);
    acks.drawn(Number.NaN);
    expect(acks.pending()).toBe(0);
    acks.drawn(10);
    expect(sent).toEqual([10]);
  });

  it('with a deferred send, acknowledges a pass of several writes once, at its end, with all of it', () => {
    const sent: number[] = [];
    const later: Array<() => void> = [];
    const acks = createAckBatcher((bytes) => sent.push(bytes), ACK_EVERY_BYTES, (flush) => later.push(flush));
    // One pass of xterm's write loop: four writes parsed, each calling back.
    for (const size of [4_096, 8_192, 16_384, 32_768]) acks.drawn(size);
    expect(sent).toEqual([]);
    expect(later).toHaveLength(1);
    later.shift()?.();
    expect(sent).toEqual([61_440]);
    expect(acks.pending()).toBe(0);
    // The next pass: a small write stays pending; a big one is acknowledged at the end of its own pass.
    acks.drawn(100);
    expect(later).toHaveLength(0);
    acks.drawn(6_000);
    later.shift()?.();
    expect(sent).toEqual([61_440, 6_100]);
  });
});
