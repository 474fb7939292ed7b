/**
 * Contract handlers for terminals (a thin layer over the terminal service) and for rendering a command step as text
 * to paste into one.
 */
import type { Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { RunDetail } from '../../shared/contract/schemas.js';
import type { ShellParser } from '../../shared/runbook/shell.js';
import { StoreError } from '../services/store/store-error.js';
import { renderStep } from '../services/terminal/render-step.js';
import type { TerminalService } from '../services/terminal/terminal-service.js';

export type TermMethods = 'term.open' | 'term.list' | 'term.input' | 'term.resize' | 'term.ack' | 'term.close' | 'term.snapshot' | 'term.view' | 'term.record' | 'steps.render';

export interface TermHandlerDeps {
  terminals: TerminalService;
  /** Loads a run (throws ContractError not_found for an unknown id): the run service's `get`. */
  runs: { get(runId: string): RunDetail };
  /** The bash grammar, to place parameter values in `steps.render`. */
  shell: ShellParser;
}

/** Loads a run, turning the store's "no such record" into the contract's. */
function loadRun(deps: TermHandlerDeps, runId: string): RunDetail {
  try {
    return deps.runs.get(runId);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'not_found') throw new ContractError('not_found', error.message);
    throw error;
  }
}

export function createTermHandlers(deps: TermHandlerDeps): Pick<Handlers, TermMethods> {
  const { terminals } = deps;
  return {
    'term.open': (input) => terminals.open(input),
    'term.list': () => terminals.list(),
    'term.input': (input) => {
      terminals.input(input.id, input.data);
      return {};
    },
    'term.resize': (input) => {
      terminals.resize(input.id, input.cols, input.rows);
      return {};
    },
    'term.ack': (input) => {
      terminals.ack(input.id, input.chars);
      return {};
    },
    'term.close': (input) => {
      terminals.close(input.id);
      return {};
    },
    'term.snapshot': (input) => terminals.snapshot(input.id),
    'term.view': (input) => {
      terminals.view(input.viewer, input.ids);
      return {};
    },
    'term.record': (input) => {
      if (input.runId !== null) {
        const detail = loadRun(deps, input.runId);
        if (detail.run.status !== 'running') throw new ContractError('conflict', `the run has ended (${detail.run.status}): start a new one to record into`);
      }
      return terminals.record(input.id, input.runId);
    },
    'steps.render': (input) => ({ text: renderStep(loadRun(deps, input.runId), input, deps.shell) }),
  };
}
