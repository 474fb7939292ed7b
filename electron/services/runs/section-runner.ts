/**
 * Runs a section's command steps unattended, in order, stopping at the first that does not succeed, and records
 * the run exactly as the cockpit would. It lives in the owner process, so `opsdeck run` (a client that follows the
 * run's events) and, later, the scheduler share it; the run goes on if the client that started it goes away.
 */
import type { CallContext } from '../../../shared/contract/dispatch.js';
import { ContractError } from '../../../shared/contract/errors.js';
import type { Target } from '../../../shared/contract/hosts.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import type { RunService } from './run-service.js';
import { sectionSteps } from './run-state.js';

/** How the note on a step that could not start begins. */
export const NOT_STARTED = 'Not started: ';

export interface SectionRunRequest {
  runbookId: string;
  sectionId: string;
  versionId?: string | undefined;
  /** Values by parameter name; each step gets the ones it uses. */
  params: Record<string, string>;
  target: Target;
  /** For destructive steps: the target's name, as the operator would type it (`--yes` on the command line). */
  confirmation?: string | undefined;
  origin: CallContext['origin'];
}

export interface SectionRunner {
  /**
   * Starts the run and its first step; resolves with the run as started. `done` settles once the run has ended
   * (completed, failed, or aborted from elsewhere) with its final state; it never rejects.
   */
  start(request: SectionRunRequest): { detail: RunDetail; done: Promise<RunDetail> };
  /** Resolves once every section run in progress has stopped (used when the owner closes). */
  dispose(): Promise<void>;
}

export function createSectionRunner(deps: { runs: RunService }): SectionRunner {
  const { runs } = deps;
  const inProgress = new Set<Promise<RunDetail>>();

  async function loop(runId: string, request: SectionRunRequest): Promise<RunDetail> {
    const commands = sectionSteps(runs.get(runId).section).filter((s) => s.kind === 'command');
    for (const step of commands) {
      if (runs.get(runId).run.status !== 'running') return runs.get(runId);
      try {
        const started = runs.runStep({
          runId,
          stepId: step.id,
          params: Object.fromEntries(step.params.map((n) => [n, request.params[n] ?? ''])),
          target: request.target,
          // On a host, `ssh user@server "cmd"` means: run cmd there, over Opsdeck's own connection.
          useRemoteHint: request.target.kind !== 'local' && step.remote !== null,
          confirmation: request.confirmation,
        });
        await started.detail;
        await started.done;
      } catch (error) {
        // A step that cannot start (a missing value, an unconfirmed destructive step) ends the run: aborted, the reason noted on the step.
        runs.note(runId, step.id, `${NOT_STARTED}${error instanceof Error ? error.message : String(error)}`);
        return settle(runId, 'failed to start');
      }
      const state = runs.get(runId).steps.find((s) => s.stepId === step.id);
      if (state?.status !== 'succeeded') break;
    }
    return settle(runId, null);
  }

  /** Ends the run unless it was already ended from elsewhere (aborted from a window, Ctrl-C in the CLI). */
  function settle(runId: string, abortReason: string | null): RunDetail {
    const current = runs.get(runId);
    if (current.run.status !== 'running') return current;
    if (abortReason === null) return runs.finish(runId);
    // Nothing is running: abort only records the reason.
    void runs.abort(runId, abortReason);
    return runs.get(runId);
  }

  return {
    start(request) {
      const detail = runs.start({ runbookId: request.runbookId, sectionId: request.sectionId, versionId: request.versionId, origin: request.origin, target: request.target });
      if (!sectionSteps(detail.section).some((s) => s.kind === 'command')) {
        void runs.abort(detail.run.id, 'no command steps to run');
        throw new ContractError('invalid_input', `section "${detail.run.sectionTitle}" has no command steps to run`);
      }
      const done = loop(detail.run.id, request).catch(() => runs.get(detail.run.id));
      inProgress.add(done);
      void done.finally(() => inProgress.delete(done));
      return { detail, done };
    },
    async dispose() {
      await Promise.all([...inProgress]);
    },
  };
}
