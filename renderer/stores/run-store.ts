/**
 * The run on screen. Its detail always comes whole from the host (`runs.get`, every action's answer, and
 * `run.updated` events), so a reload shows exactly what the host has recorded; this store never patches it locally.
 */
import { create } from 'zustand';
import { ContractError } from '../../shared/contract/errors.js';
import type { Target } from '../../shared/contract/hosts.js';
import type { MethodInput } from '../../shared/contract/methods.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import { client, connection } from '../api/client.js';
import { errorMessage } from '../components/error-message.js';

/** What a command step's form holds when the user presses Run. */
export interface RunRequest {
  stepId: string;
  params: Record<string, string>;
  timeoutSec: number;
  confirmation?: string;
  /** Where to run it; absent: the target the host remembers for the section. */
  target?: Target;
  /** Run the `ssh user@server "cmd"` step's inner command on the target over Opsdeck's own connection. */
  useRemoteHint?: boolean;
}

interface RunState {
  runId: string | null;
  detail: RunDetail | null;
  error: string | null;
  /** The last error per step (missing params, confirmation refused, ...), shown under the step. */
  stepErrors: Record<string, string>;
  /** Steps with a call in flight, to disable their buttons and avoid double submits. */
  busy: Record<string, boolean>;
  /** Parameter values remembered for this runbook (non-secret), to prefill the forms. */
  lastParams: Record<string, string>;
  open(runId: string): Promise<void>;
  reload(): Promise<void>;
  tick(stepId: string, done: boolean): Promise<void>;
  skip(stepId: string, reason: string): Promise<boolean>;
  note(stepId: string | null, text: string): Promise<boolean>;
  runStep(request: RunRequest): Promise<boolean>;
  cancel(stepId: string, attemptId: string): Promise<void>;
  /**
   * Ends the run; with steps left, `reason` says why (the host refuses without one: `reason_required`, and then
   * no error is kept, since the caller asks for the reason instead).
   */
  finish(reason?: string): Promise<FinishOutcome>;
  /** Carries on an interrupted run. */
  resume(): Promise<boolean>;
  abort(reason: string): Promise<boolean>;
  clearStepError(stepId: string): void;
}

export type FinishOutcome = 'finished' | 'reason_required' | 'failed';

const RUN_KEY = '__run__';

/** The calls that change a run; each answers with the whole run detail. */
type RunMethod = 'runs.tick' | 'runs.skip' | 'runs.note' | 'runs.finish' | 'runs.resume' | 'runs.abort' | 'steps.run' | 'steps.cancel';

export const useRun = create<RunState>()((set, get) => {
  const accept = (detail: RunDetail): void => {
    if (detail.run.id === get().runId) set({ detail, error: null });
  };

  /**
   * Runs one call for a step (or the run), keeping `busy` and the inline error up to date; resolves to null when
   * it worked, else to the error's code (`internal` for what was not a contract error). `quiet` codes keep no error.
   */
  const attempt = async <M extends RunMethod>(
    key: string,
    method: M,
    input: MethodInput<M>,
    quiet: readonly string[] = [],
  ): Promise<string | null> => {
    set({ busy: { ...get().busy, [key]: true } });
    try {
      // Every RunMethod outputs RunDetail; TypeScript does not resolve the generic output to it.
      accept((await client.call(method, input)) as RunDetail);
      const { [key]: _cleared, ...rest } = get().stepErrors;
      set({ stepErrors: rest });
      return null;
    } catch (error) {
      const code = error instanceof ContractError ? error.code : 'internal';
      if (quiet.includes(code)) {
        const { [key]: _cleared, ...rest } = get().stepErrors;
        set({ stepErrors: rest });
      } else {
        set({ stepErrors: { ...get().stepErrors, [key]: errorMessage(error) } });
      }
      return code;
    } finally {
      const { [key]: _done, ...rest } = get().busy;
      set({ busy: rest });
    }
  };
  const act = async <M extends RunMethod>(key: string, method: M, input: MethodInput<M>): Promise<boolean> =>
    (await attempt(key, method, input)) === null;

  return {
    runId: null,
    detail: null,
    error: null,
    stepErrors: {},
    busy: {},
    lastParams: {},
    async open(runId) {
      if (get().runId !== runId) {
        set({ runId, detail: null, error: null, stepErrors: {}, busy: {}, lastParams: {} });
      }
      await get().reload();
      const detail = get().detail;
      if (!detail || get().runId !== runId) return;
      try {
        const lastParams = await client.call('runbooks.lastParams', { id: detail.run.runbookId });
        if (get().runId === runId) set({ lastParams });
      } catch {
        // Prefilling is a convenience: without it the fields are just empty.
      }
    },
    async reload() {
      const runId = get().runId;
      if (!runId) return;
      try {
        accept(await client.call('runs.get', { runId }));
      } catch (error) {
        if (get().runId === runId) set({ error: errorMessage(error) });
      }
    },
    async tick(stepId, done) {
      const runId = get().runId;
      if (runId) await act(stepId, 'runs.tick', { runId, stepId, done });
    },
    async skip(stepId, reason) {
      const runId = get().runId;
      return runId ? act(stepId, 'runs.skip', { runId, stepId, reason }) : false;
    },
    async note(stepId, text) {
      const runId = get().runId;
      return runId ? act(stepId ?? RUN_KEY, 'runs.note', { runId, stepId, text }) : false;
    },
    async runStep(request) {
      const runId = get().runId;
      if (!runId) return false;
      return act(request.stepId, 'steps.run', {
        runId,
        stepId: request.stepId,
        params: request.params,
        timeoutSec: request.timeoutSec,
        ...(request.confirmation === undefined ? {} : { confirmation: request.confirmation }),
        ...(request.target === undefined ? {} : { target: request.target }),
        ...(request.useRemoteHint === undefined ? {} : { useRemoteHint: request.useRemoteHint }),
      });
    },
    async cancel(stepId, attemptId) {
      const runId = get().runId;
      if (runId) await act(stepId, 'steps.cancel', { runId, attemptId });
    },
    async finish(reason) {
      const runId = get().runId;
      if (!runId) return 'failed';
      const trimmed = reason?.trim() ?? '';
      const code = await attempt(RUN_KEY, 'runs.finish', { runId, ...(trimmed ? { reason: trimmed } : {}) }, trimmed ? [] : ['reason_required']);
      return code === null ? 'finished' : code === 'reason_required' ? 'reason_required' : 'failed';
    },
    async resume() {
      const runId = get().runId;
      return runId ? act(RUN_KEY, 'runs.resume', { runId }) : false;
    },
    async abort(reason) {
      const runId = get().runId;
      const trimmed = reason.trim();
      return runId ? act(RUN_KEY, 'runs.abort', { runId, ...(trimmed ? { reason: trimmed } : {}) }) : false;
    },
    clearStepError(stepId) {
      const { [stepId]: _cleared, ...rest } = get().stepErrors;
      set({ stepErrors: rest });
    },
  };
});

/** The key under which run-level errors and busy flags (finish, abort, run notes) are kept. */
export const runKey = RUN_KEY;

client.on('run.updated', (detail) => {
  if (detail.run.id === useRun.getState().runId) useRun.setState({ detail });
});

// Events sent while the socket was down are lost: fetch the whole run again once it is back.
connection.onState((state) => {
  if (state === 'connected') void useRun.getState().reload();
});
