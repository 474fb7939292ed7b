/**
 * The interactive terminals (local shells and SSH shells) as tabs, app-wide: the run view's dock and the Terminals
 * page show the same ones. The host owns the processes; this store keeps what it said about them (`term.open`,
 * `term.list`, `term.record`, `term.exit`), which tab is active, and recently closed tabs to reopen. The xterm
 * instances live outside React, in features/terminal/terminal-sessions.ts.
 *
 * On loading, a window takes over the terminals it showed before a reload (their ids kept in sessionStorage) and
 * those another window shows; the others the host runs (open in no window, or opened elsewhere later) are listed
 * apart (`others`), to open here or close.
 */
import { create } from 'zustand';
import { ContractError } from '../../shared/contract/errors.js';
import type { TermInfo } from '../../shared/contract/terminals.js';
import { client, connection } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';
import {
  activeAfterClose,
  describeSpec,
  openRequest,
  rememberClosed,
  takeLastClosed,
  type ClosedTab,
  type TermSize,
  type TermSpec,
} from './terminal-tabs.js';

export interface TermExitInfo {
  exitCode: number | null;
  signal: string | null;
}

export interface TermTab extends TermInfo {
  /** How it was opened, to reopen it; null for a terminal found with `term.list` (its host or directory unknown). */
  spec: TermSpec | null;
  /** How it ended, once it has. */
  exit: TermExitInfo | null;
  /** Found running rather than opened here: drawn from the owner's copy of its screen first (`term.snapshot`). */
  adopted: boolean;
}

interface TerminalsState {
  tabs: TermTab[];
  /** Running terminals this window shows no tab for, as `term.list` last said: in no window, or in others. */
  others: TermInfo[];
  activeId: string | null;
  closed: ClosedTab[];
  /** `term.open` calls in flight: output for a terminal not listed yet may be its first. */
  opening: number;
  error: string | null;
  loaded: boolean;
  searchOpen: boolean;
  /** Bumped to ask the active terminal's screen to take focus once it is on screen. */
  focusNonce: number;
  /** Takes over terminals the host already runs (after a reload of this window); once. */
  load(): Promise<void>;
  /** Asks the host again which terminals still run (after a reconnect, on the Terminals page). */
  refresh(): Promise<void>;
  /** Shows one of `others` here, as a tab. */
  adopt(id: string): void;
  /** Closes one of `others` (ends its program). */
  closeOther(id: string): Promise<void>;
  open(spec: TermSpec, size: TermSize): Promise<TermTab | null>;
  close(id: string): Promise<void>;
  reopen(size: TermSize): Promise<TermTab | null>;
  activate(id: string): void;
  record(id: string, runId: string | null): Promise<boolean>;
  markExited(id: string, exit: TermExitInfo): void;
  setSearchOpen(open: boolean): void;
  requestFocus(): void;
  setError(error: string | null): void;
}

const NO_EXIT: TermExitInfo = { exitCode: null, signal: null };
/** sessionStorage key: the terminals this window shows, so that a reload takes them over again. */
const SHOWN_KEY = 'opsdeck.terminals.shown';

