// The history page's list follows run.updated: a run recorded elsewhere shows up in start order, and a known run is
// replaced, not duplicated.
import { describe, expect, it } from 'vitest';
import type { Run } from '../../../shared/contract/schemas.js';
import { withRun } from '../../../renderer/features/history/with-run.js';

const run = (id: string, startedAt: string, status: Run['status'] = 'running'): Run => ({ id, startedAt, status }) as Run;

describe('withRun', () => {
  it('inserts a new run by start time, newest first', () => {
    const list = [run('c', '2026-12-02T10:00:00Z'), run('a', '2026-12-02T08:00:00Z')];
    expect(withRun(list, run('b', '2026-12-02T09:00:00Z')).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(withRun(list, run('d', '2026-12-02T11:00:00Z')).map((r) => r.id)).toEqual(['d', 'c', 'a']);
    expect(withRun(list, run('z', '2026-12-01T11:00:00Z')).map((r) => r.id)).toEqual(['c', 'a', 'z']);
  });

  it('replaces a run it already has, keeping its place', () => {
    const list = [run('c', '2026-12-02T10:00:00Z'), run('a', '2026-12-02T08:00:00Z')];
    const next = withRun(list, run('a', '2026-12-02T08:00:00Z', 'completed'));
    expect(next.map((r) => [r.id, r.status])).toEqual([['c', 'running'], ['a', 'completed']]);
  });
});
