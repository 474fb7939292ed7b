/**
 * The store's merge rules against real SQLite files, two devices as two databases merged table by table as sync
 * will (merge.ts): register writes stamped by the device's HLC (monotonic across restarts, clocks set back and
 * connections), tombstones no read returns, host keys that stay forgotten, runbook versions in clock order, paths
 * per device, and run history that only the device that started a run writes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HostFields } from '../../shared/contract/hosts.js';
import { parseHlc } from '../../shared/model/hlc.js';
import type { Runbook } from '../../shared/model/runbook.js';
import { summarizeRunbook } from '../../shared/model/summary.js';
import { getDeviceId, openDatabase } from '../../electron/services/store/db.js';
import type { Database } from '../../electron/services/store/db.js';
import { createDeviceClock, HLC_META_KEY } from '../../electron/services/store/device-clock.js';
import { createHostStore, HostStoreError } from '../../electron/services/store/host-store.js';
import { createLibraryStore } from '../../electron/services/store/library-store.js';
import type { TableName } from '../../electron/services/store/merge-classes.js';
import { createMerger } from '../../electron/services/store/merge.js';
import { createRunStore } from '../../electron/services/store/run-store.js';
import { StoreError } from '../../electron/services/store/store-error.js';

let dir: string;
const open: Database[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-store-merge-'));
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function openAt(name: string): Database {
  const db = openDatabase(join(dir, name));
  open.push(db);
  return db;
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function sampleRunbook(title: string): Runbook {
  return {
    title,
    source: { path: '/r/sample.md', sha256: 'ignored-by-the-store' },
    sections: [{ id: 's1', title, level: 1, line: 1, meta: {}, steps: [], sections: [] }],
    params: [],
    scheduleHints: [],
    warnings: [],
  };
}

/** A device: its own database file, id and settable wall clock, with every store on it. */
function device(name: string, startMs = Date.parse('2026-02-01T00:00:00Z')) {
  const db = openAt(`${name}.db`);
  const id = getDeviceId(db);
  let ms = startMs;
  const clock = { now: () => new Date(ms) };
  return {
    db,
    id,
    setTime: (next: number) => void (ms = next),
    hosts: createHostStore(db, id, clock),
    runs: createRunStore(db, id, clock),
    library: createLibraryStore({ db, clock, deviceId: id }),
    merger: createMerger(db, createDeviceClock(db, id, () => ms)),
  };
}
type Device = ReturnType<typeof device>;

/** What sync will do: every row of `table` from one device applied to another by its merge class. */
function mergeTable(from: Device, to: Device, table: TableName): void {
  for (const row of from.db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>) to.merger.merge(table, row);
}
const lastStamp = (db: Database): string => (db.prepare('SELECT value FROM meta WHERE key = ?').get(HLC_META_KEY) as { value: string }).value;

