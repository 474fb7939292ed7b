/**
 * The SSH inventory as the host lists it, and the calls that change it. The Hosts page and the run view's target
 * selector both read it; every change reloads the whole list, so both always show what the host stored.
 */
import { create } from 'zustand';
import type { Host, HostFields, HostTest, SshConfigPreview } from '../../shared/contract/hosts.js';
import { client, connection } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';

interface HostsState {
  hosts: Host[];
  loaded: boolean;
  error: string | null;
  /** The last connection test per host name, shown on its row until the next test. */
  tests: Record<string, HostTest | { error: string }>;
  /** Host names with a test in flight. */
  testing: Record<string, boolean>;
  load(): Promise<void>;
  /** Throws the host's error (validation, name taken) so the form can show it inline. */
  save(fields: HostFields, id: string | null): Promise<Host>;
  remove(id: string): Promise<void>;
  test(name: string): Promise<void>;
  forgetKey(name: string): Promise<number>;
  preview(path: string): Promise<SshConfigPreview>;
  importSshConfig(path: string, names: string[]): Promise<Host[]>;
}

export const useHosts = create<HostsState>()((set, get) => ({
  hosts: [],
  loaded: false,
  error: null,
  tests: {},
  testing: {},
  async load() {
    try {
      const hosts = await client.call('hosts.list', {});
      set({ hosts: [...hosts].sort((a, b) => a.name.localeCompare(b.name)), loaded: true, error: null });
    } catch (error) {
      set({ error: errorMessage(error), loaded: true });
    }
  },
  async save(fields, id) {
    const host = await client.call('hosts.save', { ...fields, ...(id ? { id } : {}) });
    await get().load();
    return host;
  },
  async remove(id) {
    await client.call('hosts.remove', { id });
    await get().load();
  },
  async test(name) {
    set({ testing: { ...get().testing, [name]: true } });
    let result: HostTest | { error: string };
    try {
      result = await client.call('hosts.test', { name });
    } catch (error) {
      result = { error: errorMessage(error) };
    }
    const { [name]: _done, ...rest } = get().testing;
    set({ tests: { ...get().tests, [name]: result }, testing: rest });
  },
  async forgetKey(name) {
    const { removed } = await client.call('hosts.forgetKey', { name });
    const { [name]: _stale, ...tests } = get().tests;
    set({ tests });
    return removed;
  },
  preview(path) {
    return client.call('hosts.previewSshConfig', path.trim() ? { path: path.trim() } : {});
  },
  async importSshConfig(path, names) {
    const saved = await client.call('hosts.importSshConfig', { ...(path.trim() ? { path: path.trim() } : {}), names });
    await get().load();
    return saved;
  },
}));

connection.onState((state) => {
  if (state === 'connected' && useHosts.getState().loaded) void useHosts.getState().load();
});
