/**
 * The terminal's own shortcuts, taken before xterm turns the keys into input: Ctrl+Shift+C copies the selection,
 * Ctrl+Shift+V pastes, Ctrl+Shift+F searches. Plain Ctrl+C and Ctrl+V stay the shell's (interrupt, literal next).
 */
export type TerminalShortcut = 'copy' | 'paste' | 'search';

export interface ShortcutPress {
  key: string;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  metaKey: boolean;
}

export function terminalShortcut(press: ShortcutPress): TerminalShortcut | null {
  if (!press.ctrlKey || !press.shiftKey || press.altKey || press.metaKey) return null;
  switch (press.key.toLowerCase()) {
    case 'c':
      return 'copy';
    case 'v':
      return 'paste';
    case 'f':
      return 'search';
    default:
      return null;
  }
}
