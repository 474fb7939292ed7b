/**
 * Imports runbook files into the library: checks the file the user named (exists, is a file, readable, not too
 * big) before reading it, runs the importer (in a worker when given one: see import-parser.ts), summarizes the
 * result and stores it as a new or unchanged version.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { Runbook } from '../../../shared/model/runbook.js';
import { importRunbook } from '../../../shared/runbook/index.js';
import type { ImportInput, ImportOutcome, ShellParser } from '../../../shared/runbook/index.js';
import { MAX_RUNBOOK_BYTES } from '../../../shared/runbook/import.js';
import { UPLOAD_PREFIX, type LibraryStore, type RunbookDetail, type RunbookListEntry, type SaveResult } from '../store/library-store.js';
import { summarizeRunbook } from '../../../shared/model/summary.js';
import type { RunbookSummary } from '../../../shared/model/summary.js';

/** `parse_failed`: the importer itself failed (its worker crashed or ran out of memory), not the file's fault as such. */
export type ImportErrorCode = 'not_found' | 'is_directory' | 'unreadable' | 'too_large' | 'not_text' | 'parse_failed';

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

/**
 * Parses a runbook, possibly elsewhere (createImportParser().parse); `onProgress` hears `done` of `total`. The
 * runbook's `source.sha256` must be that of `input.bytes`: it is what tells an unchanged file on re-import.
 */
export type ParseRunbook = (input: ImportInput, onProgress?: (done: number, total: number) => void) => Promise<ImportOutcome>;

/** How far an import is; `path` is the stored path (`upload:<name>` for uploads). The last one has done === total. */
export interface ImportProgress {
  path: string;
  done: number;
  total: number;
}

export interface RunbookServiceDeps {
  store: LibraryStore;
  /** Parses in this thread when `parse` is absent. */
  shell: ShellParser;
  fs?: FileAccess;
  /** Parses off the main thread; absent, importFile and importUpload parse in this thread with `shell`. */
  parse?: ParseRunbook;
  /** Hears the progress of importFile and importUpload imports once they have run for `progressAfterMs`. */
  onProgress?: (progress: ImportProgress) => void;
  /** Default PROGRESS_AFTER_MS. */
  progressAfterMs?: number;
  /**
   * Told of each change to the library: an import that made a new runbook or version, gave an uploaded runbook its
   * path or brought an archived one back (not of an unchanged one), and each removal.
   */
  onChanged?: (runbookId: string) => void;
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
   * the same name again makes a new version; the same file known by path is that runbook (library-identity.ts).
   * Until imported by path there is no file to refresh from. Parsed through `parse`, with progress.
   */
  importUpload(fileName: string, content: string): Promise<ImportResult>;
  list(): RunbookListEntry[];
  /** By id, id prefix, path (relative paths resolved against the working directory) or title; throws StoreError. */
  get(query: string): RunbookDetail;
  /**
   * Archives a runbook (found as `get` finds one): gone from the list, its versions and runs kept; importing its
   * file again brings it back. `archived` is true once it is archived, also when it already was. Throws StoreError.
   */
  remove(id: string): { archived: boolean };
}

const nodeFiles: FileAccess = { stat, readFile };

/** Source paths of runbooks that arrived as text rather than from a file on this machine. */
export { UPLOAD_PREFIX };

/** Imports quicker than this report no progress: a bar that flashes by is noise; a longer wait deserves one. */
export const PROGRESS_AFTER_MS = 1000;

export function createRunbookService(deps: RunbookServiceDeps): RunbookService {
  const { store, shell, fs = nodeFiles, onProgress, progressAfterMs = PROGRESS_AFTER_MS } = deps;
  const parse: ParseRunbook = deps.parse ?? (async (input, progress) => importRunbook(input, shell, { onProgress: progress }));
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

  /** Stores what the importer made of a file. The importer's sha256 of the bytes is the file's: no second pass. */
  const save = (path: string, outcome: ImportOutcome): ImportResult => {
    if (!outcome.ok) throw new ImportError(outcome.error.code, outcome.error.message);
    const summary = summarizeRunbook(outcome.runbook);
    const saved = store.saveImport(path, outcome.runbook.source.sha256, outcome.runbook, summary);
    if (saved.status !== 'unchanged' || saved.restored || saved.pathLearned) deps.onChanged?.(saved.runbookId);
    if (saved.status !== 'unchanged') return { ...saved, path, summary, document: outcome.runbook };
    const stored = store.getVersion(saved.versionId);
    return { ...saved, path, summary: stored.summary, document: stored.document };
  };

  const parseReporting = async (path: string, bytes: Uint8Array): Promise<ImportOutcome> => {
    const started = performance.now();
    const shown = { any: false, done: 0, total: 0 };
    try {
      return await parse({ path, bytes }, onProgress && ((done, total) => {
        if (!shown.any && performance.now() - started < progressAfterMs) return;
        Object.assign(shown, { any: true, done, total });
        onProgress({ path, done, total });
      }));
    } finally {
      // A bar that was shown is finished, whatever the outcome.
      if (onProgress && shown.any && shown.done < shown.total) onProgress({ path, done: shown.total, total: shown.total });
    }
  };

  const uploadBytes = (content: string): Uint8Array => {
    const bytes = new TextEncoder().encode(content);
    if (bytes.length > MAX_RUNBOOK_BYTES) {
      throw new ImportError('too_large', `is ${megabytes(bytes.length)}; runbooks are limited to ${megabytes(MAX_RUNBOOK_BYTES)}`);
    }
    return bytes;
  };

  return {
    async importFile(path) {
      const absolute = resolve(path);
      const bytes = await readChecked(absolute);
      return save(absolute, await parseReporting(absolute, bytes));
    },
    async importUpload(fileName, content) {
      const path = `${UPLOAD_PREFIX}${basename(fileName)}`;
      return save(path, await parseReporting(path, uploadBytes(content)));
    },
    list: () => store.list(),
    get: (query) => store.get(query, resolve(query)),
    remove(id) {
      const { id: runbookId } = store.get(id, resolve(id));
      if (store.archive(runbookId)) deps.onChanged?.(runbookId);
      return { archived: true };
    },
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
