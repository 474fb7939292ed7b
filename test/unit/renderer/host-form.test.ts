// The host form: typed text becomes the contract's fields, obvious mistakes are caught before sending, and the
// host's own refusal lands next to the field it is about.
import { describe, expect, it } from 'vitest';
import type { Host } from '../../../shared/contract/hosts.js';
import { HostFields } from '../../../shared/contract/hosts.js';
import { draftFromHost, draftToFields, emptyDraft, errorsFromHost, formatEndpoint, splitList } from '../../../renderer/features/hosts/host-form.js';

const host: Host = {
  id: 'h1',
  name: 'web-1',
  address: '10.0.0.5',
  port: 2222,
  user: 'deploy',
  identityFile: '~/.ssh/id_ed25519',
  identityAgent: '/run/agent.sock',
  jump: ['bastion', 'ops@gw:2200'],
  tags: ['web', 'prod'],
  notes: 'rack 4',
  forwardAgent: true,
  source: 'ssh-config',
  updatedAt: '2025-01-01T00:00:00.000Z',
};

describe('splitList', () => {
  it('trims items, drops empty ones and duplicates', () => {
    expect(splitList(' web, prod,,web , ')).toEqual(['web', 'prod']);
    expect(splitList('')).toEqual([]);
  });
});

describe('draftToFields', () => {
  it('round-trips a stored host, keeping the identity agent the form does not show', () => {
    const result = draftToFields(draftFromHost(host));
    expect(result).toEqual({
      ok: true,
      fields: {
        name: 'web-1', address: '10.0.0.5', port: 2222, user: 'deploy', identityFile: '~/.ssh/id_ed25519',
        identityAgent: '/run/agent.sock', jump: ['bastion', 'ops@gw:2200'], tags: ['web', 'prod'], notes: 'rack 4', forwardAgent: true,
      },
    });
    if (result.ok) expect(HostFields.safeParse(result.fields).success).toBe(true);
  });

  it('sends empty user and identity file as null and an empty port as 22', () => {
    const result = draftToFields({ ...emptyDraft(), name: 'db', address: 'db.example.net', port: '' });
    expect(result.ok && result.fields).toMatchObject({ port: 22, user: null, identityFile: null, jump: [], tags: [] });
  });

  it('names each field that is wrong before anything is sent', () => {
    const result = draftToFields({ ...emptyDraft(), name: 'web 1', address: '', port: '70000', tags: 'web, my tag' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors.fields).sort()).toEqual(['address', 'name', 'port', 'tags']);
  });
});

describe('errorsFromHost', () => {
  it('splits a schema refusal onto its fields, array items onto their list', () => {
    const errors = errorsFromHost('invalid_input', 'hosts.save: port: Too big: expected number to be <=65535; tags.1: Invalid string; odd: x');
    expect(errors.fields).toEqual({ port: 'Too big: expected number to be <=65535', tags: 'Invalid string' });
    expect(errors.general).toBe('odd: x');
  });

  it('puts a taken name on the name field and anything else in the general message', () => {
    expect(errorsFromHost('conflict', 'a host named "web-1" exists already').fields.name).toMatch(/exists already/);
    expect(errorsFromHost('unavailable', 'Opsdeck is not reachable')).toEqual({ fields: {}, general: 'Opsdeck is not reachable' });
  });
});

describe('formatEndpoint', () => {
  it('reads user@address:port, without a user when none is set', () => {
    expect(formatEndpoint(host)).toBe('deploy@10.0.0.5:2222');
    expect(formatEndpoint({ user: null, address: 'db', port: 22 })).toBe('db:22');
  });
});
