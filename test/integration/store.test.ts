/**
 * The store against real SQLite files: migrations (from empty, from data at the version before, refusing a newer
 * schema, rolling back a failure), append-only versions, imports, the device id, and runbook lookup.
 */
import { mergeClasses } from '../../electron/services/store/merge-classes.js';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostFields } from '../../shared/contract/hosts.js';
import type { Runbook } from '../../shared/model/runbook.js';
import { summarizeRunbook } from '../../shared/model/summary.js';
import { FLUSH_DELAY_MS, getDeviceId, migrate, openDatabase } from '../../electron/services/store/db.js';
import type { Database, Durability } from '../../electron/services/store/db.js';
import { createHostStore } from '../../electron/services/store/host-store.js';
import { createLibraryStore } from '../../electron/services/store/library-store.js';
import type { LibraryStore } from '../../electron/services/store/library-store.js';
import { migrations } from '../../electron/services/store/migrations/index.js';
import { StoreError } from '../../electron/services/store/store-error.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let dir: string;
const open: Database[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-store-'));
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function openAt(name = 'opsdeck.db', options?: Parameters<typeof openDatabase>[1]): Database {
  const db = openDatabase(join(dir, name), options);
  open.push(db);
  return db;
}

function raw(name = 'opsdeck.db'): Database {
  const db = new BetterSqlite3(join(dir, name));
  open.push(db);
  return db;
}

function tables(db: Database): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map(
    (row) => row.name,
  );
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function sampleRunbook(title: string, path = '/runbooks/sample.md'): Runbook {
  return {
    title,
    source: { path, sha256: 'ignored-by-the-store' },
    sections: [
      {
        id: 's1',
        title,
        level: 1,
        line: 1,
        meta: { owner: 'ops' },
        steps: [
          {
            id: 's1.1',
            kind: 'command',
            title: 'Restart',
            caption: null,
            line: 3,
            endLine: 3,
            script: 'systemctl restart demo',
            language: 'bash',
            params: [],
            danger: { level: 'caution', reasons: ['restarts a service'] },
            remote: null,
            checked: null,
            expectedOutput: null,
          },
        ],
        sections: [{ id: 's1.s1', title: 'Nested', level: 2, line: 5, meta: {}, steps: [], sections: [] }],
      },
    ],
    params: [],
    scheduleHints: [],
    warnings: [{ line: 4, message: 'something odd' }],
  };
}

describe('migrations', () => {
  it('bring an empty database to the latest version in WAL mode with foreign keys on', () => {
    const db = openAt();
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    // Exactly the tables merge-classes.ts declares (each with its merge rule), none undeclared, none missing.
    expect(tables(db)).toEqual(Object.keys(mergeClasses).sort());
    expect(tables(db)).toEqual(expect.arrayContaining(['runbooks', 'runs', 'run_events', 'output_chunks', 'hosts', 'schedules', 'schedule_records', 'incidents', 'handovers']));
  });

  it('migrate a version-0 database holding an unrelated table without touching its data', () => {
    const before = raw();
    before.exec("CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('keep me'), ('me too');");
    before.close();

    const db = openAt();
    expect(db.pragma('user_version', { simple: true })).toBe(migrations.length);
    expect(db.prepare('SELECT body FROM notes ORDER BY rowid').all()).toEqual([{ body: 'keep me' }, { body: 'me too' }]);
    expect(tables(db)).toContain('runbooks');
  });

  it('refuse a database from a newer Opsdeck and leave it byte for byte as it was', () => {
    const newer = raw();
    newer.exec("CREATE TABLE future (x TEXT); INSERT INTO future VALUES ('from v99');");
    newer.pragma('user_version = 99');
    newer.close();
    const file = join(dir, 'opsdeck.db');
    const digest = (): string => createHash('sha256').update(readFileSync(file)).digest('hex');
    const original = digest();

    const error = catchError(() => openAt());
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('schema_too_new');
    expect((error as StoreError).message).toMatch(/newer Opsdeck.*version 99.*upgrade/);
    expect(digest()).toBe(original);
    expect(existsSync(`${file}-wal`)).toBe(false);
  });

  it('roll back a failing migration, leaving the version before it intact, and apply it once fixed', () => {
    const first = { version: 1, name: 'first', up: 'CREATE TABLE a (x INTEGER);' };
    const broken = {
      version: 2,
      name: 'broken',
      up: 'CREATE TABLE b (x INTEGER); INSERT INTO b VALUES (1); INSERT INTO no_such_table VALUES (1);',
    };
    const db = raw();

    const error = catchError(() => migrate(db, [first, broken]));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('migration_failed');
    expect((error as StoreError).message).toMatch(/migration 2 \(broken\) failed: .*no_such_table.*stays at version 1/);
    expect(db.pragma('user_version', { simple: true })).toBe(1);
    expect(tables(db)).toEqual(['a']);

    migrate(db, [first, { ...broken, up: 'CREATE TABLE b (x INTEGER);' }]);
    expect(db.pragma('user_version', { simple: true })).toBe(2);
    expect(tables(db)).toEqual(['a', 'b']);
  });

  it('refuse to open a file that is not a database', () => {
    writeFileSync(join(dir, 'opsdeck.db'), 'this is a text file, not SQLite, and it is long enough to have a header');
    const error = catchError(() => openAt());
    expect((error as StoreError).code).toBe('not_a_database');
  });
});

describe('device id', () => {
  it('is a UUIDv7 made once and kept across reopening', () => {
    const first = getDeviceId(openAt());
    expect(first).toMatch(UUID_V7);
    open.splice(0).forEach((db) => db.close());
    expect(getDeviceId(openAt())).toBe(first);
  });
});

describe('durability', () => {
  /** Timers run by hand, and a flush that notes what a second connection could read when asked and waits to be let go. */
  function controlled(peek: () => number) {
    let due: (() => void) | null = null;
    const flushes: Array<{ path: string; rowsVisible: number }> = [];
    const now: string[] = [];
    const pending: Array<() => void> = [];
    const durability: Durability = {
      flushFile: (path) => {
        flushes.push({ path, rowsVisible: peek() });
        return new Promise<void>((resolve) => pending.push(resolve));
      },
      flushFileNow: (path) => void now.push(path),
      setTimeout: (fn, ms) => {
        expect(ms).toBe(FLUSH_DELAY_MS);
        expect(due).toBeNull(); // one flush waits at a time
        due = fn;
        return fn;
      },
      clearTimeout: (h) => {
        if (due === h) due = null;
      },
    };
    const fire = (): void => {
      const fn = due;
      due = null;
      fn?.();
    };
    return { durability, flushes, now, fire, waiting: () => due !== null, release: () => pending.splice(0).forEach((r) => r()) };
  }
  const settle = () => new Promise((r) => setTimeout(r, 0));

  it('commits without an fsync of its own and forces the log to disk once per burst of writes, after their commits', async () => {
    let peekDb: Database | null = null;
    const rows = (): number => (peekDb ? (peekDb.prepare('SELECT count(*) AS n FROM meta').get() as { n: number }).n : -1);
    const c = controlled(rows);
    const db = openAt('opsdeck.db', { durability: c.durability });
    peekDb = raw();
    expect(db.pragma('synchronous', { simple: true })).toBe(1); // NORMAL: a commit does not wait for the disk
    const before = rows();

    db.prepare('SELECT * FROM meta').all();
    expect(c.waiting()).toBe(false); // reads flush nothing

    // Three writes in a transaction and one after it: one flush, of the WAL, asked for when all four are committed.
    const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    db.transaction(() => ['a', 'b', 'c'].forEach((k) => insert.run(k, k)))();
    insert.run('d', 'd');
    expect(c.flushes).toEqual([]);
    c.fire();
    expect(c.flushes).toEqual([{ path: join(dir, 'opsdeck.db-wal'), rowsVisible: before + 4 }]);

    // Writes while it runs (statements and exec alike) get exactly one more, after it.
    insert.run('e', 'e');
    db.exec("INSERT INTO meta (key, value) VALUES ('f', 'f')");
    expect(c.waiting()).toBe(false);
    c.release();
    await settle();
    expect(c.waiting()).toBe(true);
    c.fire();
    expect(c.flushes.map((f) => f.rowsVisible)).toEqual([before + 4, before + 6]);
    c.release();
    await settle();
    expect(c.waiting()).toBe(false);

    // Closing with a write not yet flushed forces it out first, at once; with none, it does not.
    insert.run('g', 'g');
    db.close();
    expect(c.now).toEqual([join(dir, 'opsdeck.db-wal')]);
    expect(c.waiting()).toBe(false);
    const quiet = controlled(() => 0);
    openAt('other.db', { durability: quiet.durability }).close();
    expect(quiet.now).toEqual([]);
  });

  it('keeps every write across closing and reopening with the real flush (fsync on the thread pool)', async () => {
    const db = openAt();
    const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
    for (let i = 0; i < 50; i++) insert.run(`k${i}`, 'v');
    await new Promise((r) => setTimeout(r, FLUSH_DELAY_MS + 100));
    insert.run('last', 'v');
    db.close();
    const again = openAt();
    expect((again.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'k%' OR key = 'last'").get() as { n: number }).n).toBe(51);
  });
});

describe('host store', () => {
  const fields = (name: string, address: string): HostFields => ({
    name, address, port: 22, user: 'ops', identityFile: null, identityAgent: null, jump: ['bastion'], tags: ['web'], notes: '', forwardAgent: false,
  });

  it('answers lookups from memory yet sees every change, its own and those another process commits', () => {
    // Two connections to one file: the app and a CLI process (`opsdeck hosts add`, a run choosing a target).
    const app = createHostStore(openAt(), getDeviceId(openAt()), { now: () => new Date() });
    const cli = createHostStore(openAt(), 'cli-device', { now: () => new Date() });
    expect(app.byName('web-1')).toBeUndefined();

    const saved = cli.save(fields('web-1', '10.0.0.1'), { source: 'manual' });
    expect(app.byName('web-1')?.address).toBe('10.0.0.1'); // a miss is not remembered past another's commit
    cli.save(fields('web-1', '10.0.0.2'), { id: saved.id, source: 'manual' });
    expect(app.byName('web-1')?.address).toBe('10.0.0.2');
    app.save({ ...fields('web-1', '10.0.0.3'), tags: ['web', 'eu'] }, { id: saved.id, source: 'manual' });
    expect(app.byName('web-1')).toMatchObject({ address: '10.0.0.3', tags: ['web', 'eu'] });
    expect(cli.byName('web-1')?.address).toBe('10.0.0.3');

    // What callers get is shared: it cannot be changed behind the store's back.
    const host = app.byName('web-1');
    expect(() => host?.tags.push('x')).toThrow(TypeError);
    expect(() => Object.assign(host ?? {}, { address: 'elsewhere' })).toThrow(TypeError);
    expect(app.byName('web-1')).toMatchObject({ address: '10.0.0.3', tags: ['web', 'eu'] });

    const runbook = sampleRunbook('Deploy', '/runbooks/deploy.md');
    const { runbookId: rb } = createLibraryStore({ db: openAt(), clock: { now: () => new Date() }, deviceId: 'x' }).saveImport('/runbooks/deploy.md', 'sha', runbook, summarizeRunbook(runbook));
    const target = { kind: 'host' as const, host: 'web-1' };
    expect(app.target(rb, 'sec')).toBeUndefined();
    cli.setTarget(rb, 'sec', target);
    expect(app.target(rb, 'sec')).toEqual(target);
    app.setTarget(rb, 'sec', { kind: 'local' });
    expect(cli.target(rb, 'sec')).toEqual({ kind: 'local' });
    expect(app.target(rb, 'sec')).toEqual({ kind: 'local' });

    expect(cli.remove(saved.id)).toBe(true);
    expect(app.byName('web-1')).toBeUndefined();
  });
});

describe('library store', () => {
  let db: Database;
  let store: LibraryStore;
  let deviceId: string;
  let now: Date;

  beforeEach(() => {
    db = openAt();
    deviceId = getDeviceId(db);
    now = new Date('2025-03-01T10:00:00Z');
    store = createLibraryStore({ db, clock: { now: () => now }, deviceId });
  });

  const save = (path: string, sha: string, title = 'Sample'): ReturnType<LibraryStore['saveImport']> => {
    const runbook = sampleRunbook(title, path);
    return store.saveImport(path, sha, runbook, summarizeRunbook(runbook));
  };

  it('saves a new import, writes nothing for an unchanged one, and appends a version for a changed one', () => {
    const created = save('/runbooks/a.md', 'sha-1');
    expect(created).toMatchObject({ status: 'new', version: 1 });
    expect(created.runbookId).toMatch(UUID_V7);
    expect(created.versionId).toMatch(UUID_V7);

    now = new Date('2025-03-02T10:00:00Z');
    const again = save('/runbooks/a.md', 'sha-1');
    expect(again).toEqual({ ...created, status: 'unchanged' });
    expect(store.listVersions(created.runbookId)).toHaveLength(1);

    now = new Date('2025-03-03T10:00:00Z');
    const changed = save('/runbooks/a.md', 'sha-2', 'Sample, revised');
    expect(changed).toMatchObject({ status: 'updated', version: 2, runbookId: created.runbookId });

    const versions = store.listVersions(created.runbookId);
    expect(versions.map((v) => [v.version, v.sha256, v.title, v.importedAt])).toEqual([
      [1, 'sha-1', 'Sample', '2025-03-01T10:00:00.000Z'],
      [2, 'sha-2', 'Sample, revised', '2025-03-03T10:00:00.000Z'],
    ]);
    expect(versions.every((v) => v.deviceId === deviceId)).toBe(true);
    expect(store.getVersion(created.versionId).document.title).toBe('Sample');

    const [entry] = store.list();
    expect(entry).toMatchObject({
      id: created.runbookId,
      title: 'Sample, revised',
      path: '/runbooks/a.md',
      latestVersion: 2,
      versions: 2,
      importedAt: '2025-03-03T10:00:00.000Z',
      sha256: 'sha-2',
    });
    expect(entry?.summary).toEqual({
      sections: 2,
      steps: { check: 0, command: 1, reference: 0, template: 0 },
      parameters: 0,
      secrets: 0,
      dangerous: { caution: 1, destructive: 0 },
      scheduleHints: 0,
      warnings: 1,
    });
    const runbookRow = db.prepare('SELECT device_id, created_at FROM runbooks').get();
    expect(runbookRow).toEqual({ device_id: deviceId, created_at: '2025-03-01T10:00:00.000Z' });
  });

  it('never updates or deletes a stored version', () => {
    const { versionId } = save('/runbooks/a.md', 'sha-1');
    expect(() => db.prepare("UPDATE runbook_versions SET title = 'x' WHERE id = ?").run(versionId)).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM runbook_versions WHERE id = ?').run(versionId)).toThrow(/append-only/);
    expect(store.getVersion(versionId).title).toBe('Sample');
  });

  it('finds a runbook by id, id prefix, path, title and title prefix, and says when a query is ambiguous', () => {
    const disk = save('/runbooks/disk.md', 'sha-d', 'Disk Full');
    const deploy = save('/runbooks/deploy.md', 'sha-p', 'Deploy Release');
    save('/runbooks/dns.md', 'sha-n', 'DNS Outage');

    expect(store.get(disk.runbookId).id).toBe(disk.runbookId);
    expect(store.get(disk.runbookId.toUpperCase()).id).toBe(disk.runbookId);
    expect(store.get('/runbooks/deploy.md').id).toBe(deploy.runbookId);
    expect(store.get('deploy.md', '/runbooks/deploy.md').id).toBe(deploy.runbookId);
    expect(store.get('disk full').id).toBe(disk.runbookId);
    expect(store.get('  DEPL ').id).toBe(deploy.runbookId);

    const detail = store.get(deploy.runbookId.slice(0, 30));
    expect(detail).toMatchObject({ id: deploy.runbookId, path: '/runbooks/deploy.md', versions: 1, deviceId });
    expect(detail.version).toMatchObject({ version: 1, title: 'Deploy Release', sha256: 'sha-p' });
    expect(detail.document.sections[0]?.steps[0]?.script).toBe('systemctl restart demo');

    const byTitle = catchError(() => store.get('d'));
    expect(byTitle).toBeInstanceOf(StoreError);
    expect((byTitle as StoreError).code).toBe('ambiguous');
    expect((byTitle as StoreError).candidates.map((c) => c.title)).toEqual(['Deploy Release', 'Disk Full', 'DNS Outage']);

    let common = 0;
    while (disk.runbookId[common] === deploy.runbookId[common]) common += 1;
    expect(common).toBeGreaterThanOrEqual(4);
    const byPrefix = catchError(() => store.get(disk.runbookId.slice(0, common)));
    expect((byPrefix as StoreError).code).toBe('ambiguous');

    const missing = catchError(() => store.get('nosuch'));
    expect((missing as StoreError).code).toBe('not_found');
    expect((missing as StoreError).message).toContain('nosuch');
    expect((catchError(() => store.getVersion('nosuch')) as StoreError).code).toBe('not_found');
  });

  it('lists nothing in an empty library', () => {
    expect(store.list()).toEqual([]);
  });
});
