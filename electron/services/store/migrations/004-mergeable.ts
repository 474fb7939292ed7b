/**
 * Records that two devices can later merge as a union (issue 10; the classes are declared in ../merge-classes.ts):
 * - no uniqueness rule two devices would both break: runbooks' source_path is unique per device, runbook versions
 *   are ordered by a hybrid logical clock (`hlc`) instead of a unique number, hosts' names are kept unique among live
 *   hosts by the host store, and an accepted host key's id is derived from the key itself (see ../host-key-id.ts);
 * - mutable configuration (hosts, host_keys, section_targets, param_values, settings) becomes a register: every row
 *   carries the HLC stamp and the device of its last write, and a delete is a tombstone (`deleted = 1`);
 * - runs record their real target (a Target as JSON) and may come from a schedule;
 * - a run's events and output are written only by the device that started it (enforced by triggers).
 * Tables whose constraints change are rebuilt (SQLite's 12-step procedure; foreign keys are off meanwhile) and get
 * their indexes and append-only triggers back. Existing stamps are made from the rows' own times; nothing is lost.
 */
import { v7 as uuidv7 } from 'uuid';
import { hostKeyId } from '../host-key-id.js';
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

/** Only the device that started a run appends to it, so (run_id, seq) and (attempt_id, seq) never collide in a merge. */
const writtenByRunDevice = (table: string): string => `
    CREATE TRIGGER ${table}_by_run_device BEFORE INSERT ON ${table}
    WHEN EXISTS (SELECT 1 FROM runs WHERE id = NEW.run_id AND device_id <> NEW.device_id)
    BEGIN
      SELECT RAISE(ABORT, '${table}: only the device that started a run records its history');
    END;`;

/** Milliseconds since 1970 of an ISO time, 0 for none or nonsense. */
const ms = (column: string): string => `MAX(0, CAST(COALESCE(ROUND(unixepoch(${column}, 'subsec') * 1000), 0) AS INTEGER))`;
/** An HLC stamp (shared/model/hlc.ts's format) from SQL values. */
const stamp = (wall: string, counter: string, device: string): string => `printf('%015d-%06d-%s', ${wall}, ${counter}, ${device})`;
const DEVICE = `(SELECT value FROM meta WHERE key = 'device_id')`;

const text = (value: unknown, what: string): string => {
  if (typeof value !== 'string') throw new TypeError(`${what} is not text`);
  return value;
};

