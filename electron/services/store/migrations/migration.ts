/**
 * The shape of one schema migration. Migrations are TypeScript modules holding SQL so that they ship inside the
 * bundle (no loose .sql files to locate at runtime); once shipped, a migration never changes.
 */
export interface Migration {
  /** 1, 2, 3, ...: the `user_version` the database is at once this migration has run. */
  version: number;
  name: string;
  /** SQL run inside one transaction together with the `user_version` bump. */
  up: string;
  /**
   * The migration rebuilds tables to change their constraints (SQLite's 12-step ALTER TABLE procedure,
   * https://www.sqlite.org/lang_altertable.html#otheralter): `migrate` turns foreign keys off around its
   * transaction (they cannot change inside one), checks `PRAGMA foreign_key_check` before committing, and turns
   * them back on. `up` must recreate the rebuilt tables' indexes and triggers itself.
   */
  rebuildsTables?: boolean;
  /**
   * SQL functions `up` calls (values SQL cannot compute, such as a UUID), registered on the connection before it
   * runs. Part of the shipped migration: they never change either.
   */
  functions?: Readonly<Record<string, SqlFunction>>;
}

/** An application-defined SQL function: takes SQL values, returns one. */
export type SqlFunction = (...args: unknown[]) => string | number | bigint | null;
