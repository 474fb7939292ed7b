/**
 * The terminal panel's preferences (font size, scrollback, dock side and size, collapsed), kept in this browser's
 * localStorage: they are about this screen, not about the runbooks, so they are not host settings.
 */
import { create } from 'zustand';
import {
  clampDockSize,
  clampFontSize,
  clampScrollback,
  parseTerminalSettings,
  type DockSide,
  type TerminalSettings,
} from './terminal-settings.js';

const STORAGE_KEY = 'opsdeck.terminal';

function load(): TerminalSettings {
  try {
    return parseTerminalSettings(window.localStorage.getItem(STORAGE_KEY));
  } catch {
    return parseTerminalSettings(null);
  }
}

function save(settings: TerminalSettings): void {
  try {
    window.localStorage.setItem(STORAGE_KEY, JSON.stringify(settings));
  } catch {
    // Storage can be off (private mode, policy): the settings then last until the window closes.
  }
}

interface TerminalSettingsState extends TerminalSettings {
  setFontSize(value: unknown): void;
  setScrollback(value: unknown): void;
  setDock(dock: DockSide): void;
  /** While dragging, `persist: false` moves the dock without writing storage on every pointer move. */
  setDockSize(value: number, persist?: boolean): void;
  setCollapsed(collapsed: boolean): void;
}

export const useTerminalSettings = create<TerminalSettingsState>()((set, get) => {
  const update = (patch: Partial<TerminalSettings>, persist = true): void => {
    set(patch);
    if (!persist) return;
    const { fontSize, scrollback, dock, dockSize, collapsed } = get();
    save({ fontSize, scrollback, dock, dockSize, collapsed });
  };
  return {
    ...load(),
    setFontSize: (value) => update({ fontSize: clampFontSize(value) }),
    setScrollback: (value) => update({ scrollback: clampScrollback(value) }),
    setDock: (dock) => update({ dock }),
    setDockSize: (value, persist = true) => update({ dockSize: clampDockSize(value) }, persist),
    setCollapsed: (collapsed) => {
      if (get().collapsed !== collapsed) update({ collapsed });
    },
  };
});
