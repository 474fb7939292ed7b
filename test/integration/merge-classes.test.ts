// Every table declares how it merges across an operator's devices (electron/services/store/merge-classes.ts), and
// the declaration is checked against the migrated schema: a table without a class, a class without a table, a
// register without its stamp, an append-only table that can be changed, or a new uniqueness rule fails here.
// Also: every file a host leaves in its data directory is the database or a declared local file.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callerFor } from '../../electron/host/cli-run.js';
import { createHost, DATABASE_FILE } from '../../electron/host/host.js';
import { openDatabase, type Database } from '../../electron/services/store/db.js';
import { localFiles, mergeClasses } from '../../electron/services/store/merge-classes.js';

let dir: string;
let db: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-merge-classes-'));
  db = openDatabase(join(dir, DATABASE_FILE));
});
afterEach(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Column {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}
const columns = (table: string): Column[] => db.prepare(`PRAGMA table_info(${table})`).all() as Column[];
const declared = Object.entries(mergeClasses);

describe('merge classes', () => {
  it('are declared for exactly the tables a migrated database has', () => {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as Array<{ name: string }>).map(
      (r) => r.name,
    );
    expect(tables.filter((t) => !(t in mergeClasses)), 'tables without a merge class').toEqual([]);
    expect(Object.keys(mergeClasses).filter((t) => !tables.includes(t)), 'merge classes without a table').toEqual([]);
    for (const [table, spec] of declared) expect(spec.why.length, `${table}: say why`).toBeGreaterThan(20);
  });

  it('name each table by its primary key', () => {
    for (const [table, spec] of declared) {
      const pk = columns(table)
        .filter((c) => c.pk > 0)
        .sort((a, b) => a.pk - b.pk)
        .map((c) => c.name);
      expect(pk, table).toEqual(spec.key);
    }
  });

  it('give every register a stamp, a writing device and a tombstone flag, and every append-only table ids, devices and guards', () => {
    const triggers = (db.prepare("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'").all() as Array<{ name: string; tbl_name: string; sql: string }>);
    for (const [table, spec] of declared) {
      const byName = new Map(columns(table).map((c) => [c.name, c]));
      const own = triggers.filter((t) => t.tbl_name === table);
      if (spec.class === 'register') {
        for (const name of ['hlc', 'device_id', 'deleted']) expect(byName.get(name), `${table}.${name}`).toMatchObject({ type: name === 'deleted' ? 'INTEGER' : 'TEXT', notnull: 1 });
        expect(own, `${table}: a register is written in place`).toEqual([]);
      } else if (spec.class === 'append-only') {
        expect(spec.key, table).toEqual(['id']);
        expect(byName.get('device_id'), `${table}.device_id`).toMatchObject({ type: 'TEXT', notnull: 1 });
        for (const when of ['UPDATE', 'DELETE']) {
          expect(own.some((t) => new RegExp(`BEFORE ${when} ON ${table}\\b`).test(t.sql) && /RAISE\(ABORT/.test(t.sql)), `${table} refuses ${when}`).toBe(true);
        }
      } else {
        expect(spec.class).toBe('local');
      }
    }
  });

  it('allow no uniqueness rule beyond the keys but the ones decided on', () => {
    const unique: string[] = [];
    for (const [table] of declared) {
      const indexes = db.prepare(`PRAGMA index_list(${table})`).all() as Array<{ name: string; unique: number; origin: string }>;
      for (const index of indexes.filter((i) => i.unique === 1 && i.origin !== 'pk')) {
        const cols = (db.prepare(`PRAGMA index_info(${index.name})`).all() as Array<{ name: string }>).map((c) => c.name);
        unique.push(`${table} (${cols.join(', ')})`);
      }
    }
    // A path is unique per device; a run's events and an attempt's chunks are numbered by the one device writing them.
    expect(unique.sort()).toEqual(['output_chunks (attempt_id, seq)', 'run_events (run_id, seq)', 'runbooks (device_id, source_path)']);
  });
});

describe('local files', () => {
  it('are the only files beside the database in a data directory, while a host runs and after', async () => {
    const dataDir = join(dir, 'data');
    const host = await createHost({ dataDir, mode: 'cli', version: 'test' });
    const file = join(dir, 'tiny.md');
    writeFileSync(file, '# Tiny\n\n## Go\n\n```bash\necho hi\n```\n');
    const call = callerFor(host);
    const { runbookId } = await call('runbooks.import', { path: file });
    const section = (await call('runbooks.get', { id: runbookId })).document.sections[0]!.sections[0]!;
    const run = await call('runs.start', { runbookId, sectionId: section.id });
    await call('steps.run', { runId: run.run.id, stepId: section.steps[0]!.id, params: {} });
    const allowed = new Set<string>([DATABASE_FILE, ...localFiles.map((f) => f.name)]);
    expect(readdirSync(dataDir).filter((f) => !allowed.has(f))).toEqual([]);
    await host.close();
    expect(readdirSync(dataDir).filter((f) => !allowed.has(f))).toEqual([]);
  });
});
