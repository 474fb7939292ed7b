/**
 * The `handover.*` handlers of `handoverMethods`: thin translations to the handover service, which the host wires to
 * the owner's database, runs, scheduler, incidents and library.
 */
import type { Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { handoverMethods } from '../../shared/contract/incidents.js';
import type { HandoverService } from '../services/handover/handover-service.js';
import { StoreError } from '../services/store/store-error.js';

type HandoverMethod = Extract<keyof Handlers, keyof typeof handoverMethods>;

/** A handover that does not exist is `not_found`; a prefix of several is `ambiguous`, as everywhere in the contract. */
async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError) throw new ContractError(error.code === 'not_found' ? 'not_found' : error.code === 'ambiguous' ? 'ambiguous' : 'unavailable', error.message);
    throw error;
  }
}

export function createHandoverHandlers(handovers: HandoverService): Pick<Handlers, HandoverMethod> {
  return {
    'handover.draft': (input) => guard(() => handovers.draft(input.carry)),
    'handover.signOff': (input) => guard(() => handovers.signOff(input.markdown, input.carry)),
    'handover.acknowledge': (input) => guard(() => handovers.acknowledge(input.id)),
    'handover.list': (input) => guard(() => handovers.list(input.limit)),
  };
}
