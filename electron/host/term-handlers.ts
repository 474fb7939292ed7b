/**
 * Contract handlers for terminals and for rendering a step to paste into one. (Being built: see the terminal issue.)
 */
import type { Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';

export type TermMethods = 'term.open' | 'term.list' | 'term.input' | 'term.resize' | 'term.ack' | 'term.close' | 'term.record' | 'steps.render';

export function createTermHandlers(): Pick<Handlers, TermMethods> {
  const unavailable = (): never => {
    throw new ContractError('unavailable', 'terminals are not available yet');
  };
  return {
    'term.open': unavailable,
    'term.list': () => [],
    'term.input': unavailable,
    'term.resize': unavailable,
    'term.ack': unavailable,
    'term.close': unavailable,
    'term.record': unavailable,
    'steps.render': unavailable,
  };
}
