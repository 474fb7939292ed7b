/**
 * What stands between a step and its start, as the run service, the section runner and the CLI all say it: the
 * name typed to confirm a destructive step, and the note on a step that could not start. Zod-free and free of the
 * run service, so the CLI's startup does not load them.
 */
import type { Target } from '../../../shared/contract/hosts.js';

/** How the note on a step that could not start begins. */
export const NOT_STARTED = 'Not started: ';

/** What the operator types to confirm a destructive step on `target`, and how to name it. */
export function confirmationOf(target: Target, hostname: string): { expect: string; what: string } {
  if (target.kind === 'local') return { expect: hostname, what: 'the machine name' };
  if (target.kind === 'host') return { expect: target.host, what: 'the host name' };
  return { expect: target.tag, what: 'the tag' };
}
