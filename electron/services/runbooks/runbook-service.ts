/**
 * Imports runbook files into the library: checks the file the user named (exists, is a file, readable, not too
 * big) before reading it, runs the importer, summarizes the result and stores it as a new or unchanged version.
 */
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Runbook } from '../../../shared/model/runbook.js';
import { importRunbook } from '../../../shared/runbook/index.js';
import type { ShellParser } from '../../../shared/runbook/index.js';
import { MAX_RUNBOOK_BYTES } from '../../../shared/runbook/import.js';
import type { LibraryStore, RunbookDetail, RunbookListEntry, SaveResult } from '../store/library-store.js';
import { summarizeRunbook } from '../../../shared/model/summary.js';
import type { RunbookSummary } from '../../../shared/model/summary.js';

export type ImportErrorCode = 'not_found' | 'is_directory' | 'unreadable' | 'too_large' | 'not_text';

/** Why a file was not imported; the message is one line, fit to print after the file's name. */
export class ImportError extends Error {
  override readonly name = 'ImportError';

  constructor(
    readonly code: ImportErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The few file operations the service needs; tests pass fakes, the default is node:fs. */
export interface FileAccess {
  stat(path: string): Promise<{ size: number; isFile(): boolean; isDirectory(): boolean }>;
  readFile(path: string): Promise<Uint8Array>;
}

export interface RunbookServiceDeps {
  store: LibraryStore;
  shell: ShellParser;
  fs?: FileAccess;
}

export interface ImportResult extends SaveResult {
  /** The absolute path the runbook is stored under. */
  path: string;
  summary: RunbookSummary;
  /** The stored document: for `unchanged`, the one saved earlier. */
  document: Runbook;
}

export interface RunbookService {
  /** Throws ImportError for a file it will not import. */
  importFile(path: string): Promise<ImportResult>;
  /**
   * A runbook sent as text (browser file picker, drag and drop): stored under `upload:<file name>`, so uploading
   * the same name again makes a new version. There is no file to refresh from.
   */
  importUpload(fileName: string, content: string): ImportResult;
  list(): RunbookListEntry[];
  /** By id, id prefix, path (relative paths resolved against the working directory) or title; throws StoreError. */
  get(query: string): RunbookDetail;
}

const nodeFiles: FileAccess = { stat, readFile };

/** Source paths of runbooks that arrived as text rather than from a file on this machine. */
export const UPLOAD_PREFIX = 'upload:';

export function createRunbookService({ store, shell, fs = nodeFiles }: RunbookServiceDeps): RunbookService {
  const readChecked = async (path: string): Promise<Uint8Array> => {
    let info: Awaited<ReturnType<FileAccess['stat']>>;
    try {
      info = await fs.stat(path);
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw new ImportError('not_found', 'no such file', { cause: error });
      throw new ImportError('unreadable', `cannot read: ${describe(error)}`, { cause: error });
    }
    if (info.isDirectory()) throw new ImportError('is_directory', 'is a directory, not a runbook file');
    if (!info.isFile()) throw new ImportError('unreadable', 'is not a regular file');
    if (info.size > MAX_RUNBOOK_BYTES) {
      throw new ImportError('too_large', `is ${megabytes(info.size)}; runbooks are limited to ${megabytes(MAX_RUNBOOK_BYTES)}`);
    }
    try {
      return await fs.readFile(path);
    } catch (error) {
      throw new ImportError('unreadable', `cannot read: ${describe(error)}`, { cause: error });
    }
  };

  const importBytes = (absolute: string, bytes: Uint8Array): ImportResult => {
      const outcome = importRunbook({ path: absolute, bytes }, shell);
      if (!outcome.ok) throw new ImportError(outcome.error.code, outcome.error.message);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const summary = summarizeRunbook(outcome.runbook);
      const saved = store.saveImport(absolute, sha256, outcome.runbook, summary);
      if (saved.status !== 'unchanged') return { ...saved, path: absolute, summary, document: outcome.runbook };
      const stored = store.getVersion(saved.versionId);
      return { ...saved, path: absolute, summary: stored.summary, document: stored.document };
  };

  return {
    async importFile(path) {
      const absolute = resolve(path);
      return importBytes(absolute, await readChecked(absolute));
    },
    importUpload(fileName, content) {
      const bytes = new TextEncoder().encode(content);
      if (bytes.length > MAX_RUNBOOK_BYTES) {
        throw new ImportError('too_large', `is ${megabytes(bytes.length)}; runbooks are limited to ${megabytes(MAX_RUNBOOK_BYTES)}`);
      }
      return importBytes(`${UPLOAD_PREFIX}${basename(fileName)}`, bytes);
    },
    list: () => store.list(),
    get: (query) => store.get(query, resolve(query)),
  };
}

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') return error.code;
  return undefined;
}

/** The system's reason without node's "EACCES: ..., open '/path'" decoration, which repeats the path. */
function describe(error: unknown): string {
  const code = errnoCode(error);
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return error instanceof Error ? error.message : String(error);
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
}