function shownBeforeReload(): Set<string> {
  try {
    const parsed: unknown = JSON.parse(sessionStorage.getItem(SHOWN_KEY) ?? '[]');
    return new Set(Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Read once, before this window's own tabs overwrite it. */
const shownAtStart = shownBeforeReload();

function rememberShown(tabs: readonly TermTab[]): void {
  try {
    sessionStorage.setItem(SHOWN_KEY, JSON.stringify(tabs.filter((tab) => !tab.exited).map((tab) => tab.id)));
  } catch {
    // No storage (a private window's quota): a reload then lists them apart instead of taking them over.
  }
}

export const useTerminals = create<TerminalsState>()((set, get) => {
  const updateTab = (id: string, patch: (tab: TermTab) => TermTab): void => {
    const tabs = get().tabs;
    if (tabs.some((tab) => tab.id === id)) set({ tabs: tabs.map((tab) => (tab.id === id ? patch(tab) : tab)) });
  };

  /** What the host runs now; tabs it no longer has are shown as ended (it restarted, or closed them elsewhere). */
  const sync = async (adopt: boolean): Promise<void> => {
    const known = new Set(get().tabs.map((tab) => tab.id));
    const list = await client.call('term.list', {});
    const byId = new Map(list.map((info) => [info.id, info]));
    const tabs: TermTab[] = get().tabs.map((tab) => {
      const info = byId.get(tab.id);
      if (info) return { ...tab, ...info, exited: tab.exited || info.exited, exit: tab.exit ?? (info.exited ? NO_EXIT : null) };
      // Opened while the list was on its way: the list just did not know it yet.
      if (!known.has(tab.id) || tab.exited) return tab;
      return { ...tab, exited: true, exit: NO_EXIT };
    });
    if (adopt) {
      const mine = shownAtStart;
      for (const info of list) {
        if (info.exited || tabs.some((tab) => tab.id === info.id)) continue;
        if (mine.has(info.id) || info.windows > 0) tabs.push({ ...info, spec: null, exit: null, adopted: true });
      }
    }
    const others = list.filter((info) => !info.exited && !tabs.some((tab) => tab.id === info.id));
    const activeId = get().activeId;
    set({ tabs, others, activeId: activeId !== null && tabs.some((tab) => tab.id === activeId) ? activeId : tabs[0]?.id ?? null });
  };

  return {
    tabs: [],
    others: [],
    activeId: null,
    closed: [],
    opening: 0,
    error: null,
    loaded: false,
    searchOpen: false,
    focusNonce: 0,
    async load() {
      if (get().loaded) return;
      set({ loaded: true });
      try {
        await sync(true);
      } catch {
        // Terminals the host may run stay unlisted; new ones still open (and report their own errors).
      }
    },
    async refresh() {
      try {
        await sync(false);
      } catch {
        // Not reachable: the next reconnect asks again.
      }
    },
    adopt(id) {
      const info = get().others.find((other) => other.id === id);
      if (!info || get().tabs.some((tab) => tab.id === id)) return;
      set({
        tabs: [...get().tabs, { ...info, spec: null, exit: null, adopted: true }],
        others: get().others.filter((other) => other.id !== id),
        activeId: id,
      });
    },
    async closeOther(id) {
      const info = get().others.find((other) => other.id === id);
      if (!info) return;
      set({ others: get().others.filter((other) => other.id !== id) });
      try {
        await client.call('term.close', { id });
      } catch (error) {
        if (error instanceof ContractError && error.code === 'not_found') return;
        set({ error: `“${info.title}” may still be running: ${errorMessage(error)}` });
      }
    },
    async open(spec, size) {
      set({ opening: get().opening + 1, error: null });
      try {
        const info = await client.call('term.open', openRequest(spec, size));
        const tab: TermTab = { ...info, spec, exit: info.exited ? NO_EXIT : null, adopted: false };
        set({ tabs: [...get().tabs.filter((existing) => existing.id !== info.id), tab], activeId: info.id });
        return tab;
      } catch (error) {
        set({ error: `Could not open ${describeSpec(spec)}: ${errorMessage(error)}` });
        return null;
      } finally {
        set({ opening: get().opening - 1 });
      }
    },
    async close(id) {
      const { tabs, activeId, closed } = get();
      const tab = tabs.find((candidate) => candidate.id === id);
      if (!tab) return;
      set({
        tabs: tabs.filter((candidate) => candidate.id !== id),
        activeId: activeAfterClose(
          tabs.map((candidate) => candidate.id),
          id,
          activeId,
        ),
        closed: tab.spec ? rememberClosed(closed, { spec: tab.spec, title: tab.title }) : closed,
      });
      if (tab.exited) return;
      try {
        await client.call('term.close', { id });
      } catch (error) {
        if (error instanceof ContractError && error.code === 'not_found') return;
        set({ error: `“${tab.title}” may still be running: ${errorMessage(error)}` });
      }
    },
    async reopen(size) {
      const { tab, rest } = takeLastClosed(get().closed);
      if (!tab) return null;
      set({ closed: rest });
      const opened = await get().open(tab.spec, size);
      if (!opened) set({ closed: rememberClosed(get().closed, tab) });
      return opened;
    },
    activate(id) {
      if (get().tabs.some((tab) => tab.id === id)) set({ activeId: id });
    },
    async record(id, runId) {
      try {
        const info = await client.call('term.record', { id, runId });
        updateTab(id, (tab) => ({ ...tab, ...info, exited: tab.exited || info.exited }));
        return true;
      } catch (error) {
        set({ error: `Could not ${runId === null ? 'stop recording' : 'record to this run'}: ${errorMessage(error)}` });
        return false;
      }
    },
    markExited(id, exit) {
      updateTab(id, (tab) => (tab.exited && tab.exit ? tab : { ...tab, exited: true, exit }));
    },
    setSearchOpen(open) {
      set({ searchOpen: open });
    },
    requestFocus() {
      set({ focusNonce: get().focusNonce + 1 });
    },
    setError(error) {
      if (get().error !== error) set({ error });
    },
  };
});

client.on('term.exit', ({ id, exitCode, signal }) => {
  useTerminals.getState().markExited(id, { exitCode, signal });
  const { others } = useTerminals.getState();
  if (others.some((other) => other.id === id)) useTerminals.setState({ others: others.filter((other) => other.id !== id) });
});

useTerminals.subscribe((state, previous) => {
  if (state.tabs !== previous.tabs) rememberShown(state.tabs);
});

// Output and exits sent while the socket was down are lost; at least show which terminals are gone.
connection.onState((state) => {
  const terminals = useTerminals.getState();
  if (state === 'connected' && terminals.loaded && terminals.tabs.length > 0) void terminals.refresh();
});
