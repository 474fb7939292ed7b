/**
 * Questions an SSH connection needs a person to answer (an unknown host key, a passphrase, a password), asked of
 * whoever is connected: announced as `prompt.request`, answered through `prompts.answer`, listed for a window
 * that connects later, and cancelled when nobody answers in time.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Prompt, PromptAnswer } from '../../../shared/contract/hosts.js';

type Question = Prompt extends infer P ? (P extends Prompt ? Omit<P, 'id'> : never) : never;

export interface PromptBroker {
  ask(question: Question): Promise<PromptAnswer>;
  /** Returns false when no such question is waiting (answered elsewhere, or timed out). */
  answer(id: string, answer: PromptAnswer): boolean;
  pending(): Prompt[];
  cancelAll(): void;
}

/** How long a question waits: long enough to fetch a passphrase from a password manager, short enough not to hang a run. */
export const PROMPT_TIMEOUT_MS = 5 * 60_000;

export function createPromptBroker(deps: {
  emit(event: 'prompt.request', payload: Prompt): void;
  emit(event: 'prompt.closed', payload: { id: string }): void;
  timers?: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(h: unknown): void };
  timeoutMs?: number;
}): PromptBroker {
  const timers = deps.timers ?? { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) };
  const waiting = new Map<string, { prompt: Prompt; resolve(a: PromptAnswer): void; timer: unknown }>();
  const settle = (id: string, answer: PromptAnswer): boolean => {
    const w = waiting.get(id);
    if (!w) return false;
    waiting.delete(id);
    timers.clearTimeout(w.timer);
    deps.emit('prompt.closed', { id });
    w.resolve(answer);
    return true;
  };
  return {
    ask(question) {
      const prompt = { ...question, id: uuidv7() } as Prompt;
      return new Promise<PromptAnswer>((resolve) => {
        const timer = timers.setTimeout(() => settle(prompt.id, { kind: 'cancel' }), deps.timeoutMs ?? PROMPT_TIMEOUT_MS);
        waiting.set(prompt.id, { prompt, resolve, timer });
        deps.emit('prompt.request', prompt);
      });
    },
    answer(id, answer) {
      const w = waiting.get(id);
      if (!w) return false;
      const fits =
        answer.kind === 'cancel' ||
        (w.prompt.kind === 'host-key' && answer.kind === 'host-key') ||
        ((w.prompt.kind === 'passphrase' || w.prompt.kind === 'password') && answer.kind === 'secret') ||
        ((w.prompt.kind === 'keyboard-interactive' || w.prompt.kind === 'step-confirmation') && answer.kind === 'responses');
      return settle(id, fits ? answer : { kind: 'cancel' });
    },
    pending: () => [...waiting.values()].map((w) => w.prompt),
    cancelAll() {
      for (const id of [...waiting.keys()]) settle(id, { kind: 'cancel' });
    },
  };
}
