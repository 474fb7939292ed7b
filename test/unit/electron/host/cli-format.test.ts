// The history table and a run's last lines as `opsdeck history` and `opsdeck run` print them, for every way a run ends.
import { describe, expect, it } from 'vitest';
import { formatHistory, formatRunEnd } from '../../../../electron/host/cli-format.js';
import type { Run, RunDetail } from '../../../../shared/contract/schemas.js';
import type { Section } from '../../../../shared/model/runbook.js';

function run(overrides: Partial<Run>): Run {
  return {
    id: '01a23700-0000-7000-8000-000000000001',
    runbookId: 'rb',
    versionId: 'v1',
    runbookTitle: 'Deploy Notes',
    sectionId: 's1',
    sectionTitle: 'Prepare',
    operator: 'ana',
    target: 'local',
    origin: 'cli',
    status: 'completed',
    startedAt: '2026-12-02T10:00:00.000Z',
    endedAt: '2026-12-02T10:00:02.000Z',
    progress: { done: 2, total: 2 },
    failedStep: null,
    left: [],
    endReason: null,
    ...overrides,
  };
}

const step = (id: string, kind: 'check' | 'command', title: string) => ({
  id, kind, title, caption: null, line: 1, endLine: 1, script: '', language: null, params: [], danger: { level: 'safe' as const, reasons: [] },
  remote: null, checked: null, expectedOutput: null,
});
const section: Section = { id: 's1', title: 'Prepare', level: 2, line: 1, meta: {}, steps: [step('c1', 'check', 'Tell the channel'), step('x1', 'command', 'Greet')], sections: [] };

function detail(r: Run, statuses: Record<string, RunDetail['steps'][number]['status']>): RunDetail {
  return {
    run: r, section, params: [], notes: [], recordings: [], sessions: [],
    steps: Object.entries(statuses).map(([stepId, status]) => ({ stepId, status, skipReason: null, attempts: [] })),
  };
}

describe('formatHistory', () => {
  it('shows each status apart, with what was left, the failed step, why it was aborted, or how to resume', () => {
    const table = formatHistory([
      run({ id: '01a23700-0000-7000-8000-00000000000a', status: 'incomplete', progress: { done: 1, total: 2 }, left: [{ id: 'c1', title: 'Tell the channel' }], endReason: 'checks are not ticked in a headless run' }),
      run({ id: '01a23701-0000-7000-8000-00000000000b', status: 'completed' }),
      run({ id: '01a23702-0000-7000-8000-00000000000c', status: 'failed', failedStep: { id: 'x1', title: 'Greet' } }),
      run({ id: '01a23703-0000-7000-8000-00000000000d', status: 'aborted', endReason: 'a destructive step was not confirmed' }),
      run({ id: '01a23704-0000-7000-8000-00000000000e', status: 'interrupted', endedAt: null }),
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^ID\s+STARTED \(UTC\)\s+RUNBOOK\s+SECTION\s+OPERATOR\s+DURATION\s+STATUS\s+FAILED STEP \/ LEFT$/);
    expect(lines[1]).toMatch(/^01a23700\s+2026-12-02 10:00\s+Deploy Notes\s+Prepare\s+ana\s+2\.0 s\s+incomplete\s+left: "Tell the channel"$/);
    expect(lines[2]).toMatch(/\scompleted$/);
    expect(lines[3]).toMatch(/\sfailed\s+Greet$/);
    expect(lines[4]).toMatch(/\saborted\s+a destructive step was not confirmed$/);
    expect(lines[5]).toMatch(/^01a23704\s.*\sinterrupted\s+opsdeck run --resume 01a23704$/);
  });

  it('says so when there are no runs', () => {
    expect(formatHistory([])).toBe('No runs yet.');
  });
});

describe('formatRunEnd', () => {
  it('names the steps an incomplete run left and why', () => {
    const r = run({ status: 'incomplete', progress: { done: 1, total: 2 }, left: [{ id: 'c1', title: 'Tell the channel' }], endReason: 'ended from the command line' });
    expect(formatRunEnd(detail(r, { c1: 'pending', x1: 'succeeded' }))).toBe(
      'incomplete · 1/2 steps done · checks are not ticked in a headless run\nleft: "Tell the channel"\nwhy: ended from the command line',
    );
  });

  it('says nothing of checks when they were all ticked', () => {
    expect(formatRunEnd(detail(run({}), { c1: 'done', x1: 'succeeded' }))).toBe('completed · 2/2 steps done');
  });
});
