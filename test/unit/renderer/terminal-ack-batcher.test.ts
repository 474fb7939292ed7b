// Terminal flow control: the host hears about drawn output in ~5,000-char batches, never more than it was sent.
import { describe, expect, it } from 'vitest';
import { ACK_EVERY_CHARS, createAckBatcher } from '../../../renderer/features/terminal/ack-batcher.js';

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
    // Output of a paused shell: just over the host's 100,000-char high-water mark, in uneven writes.
    for (const size of [65_536, 1, 4_999, 17, 30_000, 123]) {
      acks.drawn(size);
      total += size;
    }
    const acked = sent.reduce((sum, chars) => sum + chars, 0);
    expect(acked + acks.pending()).toBe(total);
    expect(total - acked).toBeLessThan(ACK_EVERY_CHARS);
    expect(sent.every((chars) => chars >= ACK_EVERY_CHARS)).toBe(true);
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
});
