/**
 * Services a short CLI command seldom needs, loaded on first use: the bash grammar (~55 ms of wasm) and the SSH
 * stack (~50 ms to import ssh2). `opsdeck history` or `list` without a running owner then pays for neither; a
 * long-lived owner loads both at start (`preload`), so nobody's first step waits.
 */
import type { ShellParser, ShellTree } from '../../shared/runbook/shell.js';
import type { RemoteService } from '../services/ssh/remote-service.js';

export interface LazyShell extends ShellParser {
  /** Loads the grammar if it is not loaded yet; `parse` works once this has resolved. */
  ready(): Promise<void>;
}

export function createLazyShell(load: () => Promise<ShellParser>): LazyShell {
  let parser: ShellParser | null = null;
  let loading: Promise<void> | null = null;
  return {
    ready() {
      loading ??= load().then((p) => {
        parser = p;
      });
      return loading;
    },
    parse(source: string): ShellTree {
      if (!parser) throw new Error('the shell grammar is not loaded yet (call ready() first)');
      return parser.parse(source);
    },
  };
}

/** The remote service, imported and created when something first needs SSH. */
export function createLazyRemote(load: () => Promise<RemoteService>, hostsWithTag: (tag: string) => string[]): RemoteService & { preload(): Promise<void> } {
  let loaded: RemoteService | null = null;
  let loading: Promise<RemoteService> | null = null;
  const get = (): Promise<RemoteService> => {
    loading ??= load().then((r) => (loaded = r));
    return loading;
  };
  return {
    runner: {
      hostsWithTag: (tag) => (loaded ? loaded.runner.hostsWithTag(tag) : hostsWithTag(tag)),
      // Once loaded, no await before exec: on a warm connection the channel opens before the caller records the start.
      exec: (host, command, opts) => (loaded ? loaded.runner.exec(host, command, opts) : get().then((r) => r.runner.exec(host, command, opts))),
    },
    test: async (name) => (await get()).test(name),
    previewSshConfig: async (file) => (await get()).previewSshConfig(file),
    openShell: async (name, opts) => (await get()).openShell(name, opts),
    // Nothing loaded means no connection to close.
    disconnect: (name) => loaded?.disconnect(name),
    dispose: async () => {
      if (loading) await (await loading).dispose();
    },
    preload: async () => {
      await get();
    },
  };
}
