/**
 * Opens Opsdeck's SQLite database and brings its schema up to date. This folder is the only code that touches
 * better-sqlite3; everything else goes through the stores built on the handle returned here.
 */
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open } from 'node:fs/promises';
import BetterSqlite3 from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { migrations as knownMigrations } from './migrations/index.js';
import type { Migration } from './migrations/index.js';
import { StoreError } from './store-error.js';

export type Database = BetterSqlite3.Database;

/**
 * How long a writer waits for another process (a second CLI, the app) to release the lock before SQLITE_BUSY:
 * longer rides out a slow import elsewhere, shorter fails sooner when something holds the lock for good.
 */
const BUSY_TIMEOUT_MS = 5_000;

export interface OpenOptions {
  /** The migration list to apply; tests pass their own. Defaults to every migration the code knows. */
  migrations?: readonly Migration[];
  /** How writes reach the disk; tests pass their own. */
  durability?: Partial<Durability>;
}

/** What `flushInBackground` needs: the flush itself, and a timer to wait for a burst of writes to end. */
export interface Durability {
  /** Forces `path`'s written data to disk, off the main thread; resolves when it is there. */
  flushFile(path: string): Promise<void>;
  /** The same, blocking: for closing. */
  flushFileNow(path: string): void;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * How long after a write the write-ahead log is forced to disk: writes meanwhile share that one fsync. The longest
 * a committed event can sit in the operating system's cache only, at risk from a power cut or kernel crash (never
 * from Opsdeck crashing). Shorter costs more: an fsync takes ~0.1-0.4 ms of this machine's I/O and CPU.
 */
export const FLUSH_DELAY_MS = 200;

