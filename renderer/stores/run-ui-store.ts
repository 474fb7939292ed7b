/**
 * What the run view remembers between renders but the host does not: the selected step, which dialog is open, and
 * the values typed into command forms (parameters are shared by name across the run's steps; timeouts are per step).
 */
import { create } from 'zustand';

export type RunDialog =
  | { kind: 'confirm'; stepId: string }
  | { kind: 'skip'; stepId: string }
  | { kind: 'abort' }
  /** Finish with steps left: lists them and asks why. */
  | { kind: 'finish' }
  | null;

/** The house default for a command step: long enough for a backup, short enough that a hang gets noticed. */
export const DEFAULT_TIMEOUT_SEC = 600;

interface RunUiState {
  runId: string | null;
  selectedStepId: string | null;
  dialog: RunDialog;
  params: Record<string, string>;
  timeouts: Record<string, string>;
  /** Per step with an ssh hint: whether to run its inner command over Opsdeck's connection (unset: yes). */
  remoteHints: Record<string, boolean>;
  /** Bumped to ask a step's note box to take focus (the `n` key). */
  noteFocus: { stepId: string; nonce: number } | null;
  reset(runId: string): void;
  select(stepId: string | null): void;
  openDialog(dialog: RunDialog): void;
  closeDialog(): void;
  setParam(name: string, value: string): void;
  prefill(values: Record<string, string>): void;
  setTimeoutFor(stepId: string, value: string): void;
  setRemoteHint(stepId: string, on: boolean): void;
  focusNote(stepId: string): void;
}

export const useRunUi = create<RunUiState>()((set, get) => ({
  runId: null,
  selectedStepId: null,
  dialog: null,
  params: {},
  timeouts: {},
  remoteHints: {},
  noteFocus: null,
  reset(runId) {
    if (get().runId === runId) return;
    set({ runId, selectedStepId: null, dialog: null, params: {}, timeouts: {}, remoteHints: {}, noteFocus: null });
  },
  select(stepId) {
    set({ selectedStepId: stepId });
  },
  openDialog(dialog) {
    set({ dialog });
  },
  closeDialog() {
    set({ dialog: null });
  },
  setParam(name, value) {
    set({ params: { ...get().params, [name]: value } });
  },
  prefill(values) {
    // Only fill what the user has not typed yet.
    set({ params: { ...values, ...get().params } });
  },
  setTimeoutFor(stepId, value) {
    set({ timeouts: { ...get().timeouts, [stepId]: value } });
  },
  setRemoteHint(stepId, on) {
    set({ remoteHints: { ...get().remoteHints, [stepId]: on } });
  },
  focusNote(stepId) {
    set({ selectedStepId: stepId, noteFocus: { stepId, nonce: (get().noteFocus?.nonce ?? 0) + 1 } });
  },
}));

/** The timeout to send: the typed value when it is a whole number of seconds in range, else the default. */
export function timeoutSeconds(typed: string | undefined): number {
  const value = Number(typed);
  if (typed === undefined || typed.trim() === '' || !Number.isInteger(value) || value < 1) return DEFAULT_TIMEOUT_SEC;
  return Math.min(value, 7 * 24 * 3600);
}
