/**
 * Questions SSH connections are waiting on (an unknown host key, a passphrase, a password), app-wide: whichever
 * view started the connection, the answer is asked here. Fed by `prompt.request`/`prompt.closed` events and, on
 * every (re)connect, by `prompts.pending`, since a question may have been asked while this window was not listening.
 */
import { create } from 'zustand';
import type { Prompt, PromptAnswer } from '../../shared/contract/hosts.js';
import { client, connection } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';

/**
 * The questions a window answers. A `step-confirmation` is asked of the command line that started an unattended
 * run, and only it answers: windows leave those alone.
 */
export type ConnectionPrompt = Exclude<Prompt, { kind: 'step-confirmation' }>;
const forWindows = (prompt: Prompt): prompt is ConnectionPrompt => prompt.kind !== 'step-confirmation';

interface PromptState {
  /** Oldest first; the first one is on screen. */
  queue: ConnectionPrompt[];
  /** A prompt whose answer is in flight, so its buttons can be disabled. */
  sending: string | null;
  /** Why an answer could not be sent (connection lost...); that prompt stays up to try again. */
  error: { id: string; message: string } | null;
  refresh(): Promise<void>;
  answer(id: string, answer: PromptAnswer): Promise<void>;
}

/** Events that arrive while `prompts.pending` is in flight; merged into its answer so none is lost or revived. */
let refreshing = 0;
const arrivedDuringRefresh = new Map<string, ConnectionPrompt>();
const closedDuringRefresh = new Set<string>();

export const usePrompts = create<PromptState>()((set, get) => ({
  queue: [],
  sending: null,
  error: null,
  async refresh() {
    refreshing += 1;
    try {
      const pending = await client.call('prompts.pending', {});
      const merged = [...pending.filter(forWindows), ...arrivedDuringRefresh.values()].filter((prompt) => !closedDuringRefresh.has(prompt.id));
      const byId = new Map(merged.map((prompt) => [prompt.id, prompt]));
      set({ queue: [...byId.values()] });
    } catch {
      // Not reachable right now: the next reconnect asks again, and events keep the queue current meanwhile.
    } finally {
      refreshing -= 1;
      if (refreshing === 0) {
        arrivedDuringRefresh.clear();
        closedDuringRefresh.clear();
      }
    }
  },
  async answer(id, answer) {
    set({ sending: id, error: null });
    try {
      // `answered: false` means it was answered elsewhere or timed out: either way it is gone.
      await client.call('prompts.answer', { id, answer });
      set({ queue: get().queue.filter((prompt) => prompt.id !== id) });
    } catch (error) {
      set({ error: { id, message: errorMessage(error) } });
    } finally {
      if (get().sending === id) set({ sending: null });
    }
  },
}));

client.on('prompt.request', (prompt) => {
  if (!forWindows(prompt)) return;
  if (refreshing > 0) arrivedDuringRefresh.set(prompt.id, prompt);
  const queue = usePrompts.getState().queue;
  if (!queue.some((waiting) => waiting.id === prompt.id)) usePrompts.setState({ queue: [...queue, prompt] });
});

client.on('prompt.closed', ({ id }) => {
  if (refreshing > 0) {
    closedDuringRefresh.add(id);
    arrivedDuringRefresh.delete(id);
  }
  const state = usePrompts.getState();
  if (state.queue.some((prompt) => prompt.id === id)) {
    usePrompts.setState({ queue: state.queue.filter((prompt) => prompt.id !== id) });
  }
});

connection.onState((state) => {
  if (state === 'connected') void usePrompts.getState().refresh();
});
