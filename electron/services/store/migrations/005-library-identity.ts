/**
 * Library identity and archiving (issue 11). Both are kept beside `runbooks`, whose rows never change:
 * - `runbook_paths`: a path on this machine learned later for a runbook that came in another way (a file uploaded
 *   from the browser, then imported by path, gains its path and becomes refreshable). Append-only: a fact about one
 *   device's file, written by that device; the store keeps one runbook per path on a device.
 * - `runbook_archive`: whether a runbook was removed from the library (archived: its versions and runs stay). A
 *   register (merge-classes.ts): the later stamp wins across devices, so removing and bringing back both merge.
 */
import type { Migration } from './migration.js';

export const migration005: Migration = {
  version: 5,
  name: 'library-identity',
  up: `
    CREATE TABLE runbook_paths (
      id         TEXT PRIMARY KEY,
      device_id  TEXT NOT NULL,
      runbook_id TEXT NOT NULL REFERENCES runbooks (id),
      path       TEXT NOT NULL,
      added_at   TEXT NOT NULL
    ) STRICT;
    CREATE INDEX runbook_paths_by_runbook ON runbook_paths (runbook_id);
    CREATE TRIGGER runbook_paths_no_update BEFORE UPDATE ON runbook_paths
    BEGIN
      SELECT RAISE(ABORT, 'runbook_paths is append-only: history is never rewritten');
    END;
    CREATE TRIGGER runbook_paths_no_delete BEFORE DELETE ON runbook_paths
    BEGIN
      SELECT RAISE(ABORT, 'runbook_paths is append-only: history is never deleted');
    END;

    CREATE TABLE runbook_archive (
      runbook_id TEXT PRIMARY KEY REFERENCES runbooks (id),
      archived   INTEGER NOT NULL CHECK (archived IN (0, 1)),
      updated_at TEXT NOT NULL,
      device_id  TEXT NOT NULL,
      hlc        TEXT NOT NULL,
      deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1))
    ) STRICT;
  `,
};
