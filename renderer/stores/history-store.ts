/**
 * Recorded runs, newest first, as `runs.list` returns them, kept current by `run.updated`: a run started anywhere
 * (another window, `opsdeck run` on the command line) appears and changes here without a reload.
 */
import { create } from 'zustand';
import type { Run } from '../../shared/contract/schemas.js';
import { client } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';
import { withRun } from '../features/history/with-run.js';

/** Enough for weeks of daily runs on one screen; older ones stay in the store on the host. */
const HISTORY_LIMIT = 500;

interface HistoryState {
  runs: Run[];
  loaded: boolean;
  error: string | null;
  load(): Promise<void>;
}

export const useHistory = create<HistoryState>()((set) => ({
  runs: [],
  loaded: false,
  error: null,
  async load() {
    try {
      const runs = await client.call('runs.list', { limit: HISTORY_LIMIT });
      set({ runs, loaded: true, error: null });
    } catch (error) {
      set({ error: errorMessage(error), loaded: true });
    }
  },
}));

client.on('run.updated', (detail) => {
  if (useHistory.getState().loaded) useHistory.setState((state) => ({ runs: withRun(state.runs, detail.run) }));
});
