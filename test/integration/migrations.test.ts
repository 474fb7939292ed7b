// Every migration is tested on a database holding data from the version before it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getDeviceId, migrate, openDatabase } from '../../electron/services/store/db.js';
import { hostKeyId } from '../../electron/services/store/host-key-id.js';
import { migrations } from '../../electron/services/store/migrations/index.js';
import { createRunStore } from '../../electron/services/store/run-store.js';
import { createSearchStore } from '../../electron/services/store/search-store.js';
import { parseQuery } from '../../electron/services/search/query.js';
import { StoreError } from '../../electron/services/store/store-error.js';
import { OLD_UNIT, writeVersion6History } from '../helpers/search-history.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-mig-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('migration 002 (runs)', () => {
  it('keeps the library of a version-1 database and adds append-only run history', () => {
    const db = new BetterSqlite3(join(dir, 'v1.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 1));
    db.prepare("INSERT INTO meta VALUES ('device_id', 'dev-1')").run();
    db.prepare("INSERT INTO runbooks VALUES ('rb-1', 'dev-1', '/x/ops.md', '2026-01-01T00:00:00Z')").run();
    db.prepare(
      "INSERT INTO runbook_versions VALUES ('v-1', 'dev-1', 'rb-1', 1, 'abc', 'Ops', '2026-01-01T00:00:00Z', '{}', '{}')",
    ).run();

    migrate(db, migrations.slice(0, 2));
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(db.prepare('SELECT title FROM runbook_versions').all()).toEqual([{ title: 'Ops' }]);

    db.prepare(
      "INSERT INTO runs VALUES ('run-1', 'dev-1', 'rb-1', 'v-1', 'sec', 'Deploy', 'ana', 'local', 'ui', '2026-01-02T00:00:00Z')",
    ).run();
    db.prepare("INSERT INTO run_events VALUES ('e-1', 'dev-1', 'run-1', 1, '2026-01-02T00:00:00Z', 'run.started', NULL, NULL, '{}')").run();
    db.prepare("INSERT INTO output_chunks VALUES ('c-1', 'dev-1', 'run-1', 'a-1', 'st', 0, 'stdout', 'hi', '2026-01-02T00:00:00Z')").run();
    for (const sql of [
      "UPDATE runs SET operator = 'mallory'",
      'DELETE FROM runs',
      "UPDATE run_events SET type = 'x'",
      'DELETE FROM run_events',
      "UPDATE output_chunks SET data = 'x'",
      'DELETE FROM output_chunks',
    ]) {
      expect(() => db.exec(sql), sql).toThrow(/append-only/);
    }
    expect(() =>
      db.prepare("INSERT INTO runs VALUES ('run-2', 'dev-1', 'nope', 'v-1', 's', 'S', 'a', 'local', 'ui', 't')").run(),
    ).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('migration 003 (hosts)', () => {
  it('keeps the library and history of a version-2 database and adds the inventory', () => {
    const db = new BetterSqlite3(join(dir, 'v2.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 2));
    db.prepare("INSERT INTO runbooks VALUES ('rb-1', 'dev-1', '/x/ops.md', '2026-01-01T00:00:00Z')").run();
    db.prepare("INSERT INTO runbook_versions VALUES ('v-1', 'dev-1', 'rb-1', 1, 'abc', 'Ops', 't', '{}', '{}')").run();
    db.prepare("INSERT INTO runs VALUES ('run-1', 'dev-1', 'rb-1', 'v-1', 'sec', 'Deploy', 'ana', 'local', 'ui', 't')").run();
    db.prepare("INSERT INTO settings VALUES ('operator', 'ana')").run();

    migrate(db, migrations.slice(0, 3));
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.prepare('SELECT operator FROM runs').all()).toEqual([{ operator: 'ana' }]);
    expect(db.prepare('SELECT value FROM settings').all()).toEqual([{ value: 'ana' }]);

    db.prepare(
      `INSERT INTO hosts VALUES ('h-1', 'dev-1', 'web1', '10.0.0.5', 22, 'deploy', NULL, NULL, '[]', '["web"]', '', 0, 'manual', 't')`,
    ).run();
    expect(() =>
      db.prepare(`INSERT INTO hosts VALUES ('h-2', 'dev-1', 'web1', 'x', 22, NULL, NULL, NULL, '[]', '[]', '', 0, 'manual', 't')`).run(),
    ).toThrow(/UNIQUE/);
    expect(() => db.prepare(`INSERT INTO section_targets VALUES ('nope', 's', '{}', 't')`).run()).toThrow(/FOREIGN KEY/);
    db.prepare(`INSERT INTO section_targets VALUES ('rb-1', 's', '{"kind":"local"}', 't')`).run();
    db.close();
  });
});

describe('migration 004 (mergeable)', () => {
  const DEV = '0190b6a4-0000-7000-8000-00000000000a';
  const OTHER = '0190b6a4-0000-7000-8000-00000000000b';

  /** A version-3 database with data in every table, the second version of ops.md imported with the clock set back. */
  function version3(file: string): BetterSqlite3.Database {
    const db = new BetterSqlite3(join(dir, file));
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 3));
    db.exec(`
      INSERT INTO meta VALUES ('device_id', '${DEV}');
      INSERT INTO runbooks VALUES ('rb-1', '${DEV}', '/x/ops.md', '2026-01-01T00:00:00.000Z');
      INSERT INTO runbook_versions VALUES ('v-1', '${DEV}', 'rb-1', 1, 'abc', 'Ops', '2026-01-01T10:00:00.000Z', '{"a":1}', '{"s":1}');
      INSERT INTO runbook_versions VALUES ('v-2', '${DEV}', 'rb-1', 2, 'def', 'Ops 2', '2026-01-01T09:00:00.000Z', '{"a":2}', '{"s":2}');
      INSERT INTO settings VALUES ('operator', 'ana');
      INSERT INTO param_values VALUES ('rb-1', 'name', 'world', '2026-01-02T00:00:00.000Z');
      INSERT INTO runs VALUES ('run-1', '${DEV}', 'rb-1', 'v-2', 'sec', 'Deploy', 'ana', 'local', 'cli', '2026-01-02T00:00:00.000Z');
      INSERT INTO run_events VALUES ('e-1', '${DEV}', 'run-1', 1, '2026-01-02T00:00:00.000Z', 'run.started', NULL, NULL, '{"pid":1}');
      INSERT INTO output_chunks VALUES ('c-1', '${DEV}', 'run-1', 'a-1', 'st', 0, 'stdout', 'hi', '2026-01-02T00:00:01.000Z');
      INSERT INTO hosts VALUES ('h-1', '${DEV}', 'web1', '10.0.0.5', 22, 'deploy', '~/.ssh/id', NULL, '["bastion"]', '["web"]', 'n', 1, 'ssh-config', '2026-01-03T00:00:00.000Z');
      INSERT INTO host_keys VALUES ('k-1', '${DEV}', 'web1', 22, 'ssh-ed25519', 'AAAA1', 'SHA256:one', '2026-01-04T00:00:00.000Z');
      INSERT INTO host_keys VALUES ('k-2', '${DEV}', '10.0.0.5', 22, 'ssh-rsa', 'AAAA2', 'SHA256:two', 'not a time');
      INSERT INTO section_targets VALUES ('rb-1', 'sec', '{"kind":"host","host":"web1"}', '2026-01-05T00:00:00.000Z');
    `);
    return db;
  }
  const all = (db: BetterSqlite3.Database, sql: string): unknown[] => db.prepare(sql).all();
  const ms = (iso: string): string => String(Date.parse(iso)).padStart(15, '0');

  it('keeps every row of a version-3 database, stamps the registers and orders versions as they were', () => {
    const db = version3('v3.db');
    const before = Object.fromEntries(
      ['meta', 'runbooks', 'runbook_versions', 'settings', 'param_values', 'runs', 'run_events', 'output_chunks', 'hosts', 'host_keys', 'section_targets'].map(
        (t) => [t, all(db, `SELECT * FROM ${t} ORDER BY rowid`)],
      ),
    );
    for (const [table, rows] of Object.entries(before)) expect(rows.length, table).toBeGreaterThan(0);

    migrate(db, migrations.slice(0, 4));
    expect(db.pragma('user_version', { simple: true })).toBe(4);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('foreign_key_check')).toEqual([]);

    // Every old column keeps its values; the new ones are the registers' stamps and tombstone flags.
    const keep = (table: string, columns: string): unknown[] => all(db, `SELECT ${columns} FROM ${table} ORDER BY rowid`);
    const oldColumns = (table: string): string => Object.keys((before[table] as Array<Record<string, unknown>>)[0]!).join(', ');
    for (const table of ['runbooks', 'runbook_versions', 'run_events', 'output_chunks', 'hosts', 'section_targets', 'param_values', 'settings']) {
      expect(keep(table, oldColumns(table)), table).toEqual(before[table]);
    }
    expect(keep('runs', oldColumns('runs').replace('target', `json_extract(target, '$.kind') AS target`))).toEqual(before.runs);
    expect(all(db, 'SELECT target, origin FROM runs')).toEqual([{ target: '{"kind":"local"}', origin: 'cli' }]);
    expect(keep('host_keys', 'device_id, host, port, key_type, key, fingerprint, added_at')).toEqual(
      (before.host_keys as Array<Record<string, unknown>>).map(({ id: _id, ...rest }) => rest),
    );

    // Host keys take the id derived from the key, as the store computes it.
    expect(all(db, 'SELECT id FROM host_keys ORDER BY rowid')).toEqual([
      { id: hostKeyId('web1', 22, 'ssh-ed25519', 'AAAA1') },
      { id: hostKeyId('10.0.0.5', 22, 'ssh-rsa', 'AAAA2') },
    ]);

    // Registers: stamped from their own times (none: the earliest), by this device, none deleted.
    expect(all(db, 'SELECT hlc, device_id, deleted FROM hosts')).toEqual([{ hlc: `${ms('2026-01-03T00:00:00.000Z')}-000000-${DEV}`, device_id: DEV, deleted: 0 }]);
    expect(all(db, 'SELECT hlc, deleted FROM host_keys ORDER BY rowid')).toEqual([
      { hlc: `${ms('2026-01-04T00:00:00.000Z')}-000000-${DEV}`, deleted: 0 },
      { hlc: `000000000000000-000000-${DEV}`, deleted: 0 },
    ]);
    expect(all(db, 'SELECT hlc, device_id, deleted FROM section_targets')).toEqual([{ hlc: `${ms('2026-01-05T00:00:00.000Z')}-000000-${DEV}`, device_id: DEV, deleted: 0 }]);
    expect(all(db, 'SELECT hlc, device_id, deleted FROM param_values')).toEqual([{ hlc: `${ms('2026-01-02T00:00:00.000Z')}-000000-${DEV}`, device_id: DEV, deleted: 0 }]);
    expect(all(db, 'SELECT hlc, device_id, deleted FROM settings')).toEqual([{ hlc: `000000000000000-000000-${DEV}`, device_id: DEV, deleted: 0 }]);

    // Version 2 was imported with the clock set back, yet still sorts after version 1.
    expect(all(db, 'SELECT id, hlc FROM runbook_versions ORDER BY hlc')).toEqual([
      { id: 'v-1', hlc: `${ms('2026-01-01T10:00:00.000Z')}-000001-${DEV}` },
      { id: 'v-2', hlc: `${ms('2026-01-01T10:00:00.000Z')}-000002-${DEV}` },
    ]);
    // The device clock starts past every stamp made.
    expect(all(db, "SELECT value FROM meta WHERE key = 'hlc'")).toEqual([{ value: `${ms('2026-01-05T00:00:00.000Z')}-000000-${DEV}` }]);

    // Indexes and triggers of the rebuilt tables are back.
    const names = (type: string): string[] => (all(db, `SELECT name FROM sqlite_master WHERE type = '${type}' ORDER BY name`) as Array<{ name: string }>).map((r) => r.name);
    expect(names('index').filter((n) => !n.startsWith('sqlite_autoindex'))).toEqual(['host_keys_by_host', 'hosts_by_name', 'runbook_versions_by_runbook', 'runs_by_runbook', 'runs_by_start']);
    expect(names('trigger')).toEqual([
      'output_chunks_by_run_device', 'output_chunks_no_delete', 'output_chunks_no_update',
      'run_events_by_run_device', 'run_events_no_delete', 'run_events_no_update',
      'runbook_versions_no_delete', 'runbook_versions_no_update',
      'runbooks_no_delete', 'runbooks_no_update',
      'runs_no_delete', 'runs_no_update',
    ]);
    db.close();
  });

  it('drops the rules two devices would both break, and keeps the ones that hold', () => {
    const db = version3('v3-rules.db');
    migrate(db, migrations.slice(0, 4));
    // Another device's runbook of the same path, a version number another device also gave, a second host named web1.
    db.exec(`
      INSERT INTO runbooks VALUES ('rb-2', '${OTHER}', '/x/ops.md', 't');
      INSERT INTO runbook_versions VALUES ('v-3', '${OTHER}', 'rb-1', 2, '001-000000-${OTHER}', 'x', 'Ops?', 't', '{}', '{}');
      INSERT INTO hosts VALUES ('h-2', '${OTHER}', 'web1', 'x', 22, NULL, NULL, NULL, '[]', '[]', '', 0, 'manual', 't', '001-000000-${OTHER}', 0);
    `);
    expect(() => db.exec(`INSERT INTO runbooks VALUES ('rb-3', '${DEV}', '/x/ops.md', 't')`)).toThrow(/UNIQUE/);
    expect(() => db.exec(`INSERT INTO runs VALUES ('run-2', '${DEV}', 'rb-1', 'v-1', 's', 'S', 'a', 'local', 'ui', 't')`)).toThrow(/CHECK/);
    expect(() => db.exec(`INSERT INTO runs VALUES ('run-2', '${DEV}', 'rb-1', 'v-1', 's', 'S', 'a', '{"kind":"local"}', 'cron', 't')`)).toThrow(/CHECK/);
    db.exec(`INSERT INTO runs VALUES ('run-2', '${DEV}', 'rb-1', 'v-1', 's', 'S', 'a', '{"kind":"tag","tag":"web"}', 'schedule', 't')`);

    // Append-only tables still refuse every change, rebuilt or not.
    for (const sql of [
      "UPDATE runbooks SET source_path = 'y'",
      'DELETE FROM runbooks',
      "UPDATE runbook_versions SET title = 'x'",
      'DELETE FROM runbook_versions',
      "UPDATE runs SET operator = 'mallory'",
      'DELETE FROM runs',
      "UPDATE run_events SET type = 'x'",
      'DELETE FROM run_events',
      "UPDATE output_chunks SET data = 'x'",
      'DELETE FROM output_chunks',
    ]) {
      expect(() => db.exec(sql), sql).toThrow(/append-only/);
    }
    // Foreign keys hold on the rebuilt tables and on those that point at them.
    for (const sql of [
      `INSERT INTO runbook_versions VALUES ('v-9', '${DEV}', 'nope', 1, 'h', 's', 't', 't', '{}', '{}')`,
      `INSERT INTO runs VALUES ('run-9', '${DEV}', 'rb-1', 'nope', 's', 'S', 'a', '{"kind":"local"}', 'ui', 't')`,
      `INSERT INTO run_events VALUES ('e-9', '${DEV}', 'nope', 1, 't', 'x', NULL, NULL, '{}')`,
      `INSERT INTO output_chunks VALUES ('c-9', '${DEV}', 'nope', 'a', 's', 0, 'stdout', 'x', 't')`,
      `INSERT INTO section_targets VALUES ('nope', 's', '{}', 't', '${DEV}', 'h', 0)`,
      `INSERT INTO param_values VALUES ('nope', 'n', 'v', 't', '${DEV}', 'h', 0)`,
    ]) {
      expect(() => db.exec(sql), sql).toThrow(/FOREIGN KEY/);
    }
    // A run's history is written by the device that started it, and no other.
    expect(() => db.exec(`INSERT INTO run_events VALUES ('e-2', '${OTHER}', 'run-1', 2, 't', 'note.added', NULL, NULL, '{}')`)).toThrow(/only the device that started a run/);
    expect(() => db.exec(`INSERT INTO output_chunks VALUES ('c-2', '${OTHER}', 'run-1', 'a-1', 'st', 1, 'stdout', 'x', 't')`)).toThrow(/only the device that started a run/);
    db.exec(`INSERT INTO run_events VALUES ('e-2', '${DEV}', 'run-1', 2, 't', 'note.added', NULL, NULL, '{}')`);
    db.close();
  });

  it('gives a version-3 database without a device id one, for the rows that had none', () => {
    const db = new BetterSqlite3(join(dir, 'v3-nodevice.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 3));
    db.exec("INSERT INTO settings VALUES ('theme', 'light')");
    migrate(db, migrations.slice(0, 4));
    const device = (db.prepare("SELECT value FROM meta WHERE key = 'device_id'").get() as { value: string }).value;
    expect(device).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(db.prepare('SELECT device_id, hlc FROM settings').get()).toEqual({ device_id: device, hlc: `000000000000000-000000-${device}` });
    db.close();
  });

  it('refuses to commit a rebuild that leaves a foreign key broken: the database stays at version 3, foreign keys on', () => {
    const db = version3('v3-broken.db');
    db.pragma('foreign_keys = OFF');
    db.exec("INSERT INTO param_values VALUES ('gone', 'n', 'v', 't')"); // written by something that had them off
    db.pragma('foreign_keys = ON');
    const error = (() => {
      try {
        migrate(db, migrations.slice(0, 4));
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).message).toMatch(/migration 4 \(mergeable\) failed: 1 rows would break a foreign key \(param_values .*-> runbooks\).*stays at version 3/);
    expect(db.pragma('user_version', { simple: true })).toBe(3);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.prepare('SELECT count(*) AS n FROM runbook_versions').get()).toEqual({ n: 2 });
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name LIKE '%_new'").get()).toEqual({ n: 0 });
    db.close();
  });
});

describe('migration 005 (library identity)', () => {
  const DEV = '0190b6a4-0000-7000-8000-00000000000a';

  /** A version-4 database holding the state: one file as two runbooks (uploaded, then by path), a run of each. */
  function version4(file: string): BetterSqlite3.Database {
    const db = new BetterSqlite3(join(dir, file));
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 4));
    db.exec(`
      INSERT OR REPLACE INTO meta VALUES ('device_id', '${DEV}');
      INSERT INTO runbooks VALUES ('rb-up', '${DEV}', 'upload:deploy.md', '2026-01-01T00:00:00.000Z');
      INSERT INTO runbooks VALUES ('rb-path', '${DEV}', '/x/deploy.md', '2026-01-02T00:00:00.000Z');
      INSERT INTO runbook_versions VALUES ('v-up', '${DEV}', 'rb-up', 1, '000001767225600000-000000-${DEV}', 'abc', 'Deploy', '2026-01-01T00:00:00.000Z', '{}', '{}');
      INSERT INTO runbook_versions VALUES ('v-path', '${DEV}', 'rb-path', 1, '000001767312000000-000000-${DEV}', 'abc', 'Deploy', '2026-01-02T00:00:00.000Z', '{}', '{}');
      INSERT INTO runs VALUES ('run-1', '${DEV}', 'rb-up', 'v-up', 'sec', 'Deploy', 'ana', '{"kind":"local"}', 'ui', '2026-01-03T00:00:00.000Z');
      INSERT INTO runs VALUES ('run-2', '${DEV}', 'rb-path', 'v-path', 'sec', 'Deploy', 'ana', '{"kind":"local"}', 'cli', '2026-01-04T00:00:00.000Z');
      INSERT INTO run_events VALUES ('e-1', '${DEV}', 'run-1', 1, '2026-01-03T00:00:00.000Z', 'run.started', NULL, NULL, '{}');
      INSERT INTO param_values VALUES ('rb-path', 'env', 'prod', 't', '${DEV}', '000000000000001-000000-${DEV}', 0);
    `);
    return db;
  }
  const tablesOf = (db: BetterSqlite3.Database): string[] =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

  it('keeps every row of a version-4 database, both runbooks live, and adds learned paths and archive state', () => {
    const db = version4('v4.db');
    const old = tablesOf(db);
    const before = Object.fromEntries(old.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));

    migrate(db, migrations.slice(0, 5));
    expect(db.pragma('user_version', { simple: true })).toBe(5);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    for (const table of old) expect(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(), table).toEqual(before[table]);
    expect(tablesOf(db).filter((t) => !old.includes(t))).toEqual(['runbook_archive', 'runbook_paths']);
    // Nothing is archived or linked by the migration: the two entries stay two until the operator removes one.
    expect(db.prepare('SELECT COUNT(*) AS n FROM runbook_archive').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM runbook_paths').get()).toEqual({ n: 0 });
    db.close();
  });

  it('makes learned paths append-only and archive state a register, both tied to a runbook', () => {
    const db = version4('v4-rules.db');
    migrate(db, migrations.slice(0, 5));
    db.exec(`
      INSERT INTO runbook_paths VALUES ('p-1', '${DEV}', 'rb-up', '/x/elsewhere/deploy.md', 't');
      INSERT INTO runbook_archive VALUES ('rb-up', 1, 't', '${DEV}', '000001767398400000-000000-${DEV}', 0);
    `);
    for (const sql of ["UPDATE runbook_paths SET path = '/y'", 'DELETE FROM runbook_paths']) expect(() => db.exec(sql), sql).toThrow(/append-only/);
    // A register is written in place: the later write replaces the row.
    db.exec(`UPDATE runbook_archive SET archived = 0, hlc = '000001767484800000-000000-${DEV}' WHERE runbook_id = 'rb-up'`);
    expect(db.prepare('SELECT archived FROM runbook_archive').all()).toEqual([{ archived: 0 }]);
    for (const sql of [
      `INSERT INTO runbook_paths VALUES ('p-2', '${DEV}', 'nope', '/y', 't')`,
      `INSERT INTO runbook_archive VALUES ('nope', 1, 't', '${DEV}', 'h', 0)`,
    ]) {
      expect(() => db.exec(sql), sql).toThrow(/FOREIGN KEY/);
    }
    expect(() => db.exec(`INSERT INTO runbook_archive VALUES ('rb-path', 2, 't', '${DEV}', 'h', 0)`)).toThrow(/CHECK/);
    db.close();
  });
});

describe('migration 006 (schedules)', () => {
  const DEV = '0190b6a4-0000-7000-8000-00000000000b';
  const OTHER = '0190b6a4-0000-7000-8000-00000000000c';

  function version5(file: string): BetterSqlite3.Database {
    const db = new BetterSqlite3(join(dir, file));
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 5));
    db.exec(`
      INSERT OR REPLACE INTO meta VALUES ('device_id', '${DEV}');
      INSERT INTO runbooks VALUES ('rb-1', '${DEV}', '/x/backup.md', '2026-01-01T00:00:00.000Z');
      INSERT INTO runbook_versions VALUES ('v-1', '${DEV}', 'rb-1', 1, '000001767225600000-000000-${DEV}', 'abc', 'Backup', '2026-01-01T00:00:00.000Z', '{}', '{}');
      INSERT INTO runs VALUES ('run-1', '${DEV}', 'rb-1', 'v-1', 'sec', 'Nightly', 'ana', '{"kind":"local"}', 'schedule', '2026-01-03T00:00:00.000Z');
      INSERT INTO runbook_archive VALUES ('rb-1', 0, 't', '${DEV}', '000001767398400000-000000-${DEV}', 0);
    `);
    return db;
  }
  const schedule = (id: string, home: string) =>
    `INSERT INTO schedules VALUES ('${id}', '${home}', 'rb-1', 'sec', '{}', '{}', 0, NULL, 't', 't', 'ana', 't', '${home}', '000001767398400000-000000-${home}', 0)`;
  const record = (id: string, schedule: string, device: string, kind = 'started', occurrence: string | null = "'2026-01-04T00:00:00.000Z'") =>
    `INSERT INTO schedule_records (id, device_id, schedule_id, kind, occurrence, recorded_at) VALUES ('${id}', '${device}', '${schedule}', '${kind}', ${occurrence}, 't')`;

  it('keeps every row of a version-5 database and adds schedules, their records and the webhook outbox', () => {
    const db = version5('v5.db');
    const old = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((r) => r.name);
    const before = Object.fromEntries(old.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
    migrate(db, migrations.slice(0, 6));
    expect(db.pragma('user_version', { simple: true })).toBe(6);
    for (const table of old) expect(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(), table).toEqual(before[table]);
    db.exec(schedule('s-1', DEV));
    db.exec(record('r-1', 's-1', DEV));
    expect(db.prepare('SELECT kind, manual, catch_up FROM schedule_records').all()).toEqual([{ kind: 'started', manual: 0, catch_up: 0 }]);
    db.close();
  });

  it('keeps records append-only, written only by the schedule\'s home device, and summaries without an occurrence', () => {
    const db = version5('v5-rules.db');
    migrate(db, migrations.slice(0, 6));
    db.exec(schedule('s-1', DEV));
    db.exec(record('r-1', 's-1', DEV));
    for (const sql of ["UPDATE schedule_records SET kind = 'missed'", 'DELETE FROM schedule_records']) expect(() => db.exec(sql), sql).toThrow(/append-only/);
    expect(() => db.exec(record('r-2', 's-1', OTHER))).toThrow(/only the device a schedule fires on/);
    expect(() => db.exec(record('r-3', 's-1', DEV, 'missed'))).toThrow(/CHECK/);
    expect(() => db.exec(record('r-4', 's-1', DEV, 'started', 'NULL'))).toThrow(/CHECK/);
    expect(() => db.exec(record('r-5', 's-1', DEV, 'exploded'))).toThrow(/CHECK/);
    expect(() => db.exec(`INSERT INTO schedules VALUES ('s-2', '${DEV}', 'nope', 'sec', '{}', '{}', 0, NULL, 't', 't', 'ana', 't', '${DEV}', 'h', 0)`)).toThrow(/FOREIGN KEY/);
    db.close();
  });
});

describe('migration 007 (search)', () => {
  const tablesOf = (db: BetterSqlite3.Database): string[] =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as Array<{ name: string }>).map((r) => r.name);

  it('keeps every row of a version-6 database, adds the empty indexes, and records how far existing history goes', () => {
    const file = join(dir, 'v6.db');
    writeVersion6History(file, 30);
    const db = new BetterSqlite3(file);
    const old = tablesOf(db);
    const before = Object.fromEntries(old.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
    migrate(db, migrations.slice(0, 7));
    expect(db.pragma('user_version', { simple: true })).toBe(7);
    for (const table of old.filter((t) => t !== 'meta')) expect(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(), table).toEqual(before[table]);
    expect(tablesOf(db).filter((t) => !old.includes(t))).toEqual([
      'search_output', 'search_output_config', 'search_output_data', 'search_output_docsize', 'search_output_idx', 'search_records',
      'search_trigrams', 'search_trigrams_config', 'search_trigrams_data', 'search_trigrams_docsize', 'search_trigrams_idx',
      'search_words', 'search_words_config', 'search_words_data', 'search_words_docsize', 'search_words_idx',
    ]);
    // Nothing is indexed inside the migration's transaction: the owner does it afterwards, from the first row on.
    expect(db.prepare("SELECT key, value FROM meta WHERE key LIKE 'search.%' ORDER BY key").all()).toEqual([
      { key: 'search.indexed.output_chunks', value: '0' },
      { key: 'search.indexed.run_events', value: '0' },
      { key: 'search.indexed.runs', value: '0' },
    ]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM search_output_docsize').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT COUNT(*) AS n FROM search_records').get()).toEqual({ n: 0 });
    db.close();
  });

  it('lets the indexer take in existing history once, slice by slice, and what is appended since', () => {
    const file = join(dir, 'v6-catch-up.db');
    const old = writeVersion6History(file, 30);
    const db = openDatabase(file);
    const store = createSearchStore(db);
    const runs = createRunStore(db, getDeviceId(db));
    const seen: number[] = [];
    const catchUp = (): void => {
      for (let progress = store.progress(); !progress.complete; progress = store.catchUp({ rows: 7, chars: 1_000_000 })) seen.push(progress.indexed);
    };
    store.catchUp({ rows: 7, chars: 1_000_000 });
    // Appended while the old history is being indexed: taken in by the same catch-up, in its turn.
    runs.appendChunk({ runId: old.runId, attemptId: 'late-attempt', stepId: 'st-1', seq: 0, stream: 'stdout', data: 'a late vintage line\n', at: '2026-01-04T00:00:00.000Z' });
    catchUp();
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(store.progress()).toEqual({ complete: true, indexed: 37, total: 37 });
    expect(store.catchUp({ rows: 7, chars: 1_000_000 })).toEqual({ complete: true, indexed: 37, total: 37 });
    // Every chunk indexed exactly once: the 30 old ones and the late one.
    expect(db.prepare('SELECT COUNT(*) AS n FROM search_output_docsize').get()).toEqual({ n: 31 });
    const vintage = store.search(parseQuery('vintage'), undefined, 100).hits;
    expect(vintage.filter((h) => h.kind === 'output')).toHaveLength(30);
    expect(vintage.filter((h) => h.kind !== 'output').map((h) => h.kind).sort()).toEqual(['note', 'title']);
    // The command as it ran, its parameter filled in: by words and, as a substring, by trigrams.
    const command = store.search(parseQuery(`"restart ${OLD_UNIT}"`), undefined, 10).hits;
    const snippets = store.snippets(command, parseQuery(`"restart ${OLD_UNIT}"`));
    expect(command.map((h) => [h.source, h.kind, snippets.get(h)])).toEqual([
      ['words', 'command', `systemctl \u0002restart ${OLD_UNIT}\u0003`],
      ['trigrams', 'command', `systemctl \u0002restart ${OLD_UNIT}\u0003`],
    ]);
    db.close();
  });
});

