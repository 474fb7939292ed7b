/**
 * xterm's colours for each app theme. Background, foreground and selection come from the CSS variables so the
 * pane matches the code blocks around it; the 16 ANSI colours are tuned per theme for contrast on that background.
 * Read-only output panes hide the cursor (drawn in the background colour); interactive terminals show it.
 */
import type { ITheme } from '@xterm/xterm';
import type { Theme } from '../../stores/app-store.js';

const ANSI: Record<Theme, ITheme> = {
  dark: {
    black: '#1b1f24', red: '#f47067', green: '#57ab5a', yellow: '#c69026', blue: '#539bf5', magenta: '#b083f0',
    cyan: '#39c5cf', white: '#adbac7', brightBlack: '#636e7b', brightRed: '#ff938a', brightGreen: '#6bc46d',
    brightYellow: '#daaa3f', brightBlue: '#6cb6ff', brightMagenta: '#dcbdfb', brightCyan: '#56d4dd', brightWhite: '#cdd9e5',
  },
  light: {
    black: '#24292f', red: '#cf222e', green: '#116329', yellow: '#7d4e00', blue: '#0969da', magenta: '#8250df',
    cyan: '#1b7c83', white: '#6e7781', brightBlack: '#57606a', brightRed: '#a40e26', brightGreen: '#1a7f37',
    brightYellow: '#633c01', brightBlue: '#218bff', brightMagenta: '#a475f9', brightCyan: '#3192aa', brightWhite: '#8c959f',
  },
};

function cssVar(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

export function terminalTheme(theme: Theme, options: { cursor?: boolean } = {}): ITheme {
  const background = cssVar('--term-bg', theme === 'dark' ? '#0d1117' : '#f6f8fa');
  const foreground = cssVar('--term-fg', theme === 'dark' ? '#c9d1d9' : '#1f2328');
  return {
    ...ANSI[theme],
    background,
    foreground,
    cursor: options.cursor ? foreground : background,
    cursorAccent: background,
    selectionBackground: cssVar('--term-selection', theme === 'dark' ? '#264f78' : '#b6d7ff'),
  };
}
