/**
 * Where a run's steps go, as the target selector needs it: a Target as a <select> value (`local`, `host:<name>`,
 * `tag:<tag>`) and back, the options the inventory offers, and the name a destructive step's confirmation must
 * repeat. Pure, so the mapping is unit-tested.
 */
import type { Host, Target } from '../../../shared/contract/hosts.js';
import type { TargetValue } from '../../../shared/contract/target-value.js';
import { assertNever } from '../../components/assert-never.js';

/** The house default for a tag (hosts at once), the same as the host's when none is sent. */
export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 200;

export { targetToValue, type TargetValue } from '../../../shared/contract/target-value.js';

/**
 * The target a selected value means; a tag chosen again keeps the fan-out options it had. Null for a value that is
 * none of the three shapes (or names nothing).
 */
export function valueToTarget(value: string, previous: Target | null = null): Target | null {
  if (value === 'local') return { kind: 'local' };
  if (value.startsWith('host:')) {
    const host = value.slice('host:'.length);
    return host ? { kind: 'host', host } : null;
  }
  if (value.startsWith('tag:')) {
    const tag = value.slice('tag:'.length);
    if (!tag) return null;
    if (previous?.kind === 'tag' && previous.tag === tag) return previous;
    return { kind: 'tag', tag };
  }
  return null;
}

export interface TargetOption {
  value: TargetValue;
  label: string;
  group: 'local' | 'hosts' | 'tags';
}

/**
 * This machine, every host, every tag (with how many hosts carry it), sorted by name; plus the current target when
 * the inventory no longer has it, so the selector shows what is remembered instead of silently changing it.
 */
export function targetOptions(hosts: readonly Pick<Host, 'name' | 'tags'>[], current: Target | null): TargetOption[] {
  const options: TargetOption[] = [{ value: 'local', label: 'This machine', group: 'local' }];
  const names = [...new Set(hosts.map((host) => host.name))].sort((a, b) => a.localeCompare(b));
  const tagCounts = new Map<string, number>();
  for (const host of hosts) for (const tag of new Set(host.tags)) tagCounts.set(tag, (tagCounts.get(tag) ?? 0) + 1);
  if (current?.kind === 'host' && !names.includes(current.host)) names.push(current.host);
  if (current?.kind === 'tag' && !tagCounts.has(current.tag)) tagCounts.set(current.tag, 0);
  for (const name of names) {
    const missing = !hosts.some((host) => host.name === name);
    options.push({ value: `host:${name}`, label: missing ? `${name} (not in the inventory)` : name, group: 'hosts' });
  }
  for (const tag of [...tagCounts.keys()].sort((a, b) => a.localeCompare(b))) {
    const count = tagCounts.get(tag) ?? 0;
    options.push({ value: `tag:${tag}`, label: `${tag} (${count === 0 ? 'no hosts' : count === 1 ? '1 host' : `${count} hosts`})`, group: 'tags' });
  }
  return options;
}

/** The name a destructive step's confirmation must repeat: the machine's, the host's or the tag. */
export function confirmationName(target: Target, hostname: string | undefined): string | null {
  switch (target.kind) {
    case 'local':
      return hostname ?? null;
    case 'host':
      return target.host;
    case 'tag':
      return target.tag;
    default:
      return assertNever(target);
  }
}

/** What the confirmation asks for, in words: `the machine name`, `the host name`, `the tag`. */
export function confirmationWhat(target: Target): string {
  return target.kind === 'local' ? 'the machine name' : target.kind === 'host' ? 'the host name' : 'the tag';
}

/** How a target reads in a sentence: `this machine`, `web-1`, `every host tagged web`. */
export function targetLabel(target: Target): string {
  switch (target.kind) {
    case 'local':
      return 'this machine';
    case 'host':
      return target.host;
    case 'tag':
      return `every host tagged ${target.tag}`;
    default:
      return assertNever(target);
  }
}

/** A typed concurrency: a whole number from 1 to 200, else null (the field shows it as invalid). */
export function parseConcurrency(text: string): number | null {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return null;
  const value = Number(trimmed);
  return value >= 1 && value <= MAX_CONCURRENCY ? value : null;
}

/** Whether a command step gets the "run the inner command over Opsdeck's connection" option for this target. */
export function offersRemoteHint(step: { kind: string; remote: unknown }, target: Target): boolean {
  return step.kind === 'command' && step.remote !== null && target.kind !== 'local';
}
