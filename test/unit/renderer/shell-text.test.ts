// How an attempt's shell and the carried session read on the run page, and how tall an output pane grows.
import { describe, expect, it } from 'vitest';
import type { SessionState } from '../../../shared/contract/schemas.js';
import { contentRows, holdTrailingBreak, paneRows } from '../../../renderer/features/run/output-size.js';
import { MASKED_VALUE, failedAtLabel, sessionSummary, sessionWhere, shellNotes, variableValue } from '../../../renderer/features/run/shell-text.js';

describe('shellNotes', () => {
  it('says nothing for the usual shell or an attempt recorded before shells were', () => {
    expect(shellNotes(null)).toEqual([]);
    expect(shellNotes({ errexit: true, pipefail: true, session: 'carried' })).toEqual([]);
  });
  it('names a fresh shell and the options that are off', () => {
    expect(shellNotes({ errexit: true, pipefail: true, session: 'fresh' })).toEqual(['fresh shell']);
    expect(shellNotes({ errexit: false, pipefail: false, session: 'carried' })).toEqual(['errexit off', 'pipefail off']);
  });
});

describe('failedAtLabel', () => {
  it('gives the line when the shell told it', () => {
    expect(failedAtLabel({ command: 'false', line: 3 })).toBe('Failed at line 3:');
    expect(failedAtLabel({ command: 'false', line: null })).toBe('Failed at:');
  });
});

describe('session text', () => {
  const session: SessionState = {
    where: 'host:web-1',
    cwd: '/srv/app',
    vars: [
      { name: 'RELEASE', value: 'v42', exported: true, redacted: false },
      { name: 'TOKEN', value: 'hunter2', exported: true, redacted: true },
    ],
    unset: [],
    options: ['set +o errexit'],
    functions: [],
    stepId: 's1',
    at: '2026-01-01T00:00:00.000Z',
  };
  it('names where the session is', () => {
    expect(sessionWhere('local')).toBe('this machine');
    expect(sessionWhere('host:web-1')).toBe('web-1');
  });
  it('masks a redacted value whatever the host sent', () => {
    expect(variableValue(session.vars[0] as SessionState['vars'][number])).toBe('v42');
    expect(variableValue(session.vars[1] as SessionState['vars'][number])).toBe(MASKED_VALUE);
    expect(MASKED_VALUE).not.toContain('hunter2');
  });
  it('sums a session up in one line', () => {
    expect(sessionSummary(session)).toBe('/srv/app · 2 variables · 1 option');
    expect(sessionSummary({ ...session, cwd: null, vars: [], options: [] })).toBe('nothing carried yet');
  });
});

describe('output pane size', () => {
  it('counts the lines through the cursor’s', () => {
    expect(contentRows({ baseY: 0, cursorY: 0 })).toBe(1);
    expect(contentRows({ baseY: 480, cursorY: 19 })).toBe(500);
  });
  it('grows with the output up to its share of the window, never below one row', () => {
    expect(paneRows(1, 900, 14)).toBe(1);
    expect(paneRows(0, 900, 14)).toBe(1);
    expect(paneRows(20, 900, 14)).toBe(20);
    expect(paneRows(500, 900, 14)).toBe(Math.floor((900 * 0.6) / 14));
    expect(paneRows(500, 900, 0)).toBe(1);
  });
  it('holds a chunk’s last line break back for the next write', () => {
    expect(holdTrailingBreak('a\r\nb\r\n')).toEqual({ now: 'a\r\nb', held: '\r\n' });
    expect(holdTrailingBreak('a\n')).toEqual({ now: 'a', held: '\n' });
    expect(holdTrailingBreak('50%\r')).toEqual({ now: '50%\r', held: '' });
    expect(holdTrailingBreak('\n\n')).toEqual({ now: '\n', held: '\n' });
  });
});
