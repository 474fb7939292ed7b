/** The runbook being looked at: its detail (document, versions, recent runs) as the host returned it. */
import { create } from 'zustand';
import type { RunbookDetail, RunDetail } from '../../shared/contract/schemas.js';
import { client } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';

interface RunbookState {
  id: string | null;
  detail: RunbookDetail | null;
  error: string | null;
  load(id: string): Promise<void>;
  startRun(sectionId: string): Promise<RunDetail>;
}

export const useRunbook = create<RunbookState>()((set, get) => ({
  id: null,
  detail: null,
  error: null,
  async load(id) {
    if (get().id !== id) set({ id, detail: null, error: null });
    try {
      const detail = await client.call('runbooks.get', { id });
      if (get().id === id) set({ detail, error: null });
    } catch (error) {
      if (get().id === id) set({ error: errorMessage(error) });
    }
  },
  async startRun(sectionId) {
    const detail = get().detail;
    if (!detail) throw new Error('The runbook is not loaded yet.');
    return client.call('runs.start', { runbookId: detail.id, sectionId, versionId: detail.versionId });
  },
}));
