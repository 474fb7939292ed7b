/**
 * The runbook library: one row per imported file, and an append-only list of the versions imported from it,
 * each holding the parsed Runbook document as JSON. `meta` holds per-database facts such as the device id.
 */
import type { Migration } from './migration.js';

export const migration001: Migration = {
  version: 1,
  name: 'library',
  up: `
    CREATE TABLE meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE runbooks (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      source_path TEXT NOT NULL UNIQUE,
      created_at  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE runbook_versions (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      runbook_id  TEXT NOT NULL REFERENCES runbooks (id),
      version     INTEGER NOT NULL CHECK (version >= 1),
      sha256      TEXT NOT NULL,
      title       TEXT NOT NULL,
      imported_at TEXT NOT NULL,
      document    TEXT NOT NULL CHECK (json_valid(document)),
      summary     TEXT NOT NULL CHECK (json_valid(summary)),
      UNIQUE (runbook_id, version)
    ) STRICT;

    CREATE TRIGGER runbook_versions_no_update BEFORE UPDATE ON runbook_versions
    BEGIN
      SELECT RAISE(ABORT, 'runbook_versions is append-only: versions are never updated');
    END;

    CREATE TRIGGER runbook_versions_no_delete BEFORE DELETE ON runbook_versions
    BEGIN
      SELECT RAISE(ABORT, 'runbook_versions is append-only: versions are never deleted');
    END;
  `,
};
