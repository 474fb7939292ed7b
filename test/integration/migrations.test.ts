// Every migration is tested on a database holding data from the version before it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../electron/services/store/db.js';
import { migrations } from '../../electron/services/store/migrations/index.js';

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
