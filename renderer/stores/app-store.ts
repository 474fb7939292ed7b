/**
 * App-wide state: what the host told us about itself (version, mode, hostname), the user's settings, and whether
 * the connection is up. The theme is also kept in localStorage so a reload does not flash the wrong colours.
 */
import { create } from 'zustand';
import type { AppInfo, Settings } from '../../shared/contract/schemas.js';
import { client, connection } from '../api/client.js';
import type { ConnectionState } from '../api/connection.js';
import { errorMessage } from '../components/error-message.js';

export type Theme = Settings['theme'];

const THEME_KEY = 'opsdeck.theme';

function storedTheme(): Theme {
  try {
    return window.localStorage.getItem(THEME_KEY) === 'light' ? 'light' : 'dark';
  } catch {
    return 'dark';
  }
}

export function applyTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    window.localStorage.setItem(THEME_KEY, theme);
  } catch {
    // Storage can be off (private mode, policy); the theme then just comes from settings on the next load.
  }
}

interface AppState {
  info: AppInfo | null;
  infoError: string | null;
  theme: Theme;
  connection: ConnectionState;
  loadInfo(): Promise<void>;
  /** Saves settings on the host; throws the host's error so forms can show it inline. */
  updateSettings(patch: Partial<Settings>): Promise<Settings>;
}

export const useApp = create<AppState>()((set, get) => ({
  info: null,
  infoError: null,
  theme: storedTheme(),
  connection: connection.state(),
  async loadInfo() {
    try {
      const info = await client.call('app.info', {});
      applyTheme(info.settings.theme);
      set({ info, infoError: null, theme: info.settings.theme });
    } catch (error) {
      set({ infoError: errorMessage(error) });
    }
  },
  async updateSettings(patch) {
    const previous = get().theme;
    if (patch.theme) {
      applyTheme(patch.theme);
      set({ theme: patch.theme });
    }
    try {
      const settings = await client.call('settings.update', patch);
      applyTheme(settings.theme);
      const info = get().info;
      set({ theme: settings.theme, info: info ? { ...info, settings } : info });
      return settings;
    } catch (error) {
      applyTheme(previous);
      set({ theme: previous });
      throw error;
    }
  },
}));

applyTheme(useApp.getState().theme);
connection.onState((state) => {
  useApp.setState({ connection: state });
  if (state === 'connected' && useApp.getState().info === null) void useApp.getState().loadInfo();
});
