// Per-window flow control: a stream is held back by the window furthest behind, never by the sum of all acks; a
// window that closes or never acks holds nothing back.
import { describe, expect, it } from 'vitest';
import { createFlowWindows } from '../../../../electron/host/flow-windows.js';

function setup() {
  const drained: Array<[string, number]> = [];
  const flow = createFlowWindows((stream, units) => drained.push([stream, units]));
  const total = (stream: string): number => drained.filter(([s]) => s === stream).reduce((a, [, u]) => a + u, 0);
  return { flow, drained, total };
}

describe('flow windows', () => {
  it('drains only as far as the slowest window has drawn', () => {
    const { flow, total } = setup();
    const fast = flow.open({ acks: true });
    const slow = flow.open({ acks: true });
    flow.sent('t1', 100_000);
    fast.ack(100_000, 't1');
    fast.ack(100_000, 't1'); // two tabs' acks are never summed: acking twice clears only its own debt
    expect(total('t1')).toBe(0);
    expect(flow.behind('t1')).toBe(100_000);
    slow.ack(30_000, 't1');
    expect(total('t1')).toBe(30_000);
    expect(flow.behind('t1')).toBe(70_000);
  });

  it('lets a closed window hold nothing back', () => {
    const { flow, total } = setup();
    const stuck = flow.open({ acks: true });
    const fine = flow.open({ acks: true });
    flow.sent('a', 50_000);
    fine.ack(50_000, 'a');
    expect(total('a')).toBe(0);
    stuck.close();
    expect(total('a')).toBe(50_000);
    expect(flow.behind('a')).toBe(0);
  });

  it('drains at once with no window that acks (a CLI client only reads)', () => {
    const { flow, total } = setup();
    flow.open({ acks: false });
    flow.sent('x', 12_345);
    expect(total('x')).toBe(12_345);
    expect(flow.behind('x')).toBe(0);
  });

  it('keeps streams apart', () => {
    const { flow, total } = setup();
    const w = flow.open({ acks: true });
    flow.sent('one', 10);
    flow.sent('two', 20);
    w.ack(20, 'two');
    expect([total('one'), total('two')]).toEqual([0, 20]);
    expect(flow.behind('one')).toBe(10);
  });
});
