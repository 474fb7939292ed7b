/**
 * Contract handlers for the inventory, remembered targets and connection prompts: thin translations to the host
 * store, the ssh_config reader, the remote service and the prompt broker.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { HostFields, HostTest, SshConfigPreview } from '../../shared/contract/hosts.js';
import type { PromptBroker } from '../services/ssh/prompt-broker.js';
import { HostStoreError, type HostStore } from '../services/store/host-store.js';
import type { LibraryStore } from '../services/store/library-store.js';

type HostMethods =
  | 'hosts.list'
  | 'hosts.save'
  | 'hosts.remove'
  | 'hosts.previewSshConfig'
  | 'hosts.importSshConfig'
  | 'hosts.test'
  | 'hosts.forgetKey'
  | 'targets.get'
  | 'targets.set'
  | 'prompts.pending'
  | 'prompts.answer';

export interface HostHandlerDeps {
  hosts: HostStore;
  library: LibraryStore;
  prompts: PromptBroker;
  previewSshConfig(file: string): Promise<SshConfigPreview>;
  testHost(name: string): Promise<HostTest>;
  /** Drops pooled connections to a host whose entry changed or whose key was forgotten. */
  disconnect(name: string): void;
}

const DEFAULT_SSH_CONFIG = join(homedir(), '.ssh', 'config');

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof HostStoreError) throw new ContractError(error.code === 'conflict' ? 'conflict' : 'not_found', error.message);
    throw error;
  }
}

export function createHostHandlers(deps: HostHandlerDeps): Pick<Handlers, HostMethods> {
  const { hosts } = deps;
  const named = (name: string) => {
    const host = hosts.byName(name);
    if (!host) throw new ContractError('not_found', `no host "${name}" in the inventory`);
    return host;
  };
  return {
    'hosts.list': () => hosts.list(),
    'hosts.save': ({ id, ...fields }) =>
      guard(() => {
        const before = id ? hosts.byId(id) : undefined;
        const saved = hosts.save(fields, { id, source: before?.source ?? 'manual' });
        if (before) deps.disconnect(before.name);
        return saved;
      }),
    'hosts.remove': ({ id }) => {
      const host = hosts.byId(id);
      if (host) deps.disconnect(host.name);
      return { removed: hosts.remove(id) };
    },
    'hosts.previewSshConfig': async ({ path }) => {
      const preview = await deps.previewSshConfig(path ?? DEFAULT_SSH_CONFIG);
      return { ...preview, hosts: preview.hosts.map((h) => ({ ...h, exists: hosts.byName(h.name) !== undefined })) };
    },
    'hosts.importSshConfig': async ({ path, names }) => {
      const preview = await deps.previewSshConfig(path ?? DEFAULT_SSH_CONFIG);
      const wanted = new Set(names);
      const chosen = preview.hosts.filter((h) => wanted.has(h.name));
      const missing = names.filter((n) => !chosen.some((h) => h.name === n));
      if (missing.length > 0) throw new ContractError('not_found', `not in ${preview.file}: ${missing.join(', ')}`);
      return guard(() =>
        chosen.map((h) => {
          const existing = hosts.byName(h.name);
          const fields: HostFields = { ...h, tags: existing ? existing.tags : h.tags, notes: existing?.notes || h.notes };
          if (existing) deps.disconnect(existing.name);
          return hosts.save(fields, { id: existing?.id, source: 'ssh-config' });
        }),
      );
    },
    'hosts.test': ({ name }) => deps.testHost(named(name).name),
    'hosts.forgetKey': ({ name }) => {
      const host = named(name);
      deps.disconnect(host.name);
      const removed = hosts.keys.remove(host.name, host.port) + (host.address !== host.name ? hosts.keys.remove(host.address, host.port) : 0);
      return { removed };
    },
    'targets.get': ({ runbookId, sectionId }) => hosts.target(runbookId, sectionId) ?? { kind: 'local' },
    'targets.set': ({ runbookId, sectionId, target }) => {
      deps.library.get(runbookId);
      if (target.kind === 'host') named(target.host);
      hosts.setTarget(runbookId, sectionId, target);
      return target;
    },
    'prompts.pending': () => deps.prompts.pending(),
    'prompts.answer': ({ id, answer }) => ({ answered: deps.prompts.answer(id, answer) }),
  };
}
