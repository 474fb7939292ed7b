/**
 * Run history: a run row written once when a run starts, then an append-only log of what happened (ticks, skips,
 * notes, step attempts and their ends, the run's end) and of every output chunk. A run's state is a fold of its
 * events, so nothing recorded is ever rewritten. Also the small mutable tables: settings and last parameter values.
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

export const migration002: Migration = {
  version: 2,
  name: 'runs',
  up: `
    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    CREATE TABLE param_values (
      runbook_id TEXT NOT NULL REFERENCES runbooks (id),
      name       TEXT NOT NULL,
      value      TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (runbook_id, name)
    ) STRICT;

    CREATE TABLE runs (
      id            TEXT PRIMARY KEY,
      device_id     TEXT NOT NULL,
      runbook_id    TEXT NOT NULL REFERENCES runbooks (id),
      version_id    TEXT NOT NULL REFERENCES runbook_versions (id),
      section_id    TEXT NOT NULL,
      section_title TEXT NOT NULL,
      operator      TEXT NOT NULL,
      target        TEXT NOT NULL,
      origin        TEXT NOT NULL CHECK (origin IN ('ui', 'cli')),
      started_at    TEXT NOT NULL
    ) STRICT;
    CREATE INDEX runs_by_start ON runs (started_at);
    CREATE INDEX runs_by_runbook ON runs (runbook_id, started_at);

    CREATE TABLE run_events (
      id         TEXT PRIMARY KEY,
      device_id  TEXT NOT NULL,
      run_id     TEXT NOT NULL REFERENCES runs (id),
      seq        INTEGER NOT NULL,
      at         TEXT NOT NULL,
      type       TEXT NOT NULL,
      step_id    TEXT,
      attempt_id TEXT,
      data       TEXT NOT NULL CHECK (json_valid(data)),
      UNIQUE (run_id, seq)
    ) STRICT;

    CREATE TABLE output_chunks (
      id         TEXT PRIMARY KEY,
      device_id  TEXT NOT NULL,
      run_id     TEXT NOT NULL REFERENCES runs (id),
      attempt_id TEXT NOT NULL,
      step_id    TEXT NOT NULL,
      seq        INTEGER NOT NULL,
      stream     TEXT NOT NULL CHECK (stream IN ('stdout', 'stderr', 'system')),
      data       TEXT NOT NULL,
      at         TEXT NOT NULL,
      UNIQUE (attempt_id, seq)
    ) STRICT;
    ${appendOnly('runs')}
    ${appendOnly('run_events')}
    ${appendOnly('output_chunks')}
  `,
};
