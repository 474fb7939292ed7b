/**
 * Remote hosts: the inventory (editable configuration, so rows may change), the host keys the user accepted in
 * Opsdeck (added on acceptance, removed only by an explicit "forget"), and the target remembered per runbook
 * section (this machine, a host, or a tag).
 */
import type { Migration } from './migration.js';

export const migration003: Migration = {
  version: 3,
  name: 'hosts',
  up: `
    CREATE TABLE hosts (
      id             TEXT PRIMARY KEY,
      device_id      TEXT NOT NULL,
      name           TEXT NOT NULL UNIQUE,
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
      updated_at     TEXT NOT NULL
    ) STRICT;

    CREATE TABLE host_keys (
      id          TEXT PRIMARY KEY,
      device_id   TEXT NOT NULL,
      host        TEXT NOT NULL,
      port        INTEGER NOT NULL,
      key_type    TEXT NOT NULL,
      key         TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      added_at    TEXT NOT NULL,
      UNIQUE (host, port, key_type, key)
    ) STRICT;
    CREATE INDEX host_keys_by_host ON host_keys (host, port);

    CREATE TABLE section_targets (
      runbook_id TEXT NOT NULL REFERENCES runbooks (id),
      section_id TEXT NOT NULL,
      target     TEXT NOT NULL CHECK (json_valid(target)),
      updated_at TEXT NOT NULL,
      PRIMARY KEY (runbook_id, section_id)
    ) STRICT;
  `,
};