describe('migration 008 (incidents)', () => {
  const DEV = '0190b6a4-0000-7000-8000-00000000000d';
  it('keeps every row of a version-7 database and adds append-only incidents, their entries and handovers', () => {
    const db = new BetterSqlite3(join(dir, 'v7.db'));
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.slice(0, 7));
    db.exec(`INSERT OR REPLACE INTO meta VALUES ('device_id', '${DEV}');
      INSERT INTO runbooks VALUES ('rb-1', '${DEV}', '/x/ops.md', '2026-01-01T00:00:00.000Z');`);
    const old = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'search%'").all() as Array<{ name: string }>).map((r) => r.name);
    const before = Object.fromEntries(old.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()]));
    migrate(db, migrations.slice(0, 8));
    expect(db.pragma('user_version', { simple: true })).toBe(8);
    for (const table of old) expect(db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all(), table).toEqual(before[table]);
    db.exec(`INSERT INTO incidents VALUES ('i-1', '${DEV}', 't', 'ana');
      INSERT INTO incident_entries VALUES ('e-1', '${DEV}', 'i-1', 't', 't', 'ana', 'note', NULL, '{}');
      INSERT INTO handovers VALUES ('h-1', '${DEV}', 't', '# Handover', '[]', 'ana', 't');
      INSERT INTO handover_acks VALUES ('a-1', '${DEV}', 'h-1', 'bo', 't');`);
    for (const table of ['incidents', 'incident_entries', 'handovers', 'handover_acks']) {
      expect(() => db.exec(`UPDATE ${table} SET device_id = 'x'`), table).toThrow(/append-only/);
      expect(() => db.exec(`DELETE FROM ${table}`), table).toThrow(/append-only/);
    }
    expect(() => db.exec(`INSERT INTO incident_entries VALUES ('e-2', '${DEV}', 'nope', 't', 't', 'ana', 'note', NULL, '{}')`)).toThrow(/FOREIGN KEY/);
    db.close();
  });
});
