import { describe, expect, it } from 'vitest';
import { decideOverlap, IDLE, runEnded } from '../../../../shared/schedule/overlap.js';
import type { OverlapState } from '../../../../shared/schedule/overlap.js';

const t = (hour: number): Date => new Date(Date.UTC(2026, 5, 1, hour));

describe('overlap policies', () => {
  it('skip: an occurrence while the previous run runs is skipped, the next one after it ends starts', () => {
    let s: OverlapState = IDLE;
    const first = decideOverlap('skip', s, t(9));
    expect(first.decision).toEqual({ action: 'start' });
    s = first.state;
    const second = decideOverlap('skip', s, t(10));
    expect(second.decision).toEqual({ action: 'skip', reason: 'previous_running' });
    const ended = runEnded(second.state);
    expect(ended.start).toBeNull();
    expect(decideOverlap('skip', ended.state, t(11)).decision).toEqual({ action: 'start' });
  });

  it('queue: one occurrence waits and starts when the run ends; a second one meanwhile is skipped', () => {
    let s: OverlapState = decideOverlap('queue', IDLE, t(9)).state;
    const waiting = decideOverlap('queue', s, t(10));
    expect(waiting.decision).toEqual({ action: 'queue' });
    s = waiting.state;
    const another = decideOverlap('queue', s, t(11));
    expect(another.decision).toEqual({ action: 'skip', reason: 'queue_full' });
    expect(another.state.queued).toEqual(t(10));
    const ended = runEnded(another.state);
    expect(ended.start).toEqual(t(10));
    expect(ended.state).toEqual({ running: 1, queued: null });
    const idle = runEnded(ended.state);
    expect(idle).toEqual({ start: null, state: IDLE });
  });

  it('allow: every occurrence starts beside the others', () => {
    let s: OverlapState = IDLE;
    for (const hour of [9, 10, 11]) {
      const d = decideOverlap('allow', s, t(hour));
      expect(d.decision).toEqual({ action: 'start' });
      s = d.state;
    }
    expect(s.running).toBe(3);
    expect(runEnded(s).state.running).toBe(2);
  });

  it('the state given is never changed in place (the scheduler may keep the old one on a failed write)', () => {
    const s: OverlapState = { running: 1, queued: null };
    decideOverlap('queue', s, t(10));
    expect(s).toEqual({ running: 1, queued: null });
  });
});
