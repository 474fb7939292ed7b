/** The runbook library as listed by the host, and the imports and removals that change it. */
import { create } from 'zustand';
import type { ImportReport, RunbookListItem } from '../../shared/contract/schemas.js';
import { client } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';

interface LibraryState {
  items: RunbookListItem[];
  loaded: boolean;
  loading: boolean;
  error: string | null;
  load(): Promise<void>;
  importUpload(fileName: string, content: string): Promise<ImportReport>;
  importPath(path: string): Promise<ImportReport>;
  refresh(id: string): Promise<ImportReport>;
  /** Archives it: gone from the list at once, its runs kept in History. */
  remove(id: string): Promise<void>;
}

export const useLibrary = create<LibraryState>()((set, get) => ({
  items: [],
  loaded: false,
  loading: false,
  error: null,
  async load() {
    set({ loading: true });
    try {
      const items = await client.call('runbooks.list', {});
      set({ items, loaded: true, loading: false, error: null });
    } catch (error) {
      set({ loading: false, error: errorMessage(error) });
    }
  },
  async importUpload(fileName, content) {
    const report = await client.call('runbooks.import', { fileName, content });
    await get().load();
    return report;
  },
  async importPath(path) {
    const report = await client.call('runbooks.import', { path });
    await get().load();
    return report;
  },
  async refresh(id) {
    const report = await client.call('runbooks.refresh', { id });
    await get().load();
    return report;
  },
  async remove(id) {
    await client.call('runbooks.remove', { id });
    set({ items: get().items.filter((item) => item.id !== id) });
    await get().load();
  },
}));

// An import or removal from anywhere (another window, the CLI) changes the list: fetch it again if it is shown.
client.on('runbooks.changed', () => {
  if (useLibrary.getState().loaded) void useLibrary.getState().load();
});
