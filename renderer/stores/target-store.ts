/**
 * Where the open run's steps go: the target remembered for its runbook section (`targets.get`), changed from the
 * run header and saved back (`targets.set`). Steps are started with this target sent explicitly, so what the
 * header shows is what runs even if the save is still on its way.
 */
import { create } from 'zustand';
import type { Target } from '../../shared/contract/hosts.js';
import { client, connection } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';

/** Typed values (a tag's concurrency) are saved once typing pauses, not on every keystroke. */
const TYPED_SAVE_DELAY_MS = 500;

interface TargetState {
  runbookId: string | null;
  sectionId: string | null;
  /** Null until loaded; steps started before then use what the host remembers. */
  target: Target | null;
  error: string | null;
  load(runbookId: string, sectionId: string): Promise<void>;
  /** Shows the target at once and saves it; `typed` delays the save while the user is still typing. */
  choose(target: Target, typed?: boolean): void;
}

let saveTimer: ReturnType<typeof setTimeout> | null = null;

export const useTarget = create<TargetState>()((set, get) => {
  const save = async (runbookId: string, sectionId: string, target: Target, previous: Target | null): Promise<void> => {
    try {
      await client.call('targets.set', { runbookId, sectionId, target });
    } catch (error) {
      const state = get();
      if (state.runbookId !== runbookId || state.sectionId !== sectionId) return;
      // Not saved: show what the host still remembers, and why.
      set({ error: errorMessage(error), ...(state.target === target ? { target: previous } : {}) });
    }
  };

  return {
    runbookId: null,
    sectionId: null,
    target: null,
    error: null,
    async load(runbookId, sectionId) {
      if (get().runbookId !== runbookId || get().sectionId !== sectionId) {
        if (saveTimer) clearTimeout(saveTimer);
        saveTimer = null;
        set({ runbookId, sectionId, target: null, error: null });
      }
      try {
        const target = await client.call('targets.get', { runbookId, sectionId });
        if (get().runbookId === runbookId && get().sectionId === sectionId && saveTimer === null) set({ target, error: null });
      } catch (error) {
        if (get().runbookId === runbookId && get().sectionId === sectionId) set({ error: errorMessage(error) });
      }
    },
    choose(target, typed = false) {
      const { runbookId, sectionId, target: previous } = get();
      if (!runbookId || !sectionId) return;
      set({ target, error: null });
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = null;
      if (!typed) {
        void save(runbookId, sectionId, target, previous);
        return;
      }
      saveTimer = setTimeout(() => {
        saveTimer = null;
        void save(runbookId, sectionId, target, previous);
      }, TYPED_SAVE_DELAY_MS);
    },
  };
});

// Another window may have changed the section's target while the socket was down.
connection.onState((state) => {
  const { runbookId, sectionId } = useTarget.getState();
  if (state === 'connected' && runbookId && sectionId) void useTarget.getState().load(runbookId, sectionId);
});
