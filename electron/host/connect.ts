/**
 * How a CLI command reaches the data: through the running owner's socket when there is one (its events then reach
 * every open window), otherwise by owning the directory itself for the command's duration. Either way the command
 * gets the same `dispatch` and events. The host's services are loaded only in the second case, so a command
 * answered by the owner starts fast.
 */
import type { CallContext } from '../../shared/contract/dispatch.js';
import type { RpcResult } from '../../shared/contract/wire.js';
import { describeOwner, ensurePrivateDir, readOwner, type OwnerInfo } from '../services/store/owner-lock.js';
import { connectToOwner } from './owner-socket.js';

/** What a command needs of the host, wherever it runs. */
export interface ContractHost {
  dispatch(method: string, input: unknown, ctx?: CallContext): Promise<RpcResult>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
  close(): Promise<void>;
}

export interface CommandHost extends ContractHost {
  /** `owner`: answered by the running owner (named in `owner`); `direct`: this process owns the directory. */
  via: 'owner' | 'direct';
  owner: OwnerInfo | null;
}

export interface OpenCommandOptions {
  dataDir: string;
  /** The command, named in owner.json while this process owns the directory (`run`, `import`, ...). */
  command: string;
  version: string;
  onInternalError?: (method: string, error: unknown) => void;
  /** Told once when the command has to wait for another command that owns the directory. */
  onWait?: (line: string) => void;
}

/** A problem with the data directory the user named: one line, exit 2. */
export class DataDirError extends Error {
  override readonly name = 'DataDirError';
}

/** How often to look again while another command owns the directory: sooner means less idle wait, more wakeups. */
const RETRY_MS = 20;
/** Waiting this long for another command is said once, so a user is not left wondering. */
const SAY_WAITING_AFTER_MS = 1_000;

export async function openCommandHost(options: OpenCommandOptions): Promise<CommandHost> {
  try {
    ensurePrivateDir(options.dataDir);
  } catch (error) {
    throw new DataDirError(`cannot use the data directory ${options.dataDir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const started = Date.now();
  let told = false;
  for (;;) {
    const owner = readOwner(options.dataDir);
    if (owner?.socket) {
      try {
        const client = await connectToOwner(owner.socket, { client: 'cli', acks: false });
        return { dispatch: client.dispatch, subscribe: client.subscribe, close: client.close, via: 'owner', owner };
      } catch {
        // It stopped between writing owner.json and now: look again.
      }
    }
    const { createHost } = await import('./host.js');
    try {
      const host = await createHost({
        dataDir: options.dataDir,
        mode: 'cli',
        version: options.version,
        owner: { kind: 'cli', command: options.command },
        ...(options.onInternalError ? { onInternalError: options.onInternalError } : {}),
      });
      return { dispatch: host.dispatch, subscribe: host.subscribe, close: host.close, via: 'direct', owner: null };
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'OwnerBusyError') throw error;
    }
    if (!told && Date.now() - started > SAY_WAITING_AFTER_MS && options.onWait) {
      told = true;
      options.onWait(`waiting for ${owner ? describeOwner(owner) : 'another Opsdeck process'} to finish with ${options.dataDir}…`);
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
