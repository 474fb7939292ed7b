/**
 * The terminal panel's own preferences (font size, scrollback, where it docks and how big), as stored in
 * localStorage. Parsing clamps every field, so a hand-edited or older value can never break the panel.
 */
export type DockSide = 'bottom' | 'right';

export interface TerminalSettings {
  fontSize: number;
  /** Lines kept above the screen, per terminal. */
  scrollback: number;
  dock: DockSide;
  /** Height (bottom) or width (right) of the run view's dock, in CSS pixels. */
  dockSize: number;
  /** The run view's dock shows only its tab bar. */
  collapsed: boolean;
}

export const FONT_SIZE_MIN = 8;
export const FONT_SIZE_MAX = 32;
/** Enough for a long session; bounded because each line of every open terminal stays in memory. */
export const SCROLLBACK_MIN = 100;
export const SCROLLBACK_MAX = 100_000;
/** A dock smaller than a few lines of text is useless; the largest is left to the layout to cap. */
export const DOCK_SIZE_MIN = 120;
export const DOCK_SIZE_MAX = 4_000;

export const DEFAULT_TERMINAL_SETTINGS: TerminalSettings = {
  fontSize: 13,
  scrollback: 10_000,
  dock: 'bottom',
  dockSize: 300,
  collapsed: false,
};

function clampInt(value: unknown, min: number, max: number, fallback: number): number {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isFinite(number)) return fallback;
  return Math.min(max, Math.max(min, Math.round(number)));
}

export const clampFontSize = (value: unknown): number =>
  clampInt(value, FONT_SIZE_MIN, FONT_SIZE_MAX, DEFAULT_TERMINAL_SETTINGS.fontSize);
export const clampScrollback = (value: unknown): number =>
  clampInt(value, SCROLLBACK_MIN, SCROLLBACK_MAX, DEFAULT_TERMINAL_SETTINGS.scrollback);
export const clampDockSize = (value: unknown): number =>
  clampInt(value, DOCK_SIZE_MIN, DOCK_SIZE_MAX, DEFAULT_TERMINAL_SETTINGS.dockSize);

/** The settings stored as JSON (or null when nothing is stored yet); anything missing or out of range gets its default. */
export function parseTerminalSettings(raw: string | null): TerminalSettings {
  let stored: Record<string, unknown> = {};
  try {
    const parsed: unknown = raw === null ? null : JSON.parse(raw);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
  } catch {
    // A broken value is as good as none.
  }
  return {
    fontSize: clampFontSize(stored.fontSize),
    scrollback: clampScrollback(stored.scrollback),
    dock: stored.dock === 'right' ? 'right' : 'bottom',
    dockSize: clampDockSize(stored.dockSize),
    collapsed: stored.collapsed === true,
  };
}
