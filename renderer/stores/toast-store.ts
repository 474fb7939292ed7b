/** Short messages in the corner: results of imports and refreshes, and errors from calls that have no inline place. */
import { create } from 'zustand';

export type ToastKind = 'info' | 'success' | 'error';

export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

/** Long enough to read a sentence at a glance; errors stay longer because they usually need acting on. */
const TOAST_MS: Record<ToastKind, number> = { info: 5_000, success: 5_000, error: 10_000 };
/** More than this at once is noise: the oldest go first. */
const MAX_TOASTS = 5;

interface ToastState {
  toasts: Toast[];
  push(kind: ToastKind, text: string): void;
  dismiss(id: number): void;
}

let nextId = 1;

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(kind, text) {
    const id = nextId++;
    set({ toasts: [...get().toasts, { id, kind, text }].slice(-MAX_TOASTS) });
    setTimeout(() => get().dismiss(id), TOAST_MS[kind]);
  },
  dismiss(id) {
    set({ toasts: get().toasts.filter((toast) => toast.id !== id) });
  },
}));

export const toast = {
  info: (text: string): void => useToasts.getState().push('info', text),
  success: (text: string): void => useToasts.getState().push('success', text),
  error: (text: string): void => useToasts.getState().push('error', text),
};
