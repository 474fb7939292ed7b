/**
 * The `evidence.*` handlers: the export service wired to this data directory's history and device key (made on
 * first use), and the pure check of a bundle. Store and file-system errors become contract errors a user can act on.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Handlers } from '../../shared/contract/dispatch.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { EventPayload } from '../../shared/contract/methods.js';
import { loadOrCreateDeviceKey, type DeviceKey } from '../services/evidence/device-key.js';
import { createEvidenceService } from '../services/evidence/evidence-service.js';
import { verifyBundle } from '../services/evidence/verify.js';
import type { Database } from '../services/store/db.js';
import { createEvidenceReads } from '../services/store/evidence-reads.js';
import type { LibraryStore } from '../services/store/library-store.js';
import type { RunStore } from '../services/store/run-store.js';
import { StoreError } from '../services/store/store-error.js';

type EvidenceMethod = Extract<keyof Handlers, `evidence.${string}`>;

export interface EvidenceHandlerDeps {
  db: Database;
  runs: Pick<RunStore, 'events'>;
  library: Pick<LibraryStore, 'get' | 'getVersion'>;
  dataDir: string;
  deviceId: string;
  version: string;
  emit(event: 'evidence.progress', payload: EventPayload<'evidence.progress'>): void;
}

/** File-system failures that come from where the user pointed: their message, not an internal error. */
const USER_FS_ERRORS: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'ENOTDIR', 'ENOENT', 'EEXIST', 'ENAMETOOLONG', 'EISDIR', 'EDQUOT']);

export function createEvidenceHandlers(deps: EvidenceHandlerDeps): Pick<Handlers, EvidenceMethod> {
  let key: DeviceKey | null = null;
  const service = createEvidenceService({
    reads: createEvidenceReads(deps.db),
    events: (runId) => deps.runs.events(runId),
    version: (id) => deps.library.getVersion(id),
    sourcePath: (runbookId) => deps.library.get(runbookId).path,
    key: () => (key ??= loadOrCreateDeviceKey(deps.dataDir)),
    deviceId: deps.deviceId,
    appVersion: deps.version,
    clock: { now: () => new Date() },
    yieldTurn: () => new Promise((resolve) => setImmediate(resolve)),
    newId: () => uuidv7(),
    onProgress: (p) => deps.emit('evidence.progress', p),
  });
  return {
    'evidence.export': (input) => guard(() => service.export({ selector: input.selector, output: input.output, format: input.format })),
    'evidence.publicKey': () => guard(() => service.publicKey()),
    'evidence.verify': (input) => guard(() => verifyBundle(input.dir)),
  };
}

async function guard<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof StoreError) throw new ContractError(error.code === 'ambiguous' ? 'ambiguous' : error.code === 'not_found' ? 'not_found' : 'unavailable', error.message);
    const code = (error as NodeJS.ErrnoException | null)?.code;
    if (typeof code === 'string' && USER_FS_ERRORS.has(code)) {
      // Node's message names the call and the path: "EACCES: permission denied, mkdir '/srv/evidence'".
      throw new ContractError('invalid_input', (error as Error).message);
    }
    throw error;
  }
}
