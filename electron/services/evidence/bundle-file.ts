/**
 * A file of the bundle written as it is made: text is buffered and written in large pieces, hashed on the way, and
 * synced before it is closed, so the manifest's SHA-256 comes from the bytes written without reading them back.
 */
import { createHash } from 'node:crypto';
import { open, type FileHandle } from 'node:fs/promises';
import type { EvidenceFile } from '../../../shared/contract/evidence.js';

/** Bytes gathered before a write: fewer system calls against more memory held per file. */
const FLUSH_BYTES = 256 * 1024;

export interface BundleFile {
  write(text: string): Promise<void>;
  /** Flushes, syncs and closes; the file's name, size and hash. */
  close(): Promise<EvidenceFile>;
  /** Closes without caring for the contents (the export failed). */
  abandon(): Promise<void>;
}

export async function createBundleFile(path: string, name: string): Promise<BundleFile> {
  const handle: FileHandle = await open(path, 'wx', 0o644);
  const hash = createHash('sha256');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let bytes = 0;
  const flush = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await handle.write(data);
  };
  return {
    async write(text) {
      const data = Buffer.from(text, 'utf8');
      hash.update(data);
      bytes += data.length;
      pending.push(data);
      pendingBytes += data.length;
      if (pendingBytes >= FLUSH_BYTES) await flush();
    },
    async close() {
      await flush();
      await handle.sync();
      await handle.close();
      return { name, bytes, sha256: hash.digest('hex') };
    },
    async abandon() {
      await handle.close().catch(() => undefined);
    },
  };
}
