/**
 * Opens Opsdeck's SQLite database and brings its schema up to date. This folder is the only code that touches
 * better-sqlite3; everything else goes through the stores built on the handle returned here.
 */
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
}

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
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/**
 * Applies each migration newer than the database's `user_version`, each in its own transaction together with the
 * version bump, so a failing migration leaves the database at the version before it.
 */
export function migrate(db: Database, migrations: readonly Migration[]): void {
  checkMigrationList(migrations);
  const current = readUserVersion(db, db.name);
  refuseTooNew(db.name, current, migrations);
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    const apply = db.transaction(() => {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    });
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
    }
  }
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
