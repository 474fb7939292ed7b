// The run view's keys: act on plain presses, never steal keys from fields, buttons or dialogs.
import { describe, expect, it } from 'vitest';
import { moveSelection, runKeyAction, type KeyPress } from '../../../renderer/features/run/run-keys.js';

const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  inControl: false,
  dialogOpen: false,
  ...extra,
});

describe('runKeyAction', () => {
  it('maps the documented keys', () => {
    expect(['ArrowDown', 'j', 'ArrowUp', 'k', ' ', 'Enter', 'n', 'x'].map((key) => runKeyAction(press(key)))).toEqual([
      'next', 'next', 'previous', 'previous', 'tick', 'run', 'note', null,
    ]);
  });

  it('ignores keys typed into controls, with modifiers, or while a dialog is open', () => {
    expect(runKeyAction(press('Enter', { inControl: true }))).toBeNull();
    expect(runKeyAction(press('n', { ctrlKey: true }))).toBeNull();
    expect(runKeyAction(press(' ', { dialogOpen: true }))).toBeNull();
  });
});

describe('moveSelection', () => {
  it('starts at the first step and stops at both ends', () => {
    const ids = ['a', 'b', 'c'];
    expect(moveSelection(ids, null, 1)).toBe('a');
    expect(moveSelection(ids, 'a', 1)).toBe('b');
    expect(moveSelection(ids, 'c', 1)).toBe('c');
    expect(moveSelection(ids, 'a', -1)).toBe('a');
    expect(moveSelection([], 'a', 1)).toBeNull();
  });
});
