/**
 * The scheduler (issue 12):
 * - `schedules`: a register (merge-classes.ts). What to run and when: section, target, parameters (never a secret's
 *   value), calendar and rules, notifications, and the approved text of the section's steps. `home_device` is the
 *   device that made it: a schedule synced to another device is shown there but fires only at home, so one
 *   occurrence never runs on two laptops.
 * - `schedule_records`: append-only, written only by the schedule's home device. Each occurrence's outcome, exactly
 *   once (a planned run is recorded `pending` in the same transaction that accounts for its occurrence, and then
 *   once more with what became of it), and misses as one summary per wake (first, last, count). A run started by hand ("run now") is recorded
 *   `started` with `manual` = 1 and its start time as the occurrence: it is not an occurrence of the calendar and
 *   does not count as one handled.
 * - `webhook_outbox`: local. Notifications waiting to be delivered, retried with backoff; a device delivers its own.
 */
import type { Migration } from './migration.js';

export const migration006: Migration = {
  version: 6,
  name: 'schedules',
  up: `
    CREATE TABLE schedules (
      id           TEXT PRIMARY KEY,
      home_device  TEXT NOT NULL,
      runbook_id   TEXT NOT NULL REFERENCES runbooks (id),
      section_id   TEXT NOT NULL,
      spec         TEXT NOT NULL,
      approved     TEXT NOT NULL,
      paused       INTEGER NOT NULL CHECK (paused IN (0, 1)),
      pause_reason TEXT,
      active_since TEXT NOT NULL,
      created_at   TEXT NOT NULL,
      created_by   TEXT NOT NULL,
      updated_at   TEXT NOT NULL,
      device_id    TEXT NOT NULL,
      hlc          TEXT NOT NULL,
      deleted      INTEGER NOT NULL CHECK (deleted IN (0, 1))
    ) STRICT;

    CREATE TABLE schedule_records (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      schedule_id TEXT NOT NULL,
      kind        TEXT NOT NULL CHECK (kind IN ('pending', 'started', 'skipped_overlap', 'missed', 'missed_beyond_window', 'waiting_approval', 'failed_to_start')),
      occurrence  TEXT,
      first_at    TEXT,
      last_at     TEXT,
      count       INTEGER,
      catch_up    INTEGER NOT NULL DEFAULT 0 CHECK (catch_up IN (0, 1)),
      manual      INTEGER NOT NULL DEFAULT 0 CHECK (manual IN (0, 1)),
      run_id      TEXT,
      reason      TEXT,
      recorded_at TEXT NOT NULL,
      CHECK ((kind IN ('missed', 'missed_beyond_window')) = (occurrence IS NULL)),
      CHECK (manual = 0 OR kind = 'started')
    ) STRICT;
    CREATE INDEX schedule_records_by_schedule ON schedule_records (schedule_id, recorded_at);
    CREATE INDEX schedule_records_by_occurrence ON schedule_records (schedule_id, occurrence);
    CREATE INDEX schedule_records_by_run ON schedule_records (run_id) WHERE run_id IS NOT NULL;
    CREATE TRIGGER schedule_records_no_update BEFORE UPDATE ON schedule_records
    BEGIN
      SELECT RAISE(ABORT, 'schedule_records is append-only: history is never rewritten');
    END;
    CREATE TRIGGER schedule_records_no_delete BEFORE DELETE ON schedule_records
    BEGIN
      SELECT RAISE(ABORT, 'schedule_records is append-only: history is never deleted');
    END;
    CREATE TRIGGER schedule_records_by_home_device BEFORE INSERT ON schedule_records
    WHEN EXISTS (SELECT 1 FROM schedules WHERE id = NEW.schedule_id AND home_device <> NEW.device_id)
    BEGIN
      SELECT RAISE(ABORT, 'schedule_records: only the device a schedule fires on records its occurrences');
    END;

    CREATE TABLE webhook_outbox (
      id           TEXT PRIMARY KEY,
      schedule_id  TEXT NOT NULL,
      run_id       TEXT NOT NULL,
      url          TEXT NOT NULL,
      body         TEXT NOT NULL,
      created_at   TEXT NOT NULL,
      attempts     INTEGER NOT NULL DEFAULT 0,
      next_at      TEXT NOT NULL,
      last_error   TEXT,
      delivered_at TEXT,
      given_up_at  TEXT
    ) STRICT;
    CREATE INDEX webhook_outbox_due ON webhook_outbox (next_at) WHERE delivered_at IS NULL AND given_up_at IS NULL;
  `,
};
