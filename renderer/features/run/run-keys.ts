/**
 * The run view's keys as a pure decision: which action a key press means, given where focus is. Kept apart from
 * the DOM so the rules (never steal keys from a field, a button or a dialog) are testable.
 */
export type RunKeyAction = 'next' | 'previous' | 'tick' | 'run' | 'note' | null;

export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** Focus is in something that handles keys itself: a field, a button, a link, the terminal. */
  inControl: boolean;
  dialogOpen: boolean;
}

export function runKeyAction(press: KeyPress): RunKeyAction {
  if (press.ctrlKey || press.metaKey || press.altKey || press.inControl || press.dialogOpen) return null;
  switch (press.key) {
    case 'ArrowDown':
    case 'j':
      return 'next';
    case 'ArrowUp':
    case 'k':
      return 'previous';
    case ' ':
      return 'tick';
    case 'Enter':
      return 'run';
    case 'n':
      return 'note';
    default:
      return null;
  }
}

/** The step `offset` away from the current one, clamped to the list; the first step when nothing is selected. */
export function moveSelection(ids: readonly string[], current: string | null, offset: number): string | null {
  if (ids.length === 0) return null;
  const index = current === null ? -1 : ids.indexOf(current);
  if (index === -1) return ids[0] ?? null;
  return ids[Math.max(0, Math.min(ids.length - 1, index + offset))] ?? null;
}