describe('registers', () => {
  const fields = (name: string, address: string): HostFields => ({
    name, address, port: 22, user: null, identityFile: null, identityAgent: null, jump: [], tags: [], notes: '', forwardAgent: false,
  });

  it('stamp every write with a later HLC of the writing device, persisted in meta', () => {
    const a = device('a');
    const { runbookId } = a.library.saveImport('/r/a.md', 'sha', sampleRunbook('A'), summarizeRunbook(sampleRunbook('A')));
    const stamps: string[] = [lastStamp(a.db)];
    const stampOf = (sql: string, ...args: unknown[]): string => (a.db.prepare(sql).get(...args) as { hlc: string; device_id: string }).hlc;
    const step = (write: () => void, read: () => string): void => {
      write();
      const stamp = read();
      expect(stamp > stamps.at(-1)!).toBe(true);
      expect(parseHlc(stamp).device).toBe(a.id);
      expect(lastStamp(a.db)).toBe(stamp);
      stamps.push(stamp);
    };
    const web = a.hosts.save(fields('web1', '10.0.0.1'), { source: 'manual' });
    step(() => a.hosts.save(fields('web1', '10.0.0.2'), { id: web.id, source: 'manual' }), () => stampOf('SELECT hlc FROM hosts WHERE id = ?', web.id));
    step(() => a.hosts.keys.add('web1', 22, 'ssh-ed25519', 'AAAA', 'SHA256:x'), () => stampOf('SELECT hlc FROM host_keys'));
    step(() => a.hosts.keys.remove('web1', 22), () => stampOf('SELECT hlc FROM host_keys'));
    step(() => a.hosts.setTarget(runbookId, 's1', { kind: 'host', host: 'web1' }), () => stampOf('SELECT hlc FROM section_targets'));
    step(() => a.runs.setSetting('operator', 'ana'), () => stampOf("SELECT hlc FROM settings WHERE key = 'operator'"));
    step(() => a.runs.saveParams(runbookId, { name: 'world' }, new Date().toISOString()), () => stampOf('SELECT hlc FROM param_values'));
    step(() => a.hosts.remove(web.id), () => stampOf('SELECT hlc FROM hosts WHERE id = ?', web.id));
    expect(a.db.prepare('SELECT DISTINCT device_id FROM hosts UNION SELECT device_id FROM settings UNION SELECT device_id FROM param_values').all()).toEqual([{ device_id: a.id }]);
  });

  it('keep stamps going forward across a restart with the clock set back, and across two connections', () => {
    const a = device('a', Date.parse('2026-06-01T12:00:00Z'));
    a.runs.setSetting('theme', 'light');
    const before = lastStamp(a.db);
    a.db.close();
    const db = openAt('a.db');
    const hourAgo = Date.parse('2026-06-01T11:00:00Z');
    const runs = createRunStore(db, a.id, { now: () => new Date(hourAgo) });
    runs.setSetting('theme', 'dark');
    const after = (db.prepare("SELECT hlc FROM settings WHERE key = 'theme'").get() as { hlc: string }).hlc;
    expect(after > before).toBe(true);
    expect(parseHlc(after).wall).toBe(Date.parse('2026-06-01T12:00:00Z'));

    // A CLI process on the same file, its clock further back: still later than the app's last write.
    const cli = createHostStore(openAt('a.db'), a.id, { now: () => new Date(0) });
    cli.save(fields('db1', '10.0.0.9'), { source: 'manual' });
    expect((db.prepare('SELECT hlc FROM hosts').get() as { hlc: string }).hlc > after).toBe(true);
  });

  it('remove a host as a tombstone that no read returns, and the name can be used again', () => {
    const a = device('a');
    const first = a.hosts.save(fields('web1', '10.0.0.1'), { source: 'manual' });
    expect(() => a.hosts.save(fields('web1', '10.0.0.2'), { source: 'manual' })).toThrow(HostStoreError);
    expect(a.hosts.remove(first.id)).toBe(true);
    expect(a.hosts.list()).toEqual([]);
    expect(a.hosts.byName('web1')).toBeUndefined();
    expect(a.hosts.byId(first.id)).toBeUndefined();
    expect(a.hosts.remove(first.id)).toBe(false);
    expect((catchError(() => a.hosts.save(fields('web1', 'x'), { id: first.id, source: 'manual' })) as HostStoreError).code).toBe('not_found');
    expect(a.db.prepare('SELECT name, address, deleted FROM hosts').all()).toEqual([{ name: 'web1', address: '10.0.0.1', deleted: 1 }]);

    const again = a.hosts.save(fields('web1', '10.0.0.3'), { source: 'manual' });
    expect(again.id).not.toBe(first.id);
    expect(a.hosts.list().map((h) => [h.name, h.address])).toEqual([['web1', '10.0.0.3']]);
    expect(a.hosts.byName('web1')?.id).toBe(again.id);
    const conflict = catchError(() => a.hosts.save(fields('web1', '10.0.0.4'), { source: 'manual' })) as HostStoreError;
    expect(conflict.code).toBe('conflict');
    expect(conflict.message).toBe('a host named "web1" exists already');
  });

  it('merge a removal: the host stays removed on the other device, unless edited there later', () => {
    const a = device('a', 1_000_000);
    const b = device('b', 1_000_000);
    const web = a.hosts.save(fields('web1', '10.0.0.1'), { source: 'manual' });
    mergeTable(a, b, 'hosts');
    expect(b.hosts.byName('web1')?.id).toBe(web.id);
    a.setTime(2_000_000);
    a.hosts.remove(web.id);
    mergeTable(a, b, 'hosts');
    expect(b.hosts.list()).toEqual([]);
    // Re-added on b after the removal it saw: b's write is later, so it wins on a too.
    b.setTime(1_500_000); // b's clock lags: its stamp is still after the removal it received
    b.hosts.save(fields('web1', '10.0.0.7'), { source: 'manual' });
    mergeTable(b, a, 'hosts');
    expect(a.hosts.list().map((h) => h.address)).toEqual(['10.0.0.7']);
  });

  it('keep a forgotten host key forgotten after a merge, until it is accepted again later', () => {
    const a = device('a', 1_000_000);
    const b = device('b', 1_000_000);
    const key = ['web1', 22, 'ssh-ed25519', 'AAAAC3Nza'] as const;
    // Both devices accepted the same key on their own: one row, the same id.
    a.hosts.keys.add(...key, 'SHA256:k');
    b.hosts.keys.add(...key, 'SHA256:k');
    expect(a.db.prepare('SELECT id FROM host_keys').all()).toEqual(b.db.prepare('SELECT id FROM host_keys').all());
    a.setTime(2_000_000);
    expect(a.hosts.keys.remove('web1', 22)).toBe(1);
    expect(a.hosts.keys.find('web1', 22)).toEqual([]);

    // b's acceptance is older than a's "forget": the key stays forgotten on both, whichever way the merge goes.
    mergeTable(b, a, 'host_keys');
    expect(a.hosts.keys.find('web1', 22)).toEqual([]);
    mergeTable(a, b, 'host_keys');
    expect(b.hosts.keys.find('web1', 22)).toEqual([]);
    expect(b.db.prepare('SELECT count(*) AS n FROM host_keys').get()).toEqual({ n: 1 });

    // Accepted again later (on b): that wins on a as well.
    b.setTime(3_000_000);
    b.hosts.keys.add(...key, 'SHA256:k');
    mergeTable(b, a, 'host_keys');
    expect(a.hosts.keys.find('web1', 22)).toEqual([{ keyType: 'ssh-ed25519', key: 'AAAAC3Nza', fingerprint: 'SHA256:k' }]);
  });

  it('leave an accepted key as it is when accepted again, and forget only the live ones', () => {
    const a = device('a');
    a.hosts.keys.add('web1', 22, 'ssh-ed25519', 'K1', 'SHA256:1');
    const stamp = lastStamp(a.db);
    a.hosts.keys.add('web1', 22, 'ssh-ed25519', 'K1', 'SHA256:1');
    expect(lastStamp(a.db)).toBe(stamp);
    a.hosts.keys.add('web1', 22, 'ssh-rsa', 'K2', 'SHA256:2');
    a.hosts.keys.add('web1', 2222, 'ssh-rsa', 'K3', 'SHA256:3');
    expect(a.hosts.keys.remove('web1', 22)).toBe(2);
    expect(a.hosts.keys.remove('web1', 22)).toBe(0);
    expect(a.hosts.keys.find('web1', 2222)).toHaveLength(1);
  });
});

