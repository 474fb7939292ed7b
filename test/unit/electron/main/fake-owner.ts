/**
 * A remote owner for the desktop app's tests: the real owner socket (electron/host/owner-socket.ts) in front of a
 * small host that answers every call with what it was asked and who asked, and owner.json files written as a
 * daemon, `serve` or CLI command would write them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { serveOwnerSocket, type OwnerSocketServer } from '../../../../electron/host/owner-socket.js';
import type { HostLike } from '../../../../electron/host/ws-server.js';
import { identify } from '../../../../electron/services/runs/process-identity.js';
import type { OwnerInfo, OwnerKind } from '../../../../electron/services/store/owner-lock.js';
import type { CallContext } from '../../../../shared/contract/dispatch.js';
import type { RpcResult } from '../../../../shared/contract/wire.js';

export interface FakeOwner {
  name: string;
  socket: string;
  calls: Array<{ method: string; input: unknown; ctx: CallContext | undefined }>;
  /** Sends an event to every connected client. */
  emit(event: string, payload: unknown): void;
  /** Clients connected now. */
  readonly clients: number;
  closed: boolean;
  close(): Promise<void>;
}

export async function startFakeOwner(dir: string, name: string): Promise<FakeOwner> {
  const listeners = new Set<(event: string, payload: unknown) => void>();
  const calls: FakeOwner['calls'] = [];
  const host: HostLike = {
    async dispatch(method, input, ctx): Promise<RpcResult> {
      calls.push({ method, input, ctx });
      return { ok: true, result: { answeredBy: name, method } };
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  const server: OwnerSocketServer = await serveOwnerSocket(host, join(dir, `${name}.sock`));
  const owner: FakeOwner = {
    name,
    socket: server.path,
    calls,
    emit: (event, payload) => listeners.forEach((l) => l(event, payload)),
    get clients() {
      return listeners.size;
    },
    closed: false,
    async close() {
      owner.closed = true;
      await server.close();
    },
  };
  return owner;
}

/** owner.json as the owner of `kind` writes it; `pid` defaults to this (live) process. */
export function writeOwnerJson(dataDir: string, kind: OwnerKind, extra: Partial<OwnerInfo> = {}): OwnerInfo {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const pid = extra.pid ?? process.pid;
  const info: OwnerInfo = {
    pid,
    pidStart: identify(pid).start,
    kind,
    version: '0.1.0',
    startedAt: new Date().toISOString(),
    ...(kind === 'cli' ? { command: 'run' } : {}),
    ...extra,
  };
  writeFileSync(join(dataDir, 'owner.json'), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  return info;
}
