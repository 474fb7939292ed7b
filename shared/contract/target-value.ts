/**
 * A run's target as one string, as Run.target records it and the target selector's options carry it. Apart from
 * hosts.ts so that code needing only this (the CLI's client path) does not load zod and the contract's schemas.
 */
import type { Target } from './hosts.js';

/** A target as one string: `local`, `host:<name>` or `tag:<tag>` (the kind always spelled out: a host may be named `tag:x`). */
export type TargetValue = 'local' | `host:${string}` | `tag:${string}`;

/** How Run.target records a target, and the target selector's option values. */
export function targetToValue(target: Target): TargetValue {
  if (target.kind === 'local') return 'local';
  return target.kind === 'host' ? `host:${target.host}` : `tag:${target.tag}`;
}
