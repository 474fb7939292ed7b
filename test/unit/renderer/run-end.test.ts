// Finishing a run honestly: which steps a Finish leaves (the host's rule, mirrored for the dialog), how many of
// them get named, and how History sums a run's outcome up and filters by status.
import { describe, expect, it } from 'vitest';
import type { Run, StepState } from '../../../shared/contract/schemas.js';
import type { Section, Step } from '../../../shared/model/runbook.js';
import { leftPreview, stepsLeft } from '../../../renderer/features/run/run-end.js';
import { filterRuns, runOutcome, statusCounts } from '../../../renderer/features/history/history-filter.js';

const step = (id: string, kind: Step['kind']): Step => ({ id, kind, title: `Step ${id}` }) as unknown as Step;
const section = (id: string, steps: Step[], sections: Section[] = []): Section => ({ id, title: id, steps, sections }) as unknown as Section;
const state = (stepId: string, status: StepState['status']): StepState => ({ stepId, status, skipReason: null, attempts: [] });

describe('stepsLeft', () => {
  const tree = section('top', [step('a', 'check'), step('b', 'command'), step('t', 'text' as Step['kind'])], [section('sub', [step('c', 'check'), step('d', 'command')])]);

  it('lists checks and commands neither done, succeeded nor skipped, subsections included, in document order', () => {
    const left = stepsLeft(tree, [state('a', 'done'), state('b', 'failed'), state('c', 'skipped'), state('d', 'interrupted')]);
    expect(left).toEqual([
      { id: 'b', title: 'Step b' },
      { id: 'd', title: 'Step d' },
    ]);
  });

  it('counts a step with no recorded state as pending, and leaves nothing once all are finished', () => {
    expect(stepsLeft(tree, []).map((s) => s.id)).toEqual(['a', 'b', 'c', 'd']);
    expect(stepsLeft(tree, [state('a', 'done'), state('b', 'succeeded'), state('c', 'done'), state('d', 'skipped')])).toEqual([]);
  });
});

describe('leftPreview', () => {
  const ids = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  it('names up to ten, then says how many more', () => {
    expect(leftPreview(ids(3))).toEqual({ shown: [0, 1, 2], more: 0 });
    expect(leftPreview(ids(10)).more).toBe(0);
    const long = leftPreview(ids(25));
    expect(long.shown).toHaveLength(10);
    expect(long.more).toBe(15);
  });
  it('names the eleventh rather than writing "and 1 more"', () => {
    expect(leftPreview(ids(11))).toEqual({ shown: ids(11), more: 0 });
    expect(leftPreview(ids(12)).more).toBe(2);
  });
});

const run = (id: string, status: Run['status'], extra: Partial<Run> = {}): Run =>
  ({ id, status, left: [], endReason: null, failedStep: null, ...extra }) as unknown as Run;

describe('History outcome and filter', () => {
  it('says what an incomplete run left and why, where a failed run failed, and an abort’s reason', () => {
    expect(runOutcome(run('1', 'incomplete', { left: [{ id: 'a', title: 'A' }, { id: 'b', title: 'B' }], endReason: 'window closed' }))).toBe(
      '2 steps left: window closed',
    );
    expect(runOutcome(run('2', 'failed', { failedStep: { id: 'x', title: 'Migrate' }, left: [{ id: 'x', title: 'Migrate' }] }))).toBe('Failed at: Migrate');
    expect(runOutcome(run('3', 'interrupted', { failedStep: { id: 'x', title: 'Sleep' } }))).toBe('Interrupted at: Sleep');
    expect(runOutcome(run('4', 'aborted', { endReason: 'wrong cluster' }))).toBe('wrong cluster');
    expect(runOutcome(run('5', 'completed'))).toBe('');
  });

  it('counts the statuses present, most pressing first, and filters by one', () => {
    const runs = [run('1', 'completed'), run('2', 'incomplete'), run('3', 'completed'), run('4', 'interrupted')];
    expect(statusCounts(runs)).toEqual([
      { status: 'interrupted', count: 1 },
      { status: 'incomplete', count: 1 },
      { status: 'completed', count: 2 },
    ]);
    expect(filterRuns(runs, 'incomplete').map((r) => r.id)).toEqual(['2']);
    expect(filterRuns(runs, 'completed').map((r) => r.id)).toEqual(['1', '3']);
    expect(filterRuns(runs, 'all')).toHaveLength(4);
  });
});