export const migration004: Migration = {
  version: 4,
  name: 'mergeable',
  rebuildsTables: true,
  functions: {
    opsdeck_uuid_v7: () => uuidv7(),
    opsdeck_host_key_id: (host, port, keyType, key) => {
      if (typeof port !== 'number') throw new TypeError('port is not a number');
      return hostKeyId(text(host, 'host'), port, text(keyType, 'key_type'), text(key, 'key'));
    },
  },
  up: `
    -- Rows without a device of their own get this database's.
    INSERT OR IGNORE INTO meta (key, value) VALUES ('device_id', opsdeck_uuid_v7());

    CREATE TABLE runbooks_new (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      source_path TEXT NOT NULL,
      created_at  TEXT NOT NULL,
      UNIQUE (device_id, source_path)
    ) STRICT;
    INSERT INTO runbooks_new (id, device_id, source_path, created_at)
      SELECT id, device_id, source_path, created_at FROM runbooks;
    DROP TABLE runbooks;
    ALTER TABLE runbooks_new RENAME TO runbooks;
    ${appendOnly('runbooks')}

    CREATE TABLE runbook_versions_new (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      runbook_id  TEXT NOT NULL REFERENCES runbooks (id),
      version     INTEGER NOT NULL CHECK (version >= 1),
      hlc         TEXT NOT NULL,
      sha256      TEXT NOT NULL,
      title       TEXT NOT NULL,
      imported_at TEXT NOT NULL,
      document    TEXT NOT NULL CHECK (json_valid(document)),
      summary     TEXT NOT NULL CHECK (json_valid(summary))
    ) STRICT;
    -- Stamps keep the versions' order: the latest import time so far, then the old version number.
    INSERT INTO runbook_versions_new (id, device_id, runbook_id, version, hlc, sha256, title, imported_at, document, summary)
      SELECT id, device_id, runbook_id, version,
             ${stamp(`MAX(${ms('imported_at')}) OVER (PARTITION BY runbook_id ORDER BY version ROWS UNBOUNDED PRECEDING)`, 'version', 'device_id')},
             sha256, title, imported_at, document, summary
      FROM runbook_versions;
    DROP TABLE runbook_versions;
    ALTER TABLE runbook_versions_new RENAME TO runbook_versions;
    CREATE INDEX runbook_versions_by_runbook ON runbook_versions (runbook_id, hlc);
    ${appendOnly('runbook_versions')}

    CREATE TABLE runs_new (
      id            TEXT PRIMARY KEY,
      device_id     TEXT NOT NULL,
      runbook_id    TEXT NOT NULL REFERENCES runbooks (id),
      version_id    TEXT NOT NULL REFERENCES runbook_versions (id),
      section_id    TEXT NOT NULL,
      section_title TEXT NOT NULL,
      operator      TEXT NOT NULL,
      target        TEXT NOT NULL CHECK (json_valid(target)),
      origin        TEXT NOT NULL CHECK (origin IN ('ui', 'cli', 'schedule')),
      started_at    TEXT NOT NULL
    ) STRICT;
    -- Every run so far ran on this machine ('local'); anything else recorded is kept as the host it named.
    INSERT INTO runs_new (id, device_id, runbook_id, version_id, section_id, section_title, operator, target, origin, started_at)
      SELECT id, device_id, runbook_id, version_id, section_id, section_title, operator,
             CASE
               WHEN target = 'local' THEN json_object('kind', 'local')
               WHEN json_valid(target) AND json_type(target) = 'object' THEN target
               ELSE json_object('kind', 'host', 'host', target)
             END,
             origin, started_at
      FROM runs;
    DROP TABLE runs;
    ALTER TABLE runs_new RENAME TO runs;
    CREATE INDEX runs_by_start ON runs (started_at);
    CREATE INDEX runs_by_runbook ON runs (runbook_id, started_at);
    ${appendOnly('runs')}
    ${writtenByRunDevice('run_events')}
    ${writtenByRunDevice('output_chunks')}

    CREATE TABLE hosts_new (
      id             TEXT PRIMARY KEY,
      device_id      TEXT NOT NULL,
      name           TEXT NOT NULL,
      address        TEXT NOT NULL,
      port           INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
      user           TEXT,
      identity_file  TEXT,
      identity_agent TEXT,
      jump           TEXT NOT NULL CHECK (json_valid(jump)),
      tags           TEXT NOT NULL CHECK (json_valid(tags)),
      notes          TEXT NOT NULL,
      forward_agent  INTEGER NOT NULL CHECK (forward_agent IN (0, 1)),
      source         TEXT NOT NULL CHECK (source IN ('manual', 'ssh-config')),
      updated_at     TEXT NOT NULL,
      hlc            TEXT NOT NULL,
      deleted        INTEGER NOT NULL CHECK (deleted IN (0, 1))
    ) STRICT;
    INSERT INTO hosts_new (id, device_id, name, address, port, user, identity_file, identity_agent, jump, tags, notes, forward_agent, source, updated_at, hlc, deleted)
      SELECT id, device_id, name, address, port, user, identity_file, identity_agent, jump, tags, notes, forward_agent, source, updated_at,
             ${stamp(ms('updated_at'), '0', 'device_id')}, 0
      FROM hosts;
    DROP TABLE hosts;
    ALTER TABLE hosts_new RENAME TO hosts;
    CREATE INDEX hosts_by_name ON hosts (name);

    CREATE TABLE host_keys_new (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      host        TEXT NOT NULL,
      port        INTEGER NOT NULL,
      key_type    TEXT NOT NULL,
      key         TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      added_at    TEXT NOT NULL,
      hlc         TEXT NOT NULL,
      deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1))
    ) STRICT;
    -- The old UNIQUE (host, port, key_type, key) means no two rows get the same derived id.
    INSERT INTO host_keys_new (id, device_id, host, port, key_type, key, fingerprint, added_at, hlc, deleted)
      SELECT opsdeck_host_key_id(host, port, key_type, key), device_id, host, port, key_type, key, fingerprint, added_at,
             ${stamp(ms('added_at'), '0', 'device_id')}, 0
      FROM host_keys;
    DROP TABLE host_keys;
    ALTER TABLE host_keys_new RENAME TO host_keys;
    CREATE INDEX host_keys_by_host ON host_keys (host, port);

    CREATE TABLE section_targets_new (
      runbook_id TEXT NOT NULL REFERENCES runbooks (id),
      section_id TEXT NOT NULL,
      target     TEXT NOT NULL CHECK (json_valid(target)),
      updated_at TEXT NOT NULL,
      device_id  TEXT NOT NULL,
      hlc        TEXT NOT NULL,
      deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
      PRIMARY KEY (runbook_id, section_id)
    ) STRICT;
    INSERT INTO section_targets_new (runbook_id, section_id, target, updated_at, device_id, hlc, deleted)
      SELECT runbook_id, section_id, target, updated_at, ${DEVICE}, ${stamp(ms('updated_at'), '0', DEVICE)}, 0
      FROM section_targets;
    DROP TABLE section_targets;
    ALTER TABLE section_targets_new RENAME TO section_targets;

    CREATE TABLE param_values_new (
      runbook_id TEXT NOT NULL REFERENCES runbooks (id),
      name       TEXT NOT NULL,
      value      TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      device_id  TEXT NOT NULL,
      hlc        TEXT NOT NULL,
      deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
      PRIMARY KEY (runbook_id, name)
    ) STRICT;
    INSERT INTO param_values_new (runbook_id, name, value, updated_at, device_id, hlc, deleted)
      SELECT runbook_id, name, value, updated_at, ${DEVICE}, ${stamp(ms('updated_at'), '0', DEVICE)}, 0
      FROM param_values;
    DROP TABLE param_values;
    ALTER TABLE param_values_new RENAME TO param_values;

    -- Settings had no time: the ones from before carry the earliest stamp, so any later write wins.
    CREATE TABLE settings_new (
      key       TEXT PRIMARY KEY,
      value     TEXT NOT NULL,
      device_id TEXT NOT NULL,
      hlc       TEXT NOT NULL,
      deleted   INTEGER NOT NULL CHECK (deleted IN (0, 1))
    ) STRICT;
    INSERT INTO settings_new (key, value, device_id, hlc, deleted)
      SELECT key, value, ${DEVICE}, ${stamp('0', '0', DEVICE)}, 0 FROM settings;
    DROP TABLE settings;
    ALTER TABLE settings_new RENAME TO settings;

    -- This device's clock starts past every stamp just made (a row's time may be ahead of the wall clock).
    INSERT INTO meta (key, value)
      SELECT 'hlc', MAX(hlc) FROM (
        SELECT hlc FROM runbook_versions UNION ALL SELECT hlc FROM hosts UNION ALL SELECT hlc FROM host_keys
        UNION ALL SELECT hlc FROM section_targets UNION ALL SELECT hlc FROM param_values UNION ALL SELECT hlc FROM settings
      )
      HAVING MAX(hlc) IS NOT NULL;
  `,
};