describe('merged history', () => {
  it('keeps the latest version the latest when imported with the clock set back', () => {
    const a = device('a', Date.parse('2026-03-01T10:00:00Z'));
    const save = (sha: string, title: string) => a.library.saveImport('/r/a.md', sha, sampleRunbook(title), summarizeRunbook(sampleRunbook(title)));
    const first = save('sha-1', 'First');
    a.setTime(Date.parse('2026-03-01T09:00:00Z'));
    const second = save('sha-2', 'Second');
    expect(second).toMatchObject({ status: 'updated', version: 2 });
    expect(save('sha-2', 'Second')).toEqual({ ...second, status: 'unchanged' });
    expect(a.library.listVersions(first.runbookId).map((v) => [v.version, v.title])).toEqual([[1, 'First'], [2, 'Second']]);
    expect(a.library.list()).toMatchObject([{ title: 'Second', latestVersion: 2, versions: 2 }]);
    expect(a.library.get('/r/a.md').version.id).toBe(second.versionId);
  });

  it("keeps another device's runbook of the same path apart, and looks paths up on this device first", () => {
    const a = device('a');
    const b = device('b');
    const mine = a.library.saveImport('/r/ops.md', 'sha-a', sampleRunbook('Ops'), summarizeRunbook(sampleRunbook('Ops')));
    const theirs = b.library.saveImport('/r/ops.md', 'sha-b', sampleRunbook('Ops'), summarizeRunbook(sampleRunbook('Ops')));
    b.library.saveImport('/r/only-b.md', 'sha-c', sampleRunbook('Only B'), summarizeRunbook(sampleRunbook('Only B')));
    mergeTable(b, a, 'runbooks');
    mergeTable(b, a, 'runbook_versions');

    expect(a.library.list().map((e) => [e.title, e.path, e.deviceId === a.id])).toEqual([
      ['Only B', '/r/only-b.md', false],
      ['Ops', '/r/ops.md', true],
      ['Ops', '/r/ops.md', false],
    ]);
    expect(a.library.get('/r/ops.md').id).toBe(mine.runbookId);
    expect(a.library.get('ops.md', '/r/ops.md').id).toBe(mine.runbookId);
    expect(a.library.get(theirs.runbookId).id).toBe(theirs.runbookId);
    expect(a.library.get('/r/only-b.md').deviceId).toBe(b.id);
    expect((catchError(() => a.library.get('ops')) as StoreError).code).toBe('ambiguous');
    // Importing the path again on a goes to a's runbook.
    expect(a.library.saveImport('/r/ops.md', 'sha-a2', sampleRunbook('Ops'), summarizeRunbook(sampleRunbook('Ops')))).toMatchObject({
      runbookId: mine.runbookId,
      status: 'updated',
      version: 2,
    });
  });

  it('orders versions of one runbook from two devices by their stamps, numbers repeated or not', () => {
    const a = device('a', 1_000_000);
    const b = device('b', 5_000_000);
    const first = a.library.saveImport('/r/x.md', 'sha-1', sampleRunbook('One'), summarizeRunbook(sampleRunbook('One')));
    mergeTable(a, b, 'runbooks');
    mergeTable(a, b, 'runbook_versions');
    // b writes a version of a's runbook (as sync may one day), then a adds one of its own with its clock behind.
    const insert = b.db.prepare(
      "INSERT INTO runbook_versions (id, device_id, runbook_id, version, hlc, sha256, title, imported_at, document, summary) SELECT 'v-b', ?, runbook_id, 2, ?, 'sha-b', 'From B', imported_at, document, summary FROM runbook_versions WHERE id = ?",
    );
    insert.run(b.id, createDeviceClock(b.db, b.id, () => 5_000_000).next(), first.versionId);
    mergeTable(b, a, 'runbook_versions');
    const own = a.library.saveImport('/r/x.md', 'sha-3', sampleRunbook('Three'), summarizeRunbook(sampleRunbook('Three')));
    expect(own.version).toBe(3);
    expect(a.library.listVersions(first.runbookId).map((v) => [v.version, v.title])).toEqual([[1, 'One'], [2, 'From B'], [3, 'Three']]);
    expect(a.library.get(first.runbookId).version.title).toBe('Three');
  });

  it("adds another device's runs as a union, and leaves their open runs to that device", () => {
    const a = device('a');
    const b = device('b');
    const { runbookId, versionId } = b.library.saveImport('/r/b.md', 'sha', sampleRunbook('B'), summarizeRunbook(sampleRunbook('B')));
    const run = b.runs.insertRun({ runbookId, versionId, sectionId: 's1', sectionTitle: 'B', operator: 'bo', target: { kind: 'tag', tag: 'web', concurrency: 3 }, origin: 'schedule', startedAt: '2026-02-01T00:00:00.000Z' });
    b.runs.appendEvent({ runId: run.id, type: 'run.started', at: run.startedAt, stepId: null, attemptId: null, data: { pid: 1 } });
    for (const table of ['runbooks', 'runbook_versions', 'runs', 'run_events', 'output_chunks'] as const) {
      mergeTable(b, a, table);
      mergeTable(b, a, table); // twice: a union adds nothing the second time
    }
    expect(a.runs.getRun(run.id)).toEqual(run);
    expect(a.runs.events(run.id)).toHaveLength(1);
    expect(b.runs.openRunIds()).toEqual([run.id]);
    expect(a.runs.openRunIds()).toEqual([]);
    expect(() => a.runs.appendEvent({ runId: run.id, type: 'note.added', at: 't', stepId: null, attemptId: null, data: {} })).toThrow(/only the device that started a run/);
    expect(() => a.merger.merge('meta', { key: 'device_id', value: b.id })).toThrow(/local/);
  });
});
