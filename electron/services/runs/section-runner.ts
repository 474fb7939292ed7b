/**
 * Runs a section's command steps unattended, in order, stopping at the first that does not succeed, and records
 * the run exactly as the cockpit would. It lives in the owner process, so `opsdeck run` (a client that follows the
 * run's events) and, later, the scheduler share it; the run goes on if the client that started it goes away.
 */
import type { CallContext } from '../../../shared/contract/dispatch.js';
import { ContractError } from '../../../shared/contract/errors.js';
import type { Target } from '../../../shared/contract/hosts.js';
import type { Prompt, PromptAnswer } from '../../../shared/contract/hosts.js';
import type { RunDetail } from '../../../shared/contract/schemas.js';
import type { RunService } from './run-service.js';
import { confirmationOf, NOT_STARTED } from './step-gates.js';
import { sectionSteps } from './run-state.js';

export { NOT_STARTED };

export interface SectionRunRequest {
  runbookId: string;
  sectionId: string;
  versionId?: string | undefined;
  /** Values by parameter name; each step gets the ones it uses. */
  params: Record<string, string>;
  target: Target;
  /** For destructive steps: the target's name, as the operator would type it (`--yes` on the command line). */
  confirmation?: string | undefined;
  /** Ask (a `step-confirmation` prompt) before each destructive step that `confirmation` does not confirm. */
  askConfirmation?: boolean | undefined;
  /** Carry on this interrupted run instead of starting one: steps succeeded or skipped stay so. */
  resumeRunId?: string | undefined;
  origin: CallContext['origin'];
}

type StepQuestion = Omit<Extract<Prompt, { kind: 'step-confirmation' }>, 'id'>;

export interface SectionRunner {
  /**
   * Starts the run and its first step; resolves with the run as started. `done` settles once the run has ended
   * (completed, failed, or aborted from elsewhere) with its final state; it never rejects.
   */
  start(request: SectionRunRequest): { detail: RunDetail; done: Promise<RunDetail> };
  /** Resolves once every section run in progress has stopped (used when the owner closes). */
  dispose(): Promise<void>;
}

export interface SectionRunnerDeps {
  runs: RunService;
  /** This machine's name, as typed to confirm a destructive step that runs here. */
  hostname: string;
  /** Asks the client that started the run (the prompt broker); absent: `askConfirmation` is refused. */
  ask?(question: StepQuestion): Promise<PromptAnswer>;
}

/** Step statuses a resumed run leaves alone. */
const SETTLED = new Set(['succeeded', 'skipped', 'done']);

export function createSectionRunner(deps: SectionRunnerDeps): SectionRunner {
  const { runs } = deps;
  const inProgress = new Set<Promise<RunDetail>>();

  async function loop(runId: string, request: SectionRunRequest): Promise<RunDetail> {
    const commands = sectionSteps(runs.get(runId).section).filter((s) => s.kind === 'command');
    for (const step of commands) {
      const now = runs.get(runId);
      if (now.run.status !== 'running') return now;
      if (SETTLED.has(now.steps.find((s) => s.stepId === step.id)?.status ?? 'pending')) continue; // a resumed run's finished steps
      let confirmation = request.confirmation;
      const { expect, what } = confirmationOf(request.target, deps.hostname);
      if (step.danger.level === 'destructive' && confirmation !== expect && request.askConfirmation && deps.ask) {
        const answer = await deps.ask({ kind: 'step-confirmation', runId, stepId: step.id, title: step.title, reasons: step.danger.reasons, expect, what });
        const typed = answer.kind === 'responses' ? (answer.responses[0] ?? '') : '';
        if (typed !== expect) {
          runs.note(runId, step.id, `${NOT_STARTED}${answer.kind === 'cancel' ? 'the confirmation was cancelled' : `${what} was not typed as ${expect}`}`);
          return settle(runId, 'a destructive step was not confirmed');
        }
        confirmation = typed;
      }
      try {
        const started = runs.runStep({
          runId,
          stepId: step.id,
          params: Object.fromEntries(step.params.map((n) => [n, request.params[n] ?? ''])),
          target: request.target,
          // On a host, `ssh user@server "cmd"` means: run cmd there, over Opsdeck's own connection.
          useRemoteHint: request.target.kind !== 'local' && step.remote !== null,
          confirmation,
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
    if (abortReason === null) {
      const failed = current.run.failedStep;
      // Stopped at a failure, the steps after it are left: the reason says so (the run ends failed). Checks are
      // for a person: an unattended run leaves them, and ends incomplete, saying so.
      const checks = sectionSteps(current.section).filter((s) => s.kind === 'check' && current.steps.find((st) => st.stepId === s.id)?.status !== 'done').length;
      const reason = failed ? `stopped after "${failed.title}" failed`
        : checks > 0 ? `unattended: ${checks} manual check${checks === 1 ? '' : 's'} not ticked` : undefined;
      return runs.finish(runId, reason);
    }
    // Nothing is running: abort only records the reason.
    void runs.abort(runId, abortReason);
    return runs.get(runId);
  }

  /** The interrupted run `runId`, running again: it must be a run of the requested section. */
  function resumed(request: SectionRunRequest, runId: string): RunDetail {
    const before = runs.get(runId);
    if (before.run.runbookId !== request.runbookId || before.run.sectionId !== request.sectionId) {
      throw new ContractError('invalid_input', `run ${runId} is a run of "${before.run.sectionTitle}" in another runbook or section`);
    }
    return runs.resume(runId, request.origin);
  }

  return {
    start(request) {
      if (request.askConfirmation && !deps.ask) throw new ContractError('unavailable', 'asking for confirmations is not available here');
      const detail = request.resumeRunId ? resumed(request, request.resumeRunId) : runs.start({ runbookId: request.runbookId, sectionId: request.sectionId, versionId: request.versionId, origin: request.origin, target: request.target });
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
