// Step output is acknowledged per attempt (its id names the stream on the host), in ~5,000-char batches, and what is
// left below a batch once output stops: the host's count for every attempt drains.
import { describe, expect, it } from 'vitest';
import { ACK_EVERY_CHARS, ACK_IDLE_MS, createOutputAcks, type AckTimers } from '../../../renderer/api/output-acks.js';

function manualTimers(): AckTimers & { fire(): void; pending(): number[] } {
  const queue = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  return {
    setTimeout: (fn, ms) => {
      queue.set(next, { fn, ms });
      return next++;
    },
    clearTimeout: (h) => void queue.delete(h as number),
    fire: () => {
      const all = [...queue.values()];
      queue.clear();
      for (const t of all) t.fn();
    },
    pending: () => [...queue.values()].map((t) => t.ms),
  };
}

describe('createOutputAcks', () => {
  it('acks each attempt under its own id once a batch of it was drawn', () => {
    const sent: Array<[number, string]> = [];
    const acks = createOutputAcks((chars, id) => sent.push([chars, id]), manualTimers());
    acks.drawn('a', 3_000);
    acks.drawn('b', 3_000);
    expect(sent).toEqual([]);
    acks.drawn('a', 2_500);
    expect(sent).toEqual([[5_500, 'a']]);
    expect(acks.pending('a')).toBe(0);
    expect(acks.pending('b')).toBe(3_000);
  });

  it('acks every remainder once output stops, each under its attempt', () => {
    const sent: Array<[number, string]> = [];
    const timers = manualTimers();
    const acks = createOutputAcks((chars, id) => sent.push([chars, id]), timers);
    acks.drawn('a', 10);
    acks.drawn('b', 20);
    acks.drawn('a', 5);
    expect(timers.pending()).toEqual([ACK_IDLE_MS]);
    timers.fire();
    expect(sent).toEqual([[15, 'a'], [20, 'b']]);
    expect(timers.pending()).toEqual([]);
  });

  it('acks a flood of one attempt in batches, never more than was drawn', () => {
    const sent: Array<[number, string]> = [];
    const timers = manualTimers();
    const acks = createOutputAcks((chars, id) => sent.push([chars, id]), timers);
    let total = 0;
    for (const size of [65_536, 1, 4_999, 17, 30_000, 123]) {
      acks.drawn('a', size);
      total += size;
    }
    expect(sent.every(([chars, id]) => chars >= ACK_EVERY_CHARS && id === 'a')).toBe(true);
    timers.fire();
    expect(sent.reduce((sum, [chars]) => sum + chars, 0)).toBe(total);
  });

  it('ignores empty and nonsensical counts', () => {
    const sent: Array<[number, string]> = [];
    const timers = manualTimers();
    const acks = createOutputAcks((chars, id) => sent.push([chars, id]), timers);
    acks.drawn('a', 0);
    acks.drawn('a', -5);
    acks.drawn('a', Number.NaN);
    expect(acks.pending('a')).toBe(0);
    expect(timers.pending()).toEqual([]);
  });
});
