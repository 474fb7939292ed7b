// The terminal panel's stored preferences: anything missing, broken or out of range reads as a usable value.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TERMINAL_SETTINGS,
  FONT_SIZE_MAX,
  FONT_SIZE_MIN,
  parseTerminalSettings,
  SCROLLBACK_MAX,
} from '../../../renderer/stores/terminal-settings.js';

describe('parseTerminalSettings', () => {
  it('gives the defaults when nothing (or garbage) is stored', () => {
    expect(parseTerminalSettings(null)).toEqual(DEFAULT_TERMINAL_SETTINGS);
    expect(parseTerminalSettings('{not json')).toEqual(DEFAULT_TERMINAL_SETTINGS);
    expect(parseTerminalSettings('[1,2]')).toEqual(DEFAULT_TERMINAL_SETTINGS);
  });

  it('round-trips what was saved', () => {
    const saved = { fontSize: 15, scrollback: 20_000, dock: 'right' as const, dockSize: 480, collapsed: true };
    expect(parseTerminalSettings(JSON.stringify(saved))).toEqual(saved);
  });

  it('clamps out-of-range numbers and ignores unknown values', () => {
    const parsed = parseTerminalSettings(JSON.stringify({ fontSize: 2, scrollback: 1e9, dock: 'left', dockSize: 'big', collapsed: 'yes' }));
    expect(parsed).toEqual({ ...DEFAULT_TERMINAL_SETTINGS, fontSize: FONT_SIZE_MIN, scrollback: SCROLLBACK_MAX });
    expect(parseTerminalSettings(JSON.stringify({ fontSize: 99.6 })).fontSize).toBe(FONT_SIZE_MAX);
  });
});
