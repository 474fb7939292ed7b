// A step's attempts as the user started them: single attempts, and fan-outs folded into one group each.
import { describe, expect, it } from 'vitest';
import type { Attempt } from '../../../shared/contract/schemas.js';
import { groupAttempts, groupStatus, runningAttempt } from '../../../renderer/features/run/attempt-groups.js';
import { terminalText } from '../../../renderer/features/run/terminal-text.js';

const attempt = (id: string, status: Attempt['status'], fanoutId: string | null = null, host: string | null = null): Attempt => ({
  id, stepId: 's', status, startedAt: '2025-01-01T00:00:00.000Z', endedAt: null, exitCode: null, signal: null, durationMs: null,
  timeoutSec: 600, params: {}, chunks: 0, host, endpoint: null, fanoutId, error: null, shell: null, failedCommand: null,
});

describe('groupAttempts', () => {
  it('keeps single attempts apart and gathers a fan-out’s hosts, in the order they started', () => {
    const groups = groupAttempts([
      attempt('a1', 'failed'),
      attempt('b1', 'succeeded', 'f1', 'web-1'),
      attempt('b2', 'failed', 'f1', 'web-2'),
      attempt('c1', 'running', 'f2', 'web-1'),
      attempt('b3', 'succeeded', 'f1', 'web-3'),
    ]);
    expect(groups.map((group) => [group.key, group.attempts.map((a) => a.id)])).toEqual([
      ['a1', ['a1']],
      ['f1', ['b1', 'b2', 'b3']],
      ['f2', ['c1']],
    ]);
  });
});

describe('groupStatus / runningAttempt', () => {
  it('is running while any host runs, failed if any failed, succeeded only if all did', () => {
    const [group] = groupAttempts([attempt('1', 'succeeded', 'f'), attempt('2', 'failed', 'f'), attempt('3', 'running', 'f')]);
    expect(group && groupStatus(group)).toBe('running');
    expect(runningAttempt(group)?.id).toBe('3');
    const [done] = groupAttempts([attempt('1', 'succeeded', 'f'), attempt('2', 'failed', 'f')]);
    expect(done && groupStatus(done)).toBe('failed');
    expect(runningAttempt(done)).toBeNull();
    const [ok] = groupAttempts([attempt('1', 'succeeded', 'f'), attempt('2', 'succeeded', 'f')]);
    expect(ok && groupStatus(ok)).toBe('succeeded');
  });
});

describe('terminalText', () => {
  it('drops colours and keeps only the last state of a line rewritten with \\r', () => {
    expect(terminalText('\x1b[32mok\x1b[0m\r\nprogress 10%\rprogress 100%\r\ndone\x1b]0;title\x07\n')).toBe('ok\nprogress 100%\ndone\n');
  });
});
