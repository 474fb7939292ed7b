// The run header's target selector: select values round-trip to targets, options come from the inventory, and a
// destructive step's confirmation asks for the right name.
import { describe, expect, it } from 'vitest';
import type { Target } from '../../../shared/contract/hosts.js';
import {
  confirmationName,
  offersRemoteHint,
  parseConcurrency,
  targetOptions,
  targetToValue,
  valueToTarget,
} from '../../../renderer/features/run/target-value.js';

describe('targetToValue / valueToTarget', () => {
  it('round-trips this machine, a host and a tag', () => {
    const targets: Target[] = [{ kind: 'local' }, { kind: 'host', host: 'web-1' }, { kind: 'tag', tag: 'prod' }];
    expect(targets.map(targetToValue)).toEqual(['local', 'host:web-1', 'tag:prod']);
    for (const target of targets) expect(valueToTarget(targetToValue(target))).toEqual(target);
  });

  it('keeps host names with colons whole', () => {
    expect(valueToTarget('host:db:2')).toEqual({ kind: 'host', host: 'db:2' });
  });

  it('keeps a tag’s fan-out options when the same tag is chosen again, and drops them for another tag', () => {
    const previous: Target = { kind: 'tag', tag: 'web', concurrency: 3, stopOnFailure: true, canary: true };
    expect(valueToTarget('tag:web', previous)).toEqual(previous);
    expect(valueToTarget('tag:db', previous)).toEqual({ kind: 'tag', tag: 'db' });
  });

  it('refuses values that name nothing', () => {
    for (const value of ['', 'host:', 'tag:', 'web-1', 'hosts:web-1']) expect(valueToTarget(value)).toBeNull();
  });
});

describe('targetOptions', () => {
  const hosts = [
    { name: 'web-2', tags: ['web', 'prod'] },
    { name: 'db-1', tags: ['prod'] },
    { name: 'web-1', tags: ['web', 'prod', 'web'] },
  ];

  it('lists this machine, hosts by name, then tags with their host counts', () => {
    expect(targetOptions(hosts, { kind: 'local' }).map((option) => [option.value, option.label])).toEqual([
      ['local', 'This machine'],
      ['host:db-1', 'db-1'],
      ['host:web-1', 'web-1'],
      ['host:web-2', 'web-2'],
      ['tag:prod', 'prod (3 hosts)'],
      ['tag:web', 'web (2 hosts)'],
    ]);
  });

  it('keeps a remembered host or tag the inventory no longer has, marked as such', () => {
    expect(targetOptions(hosts, { kind: 'host', host: 'gone' }).find((option) => option.value === 'host:gone')?.label).toBe(
      'gone (not in the inventory)',
    );
    expect(targetOptions([], { kind: 'tag', tag: 'old' }).map((option) => option.label)).toEqual(['This machine', 'old (no hosts)']);
  });
});

describe('confirmationName', () => {
  it('is the machine name here, the host name for a host and the tag for a tag', () => {
    expect(confirmationName({ kind: 'local' }, 'laptop')).toBe('laptop');
    expect(confirmationName({ kind: 'local' }, undefined)).toBeNull();
    expect(confirmationName({ kind: 'host', host: 'web-1' }, 'laptop')).toBe('web-1');
    expect(confirmationName({ kind: 'tag', tag: 'prod', concurrency: 2 }, 'laptop')).toBe('prod');
  });
});

describe('parseConcurrency', () => {
  it('accepts whole numbers from 1 to 200 only', () => {
    expect(['1', ' 10 ', '200'].map(parseConcurrency)).toEqual([1, 10, 200]);
    expect(['0', '201', '2.5', '-1', '', 'ten', '1e2'].map(parseConcurrency)).toEqual([null, null, null, null, null, null, null]);
  });
});

describe('offersRemoteHint', () => {
  const remote = { user: 'deploy', host: 'server', port: null, command: 'systemctl restart app' };
  it('is offered for ssh steps on a host or a tag, never on this machine', () => {
    expect(offersRemoteHint({ kind: 'command', remote }, { kind: 'host', host: 'web-1' })).toBe(true);
    expect(offersRemoteHint({ kind: 'command', remote }, { kind: 'tag', tag: 'web' })).toBe(true);
    expect(offersRemoteHint({ kind: 'command', remote }, { kind: 'local' })).toBe(false);
    expect(offersRemoteHint({ kind: 'command', remote: null }, { kind: 'host', host: 'web-1' })).toBe(false);
  });
});