const defaultDurability: Durability = {
  async flushFile(path) {
    // Read-write: Windows flushes only a handle that may write.
    const handle = await open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  flushFileNow(path) {
    const fd = openSync(path, 'r+');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  },
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * Opens (creating if needed) the database at `file`, refuses one written by a newer Opsdeck without changing it,
 * then applies pending migrations. The caller owns the handle and closes it.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  const migrations = options.migrations ?? knownMigrations;
  let db: Database;
  try {
    db = new BetterSqlite3(file);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('cannot_open', `cannot open the database ${file}: ${reason}`, [], { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Read the version before anything that writes (journal_mode = WAL rewrites the header), so a database this
    // code cannot understand is left byte for byte as it was.
    const current = readUserVersion(db, file);
    refuseTooNew(file, current, migrations);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    flushInBackground(db, { ...defaultDurability, ...options.durability });
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Durability without an fsync inside every commit. A commit still reaches the operating system before it returns,
 * so whatever a client was told survives Opsdeck crashing, and the file is always consistent (SQLite's WAL
 * guarantee). The write-ahead log is then forced to disk FLUSH_DELAY_MS after the first write not yet flushed,
 * off the main thread (synchronous = NORMAL), instead of inside every commit: two fsyncs a remote step cost
 * ~0.2-0.4 ms of its ~3 ms here. A power cut or kernel crash can lose what was committed in the last FLUSH_DELAY_MS.
 * Closing flushes at once; checkpoints fsync as before. Every write goes through a statement prepared here or `exec`.
 */
function flushInBackground(db: Database, durability: Durability): void {
  const wal = `${db.name}-wal`;
  /** idle: nothing unflushed; waiting: a flush is due; flushing: one runs; again: written to while it ran. */
  let state: 'idle' | 'waiting' | 'flushing' | 'again' = 'idle';
  let timer: unknown = null;
  const flush = (): void => {
    timer = null;
    state = 'flushing';
    durability
      .flushFile(wal)
      .catch(() => undefined) // no log: closed and checkpointed away meanwhile
      .finally(() => {
        if (state === 'again') wait();
        else if (state === 'flushing') state = 'idle';
      });
  };
  const wait = (): void => {
    state = 'waiting';
    timer = durability.setTimeout(flush, FLUSH_DELAY_MS);
  };
  const written = (): void => {
    if (state === 'idle') wait();
    else if (state === 'flushing') state = 'again';
  };
  db.pragma('synchronous = NORMAL');
  const prepare = db.prepare.bind(db);
  db.prepare = ((source: string) => {
    const statement = prepare(source);
    if (!statement.reader) {
      const run = statement.run.bind(statement);
      statement.run = ((...params: unknown[]) => {
        const result = run(...params);
        written();
        return result;
      }) as typeof statement.run;
    }
    return statement;
  }) as typeof db.prepare;
  const exec = db.exec.bind(db);
  db.exec = (source: string) => {
    const result = exec(source);
    written();
    return result;
  };
  const close = db.close.bind(db);
  db.close = () => {
    if (timer !== null) durability.clearTimeout(timer);
    timer = null;
    const unflushed = state !== 'idle';
    state = 'idle';
    if (unflushed && db.open) {
      try {
        durability.flushFileNow(wal);
      } catch {
        // no log to flush
      }
    }
    return close();
  };
}

/**
 * Applies each migration newer than the database's `user_version`, each in its own transaction together with the
 * version bump, so a failing migration leaves the database at the version before it. A migration that rebuilds
 * tables runs with foreign keys off (SQLite's 12-step ALTER TABLE procedure) and commits only if
 * `PRAGMA foreign_key_check` finds nothing broken; foreign keys are then as they were before.
 */
export function migrate(db: Database, migrations: readonly Migration[]): void {
  checkMigrationList(migrations);
  const current = readUserVersion(db, db.name);
  refuseTooNew(db.name, current, migrations);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    for (const [name, fn] of Object.entries(migration.functions ?? {})) db.function(name, { deterministic: false }, fn);
    const apply = db.transaction(() => {
      db.exec(migration.up);
      if (migration.rebuildsTables) refuseBrokenForeignKeys(db);
      db.pragma(`user_version = ${migration.version}`);
    });
    const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
    // Outside the transaction: inside one this pragma does nothing.
    if (migration.rebuildsTables && foreignKeys === 1) db.pragma('foreign_keys = OFF');
    try {
      apply.immediate();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError(
        'migration_failed',
        `migration ${migration.version} (${migration.name}) failed: ${reason}; the database stays at version ${readUserVersion(db, db.name)}`,
        [],
        { cause: error },
      );
    } finally {
      if (migration.rebuildsTables && foreignKeys === 1) db.pragma('foreign_keys = ON');
    }
  }
}

function refuseBrokenForeignKeys(db: Database): void {
  const broken = db.pragma('foreign_key_check') as Array<{ table: string; rowid: number | null; parent: string }>;
  if (broken.length === 0) return;
  const first = broken
    .slice(0, 5)
    .map((row) => `${row.table} row ${row.rowid ?? '?'} -> ${row.parent}`)
    .join(', ');
  throw new Error(`${broken.length} rows would break a foreign key (${first})`);
}

/** This device's id: a UUIDv7 made the first time it is asked for and kept in `meta` from then on. */
export function getDeviceId(db: Database): string {
  db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', ?)").run(uuidv7());
  const row = db.prepare("SELECT value FROM meta WHERE key = 'device_id'").get() as { value: string } | undefined;
  if (!row) throw new Error('device_id missing from meta right after it was written');
  return row.value;
}

function readUserVersion(db: Database, file: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StoreError('not_a_database', `${file} is not a usable Opsdeck database: ${reason}`, [], { cause: error });
  }
}

function refuseTooNew(file: string, current: number, migrations: readonly Migration[]): void {
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StoreError(
      'schema_too_new',
      `${file} was written by a newer Opsdeck (schema version ${current}; this one knows up to ${latest}): upgrade Opsdeck to open it`,
    );
  }
}

function checkMigrationList(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration list out of order: entry ${index} (${migration.name}) has version ${migration.version}, expected ${index + 1}`);
    }
  });
}
