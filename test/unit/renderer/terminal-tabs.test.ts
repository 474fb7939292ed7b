// Terminal tabs: reopening the last closed one, which tab is shown after a close, and the first size asked for.
import { describe, expect, it } from 'vitest';
import {
  activeAfterClose,
  describeSpec,
  estimateSize,
  FALLBACK_SIZE,
  MAX_CLOSED_TABS,
  openRequest,
  rememberClosed,
  takeLastClosed,
  type ClosedTab,
} from '../../../renderer/stores/terminal-tabs.js';

const local = (cwd?: string): ClosedTab => ({ spec: cwd === undefined ? { kind: 'local' } : { kind: 'local', cwd }, title: 'bash' });
const ssh = (host: string): ClosedTab => ({ spec: { kind: 'ssh', host }, title: host });

describe('closed tabs', () => {
  it('reopens the most recently closed first, then the one before', () => {
    let closed = rememberClosed([], local());
    closed = rememberClosed(closed, ssh('web-1'));
    const first = takeLastClosed(closed);
    expect(first.tab).toEqual(ssh('web-1'));
    const second = takeLastClosed(first.rest);
    expect(second.tab).toEqual(local());
    expect(takeLastClosed(second.rest)).toEqual({ tab: null, rest: [] });
  });

  it('keeps one entry per terminal spec, moved to the top when closed again', () => {
    let closed = rememberClosed([], ssh('web-1'));
    closed = rememberClosed(closed, local('/srv'));
    closed = rememberClosed(closed, ssh('web-1'));
    expect(closed).toEqual([local('/srv'), ssh('web-1')]);
    // A different directory is a different terminal.
    expect(rememberClosed(closed, local('/tmp'))).toHaveLength(3);
  });

  it('forgets the oldest beyond the limit', () => {
    let closed: ClosedTab[] = [];
    for (let i = 0; i < MAX_CLOSED_TABS + 3; i++) closed = rememberClosed(closed, ssh(`h${i}`));
    expect(closed).toHaveLength(MAX_CLOSED_TABS);
    expect(closed[0]).toEqual(ssh('h3'));
    expect(takeLastClosed(closed).tab).toEqual(ssh(`h${MAX_CLOSED_TABS + 2}`));
  });
});

describe('activeAfterClose', () => {
  const ids = ['a', 'b', 'c'];
  it('keeps the active tab when another one closes', () => {
    expect(activeAfterClose(ids, 'c', 'a')).toBe('a');
  });
  it('moves to the right neighbour, or the left one at the end', () => {
    expect(activeAfterClose(ids, 'b', 'b')).toBe('c');
    expect(activeAfterClose(ids, 'c', 'c')).toBe('b');
    expect(activeAfterClose(ids, 'a', null)).toBe('b');
  });
  it('has nothing to show after the last tab closes', () => {
    expect(activeAfterClose(['a'], 'a', 'a')).toBeNull();
  });
});

describe('opening', () => {
  it('sends a working directory only when one was given', () => {
    const size = { cols: 100, rows: 30 };
    expect(openRequest({ kind: 'local' }, size)).toEqual({ kind: 'local', cols: 100, rows: 30 });
    expect(openRequest({ kind: 'local', cwd: '  ' }, size)).toEqual({ kind: 'local', cols: 100, rows: 30 });
    expect(openRequest({ kind: 'local', cwd: ' /srv/app ' }, size)).toEqual({ kind: 'local', cwd: '/srv/app', cols: 100, rows: 30 });
    expect(openRequest({ kind: 'ssh', host: 'web-1' }, size)).toEqual({ kind: 'ssh', host: 'web-1', cols: 100, rows: 30 });
  });

  it('names what reopen will open', () => {
    expect(describeSpec({ kind: 'local' })).toBe('shell');
    expect(describeSpec({ kind: 'local', cwd: '/srv' })).toBe('shell in /srv');
    expect(describeSpec({ kind: 'ssh', host: 'db-2' })).toBe('ssh db-2');
  });

  it('estimates a size within the contract from the space and font size', () => {
    expect(estimateSize(780, 312, 13)).toEqual({ cols: 100, rows: 20 });
    expect(estimateSize(0, 300, 13)).toEqual(FALLBACK_SIZE);
    expect(estimateSize(5, 5, 13)).toEqual({ cols: 2, rows: 1 });
    expect(estimateSize(100_000, 100_000, 8)).toEqual({ cols: 1000, rows: 500 });
  });
});
