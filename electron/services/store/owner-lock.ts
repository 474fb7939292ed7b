/**
 * Who owns a data directory: exactly one process at a time (the desktop app, `opsdeck serve`, `opsdeck daemon`, or a
 * CLI command while none of those runs). The lock is an exclusive SQLite lock on `owner.lock`, held by an open
 * transaction for the owner's lifetime: the operating system drops it when the process dies, kill -9 included, so
 * there is never a stale lock to break. Beside it, `owner.json` says who holds it (pid, kind, addresses).
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type BetterSqlite3Type from 'better-sqlite3';
import { isSameProcessAlive, identify } from '../runs/process-identity.js';

export const LOCK_FILE = 'owner.lock';
export const OWNER_FILE = 'owner.json';

export type OwnerKind = 'desktop' | 'serve' | 'daemon' | 'cli';

export interface OwnerInfo {
  pid: number;
  /** Start time of the process (Linux: clock ticks since boot), so a reused pid is not taken for the owner. */
  pidStart: string | null;
  kind: OwnerKind;
  /** For a CLI owner: the command it runs (`run`, `import`, ...). */
  command?: string;
  version: string;
  startedAt: string;
  /** The web address (serve, desktop in web mode), without its token. */
  url?: string;
  /** The local socket clients connect to; absent for a CLI owner, which serves nobody. */
  socket?: string;
}

export interface OwnerLock {
  readonly info: OwnerInfo;
  /** Adds what is known only once serving (the socket, the web address) to owner.json. */
  update(patch: Partial<Pick<OwnerInfo, 'url' | 'socket'>>): void;
  /** Removes owner.json, then lets the lock go. Idempotent. */
  release(): void;
}

/**
 * Creates the data directory if needed, readable only by the user (it holds history and the owner's socket). An
 * existing one is made private only when it is Opsdeck's own (empty, or holding its database): pointing
 * `--data-dir` at a folder of other things must not change who may read them.
 */
export function ensurePrivateDir(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (process.platform === 'win32') return;
  const mode = statSync(dataDir).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  const entries = readdirSync(dataDir);
  if (entries.length === 0 || entries.includes('opsdeck.db')) chmodSync(dataDir, mode & 0o700);
}

/**
 * Takes ownership of `dataDir` if nobody holds it; null when another process does (see `readOwner`). Never waits:
 * callers decide whether to wait, connect to the owner, or refuse.
 */
export function tryAcquireOwnership(dataDir: string, info: Omit<OwnerInfo, 'pid' | 'pidStart' | 'startedAt'>): OwnerLock | null {
  ensurePrivateDir(dataDir);
  // Loaded here, not at import: a CLI command that only talks to the running owner never needs SQLite (~30 ms).
  const BetterSqlite3 = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3Type;
  const db = new BetterSqlite3(join(dataDir, LOCK_FILE));
  try {
    db.pragma('busy_timeout = 0');
    // Rollback journal, never WAL: WAL lets readers in beside the writer, and nobody else may be in at all.
    db.pragma('journal_mode = DELETE');
    db.exec('BEGIN EXCLUSIVE');
  } catch (error) {
    db.close();
    if (isBusy(error)) return null;
    throw error;
  }
  const full: OwnerInfo = { ...info, pid: process.pid, pidStart: identify(process.pid).start, startedAt: new Date().toISOString() };
  writeOwnerFile(dataDir, full);
  let released = false;
  return {
    get info() {
      return full;
    },
    update(patch) {
      if (released) return;
      Object.assign(full, patch);
      writeOwnerFile(dataDir, full);
    },
    release() {
      if (released) return;
      released = true;
      rmSync(join(dataDir, OWNER_FILE), { force: true });
      try {
        db.exec('ROLLBACK');
      } finally {
        db.close();
      }
    },
  };
}

/**
 * The owner as it described itself, if that process is alive. Null when nobody owns the directory or the owner is
 * still starting (it takes the lock first and writes owner.json just after): callers retry shortly.
 */
export function readOwner(dataDir: string): OwnerInfo | null {
  let info: OwnerInfo;
  try {
    info = JSON.parse(readFileSync(join(dataDir, OWNER_FILE), 'utf8')) as OwnerInfo;
  } catch {
    return null;
  }
  if (typeof info.pid !== 'number' || typeof info.kind !== 'string') return null;
  return isSameProcessAlive({ pid: info.pid, start: info.pidStart ?? null }) ? info : null;
}

/** One line naming the owner, for messages: `opsdeck serve (pid 4242) at http://127.0.0.1:7317`. */
export function describeOwner(info: OwnerInfo): string {
  const what = info.kind === 'desktop' ? 'the Opsdeck desktop app' : info.kind === 'cli' ? `opsdeck ${info.command ?? 'command'}` : `opsdeck ${info.kind}`;
  return `${what} (pid ${info.pid}${info.url ? `, ${info.url}` : ''})`;
}

function writeOwnerFile(dataDir: string, info: OwnerInfo): void {
  const file = join(dataDir, OWNER_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, file);
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED';
}
