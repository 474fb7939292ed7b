/**
 * Incidents and shift handovers (issue 13). All append-only, so devices merge them as a union:
 * - `incidents`: one row per incident declared, by the device that declared it;
 * - `incident_entries`: everything that happened to one, in the order it happened (`at`; a backdated note has `at`
 *   before `recorded_at`): declared, status and severity changes, milestones, roles, notes, corrections (a new entry
 *   naming the one it corrects), linked runs (`run_id`), status updates, snoozes, reminders, follow-ups. Any device
 *   may add entries to any incident (a handover acknowledged on another laptop, a note after sync);
 * - `handovers`: a handover exactly as signed off; `handover_acks`: who acknowledged it, on which device.
 */
import type { Migration } from './migration.js';

const appendOnly = (table: string): string => `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
    BEGIN
      SELECT RAISE(ABORT, '${table} is append-only: history is never rewritten');
    END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
    BEGIN
      SELECT RAISE(ABORT, '${table} is append-only: history is never deleted');
    END;`;

export const migration008: Migration = {
  version: 8,
  name: 'incidents',
  up: `
    CREATE TABLE incidents (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      declared_at TEXT NOT NULL,
      declared_by TEXT NOT NULL
    ) STRICT;
    ${appendOnly('incidents')}

    CREATE TABLE incident_entries (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      incident_id TEXT NOT NULL REFERENCES incidents (id),
      at          TEXT NOT NULL,
      recorded_at TEXT NOT NULL,
      by          TEXT NOT NULL,
      kind        TEXT NOT NULL,
      run_id      TEXT,
      data        TEXT NOT NULL
    ) STRICT;
    CREATE INDEX incident_entries_by_incident ON incident_entries (incident_id, at);
    CREATE INDEX incident_entries_by_run ON incident_entries (run_id) WHERE run_id IS NOT NULL;
    ${appendOnly('incident_entries')}

    CREATE TABLE handovers (
      id         TEXT PRIMARY KEY,
      device_id  TEXT NOT NULL,
      since      TEXT NOT NULL,
      markdown   TEXT NOT NULL,
      carry      TEXT NOT NULL,
      signed_by  TEXT NOT NULL,
      signed_at  TEXT NOT NULL
    ) STRICT;
    CREATE INDEX handovers_by_signed ON handovers (signed_at);
    ${appendOnly('handovers')}

    CREATE TABLE handover_acks (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      handover_id TEXT NOT NULL REFERENCES handovers (id),
      by          TEXT NOT NULL,
      at          TEXT NOT NULL
    ) STRICT;
    ${appendOnly('handover_acks')}
  `,
};
