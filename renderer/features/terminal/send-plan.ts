/**
 * Where "Send to terminal" pastes a command step: the active terminal while it is alive; otherwise a new one, an
 * SSH shell on the run's target when that is one host, else a local shell. And whether to paste the inner command
 * of an `ssh user@server "cmd"` step (only into an SSH shell: a local shell needs the whole ssh line).
 */
import type { Target } from '../../../shared/contract/hosts.js';
import type { TermSpec } from '../../stores/terminal-tabs.js';

export type SendPlan = { kind: 'existing'; id: string; terminalKind: 'local' | 'ssh' } | { kind: 'open'; spec: TermSpec };

export interface ActiveTerminal {
  id: string;
  kind: 'local' | 'ssh';
  exited: boolean;
}

export function planSend(active: ActiveTerminal | null, target: Target | null): SendPlan {
  if (active && !active.exited) return { kind: 'existing', id: active.id, terminalKind: active.kind };
  return { kind: 'open', spec: target?.kind === 'host' ? { kind: 'ssh', host: target.host } : { kind: 'local' } };
}

export function planTerminalKind(plan: SendPlan): 'local' | 'ssh' {
  return plan.kind === 'existing' ? plan.terminalKind : plan.spec.kind;
}

/**
 * `useRemoteHint` for `steps.render`: undefined when the step has no ssh hint for this target (the host decides),
 * else whether the user's choice to run the inner command applies to where the text lands.
 */
export function remoteHintFor(offered: boolean, chosen: boolean, plan: SendPlan): boolean | undefined {
  if (!offered) return undefined;
  return chosen && planTerminalKind(plan) === 'ssh';
}
