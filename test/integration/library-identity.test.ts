/**
 * Library identity and Remove against real SQLite files (issue 11): the same file uploaded and imported by path is
 * one runbook whichever came first, two folders' same-titled files stay two and lookups say which, and a removed
 * (archived) runbook leaves the list while its versions and runs stay, coming back when imported again. The last
 * part goes through a real host (contract, runbook service, run service) with real files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { callerFor } from '../../electron/host/cli-run.js';
import { createHost } from '../../electron/host/host.js';
import { getDeviceId, openDatabase } from '../../electron/services/store/db.js';
import type { Database } from '../../electron/services/store/db.js';
import { createDeviceClock } from '../../electron/services/store/device-clock.js';
import { createLibraryStore } from '../../electron/services/store/library-store.js';
import type { TableName } from '../../electron/services/store/merge-classes.js';
import { createMerger } from '../../electron/services/store/merge.js';
import { StoreError } from '../../electron/services/store/store-error.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { Runbook } from '../../shared/model/runbook.js';
import { summarizeRunbook } from '../../shared/model/summary.js';

let dir: string;
const open: Database[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'opsdeck-library-identity-'));
});

afterEach(() => {
  for (const db of open.splice(0)) if (db.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

function sampleRunbook(title: string, path: string): Runbook {
  return {
    title,
    source: { path, sha256: 'ignored-by-the-store' },
    sections: [{ id: 's1', title, level: 1, line: 1, meta: {}, steps: [], sections: [] }],
    params: [],
    scheduleHints: [],
    warnings: [],
  };
}

/** A device's library on its own database file, with a clock that moves on a minute at every import. */
function library(name = 'opsdeck.db') {
  const db = openDatabase(join(dir, name));
  open.push(db);
  const deviceId = getDeviceId(db);
  let ms = Date.parse('2026-03-01T10:00:00Z');
  const clock = { now: () => new Date((ms += 60_000)) };
  const store = createLibraryStore({ db, clock, deviceId });
  const save = (path: string, sha: string, title: string) => store.saveImport(path, sha, sampleRunbook(title, path), summarizeRunbook(sampleRunbook(title, path)));
  const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, deviceId, store, save, count, merger: createMerger(db, createDeviceClock(db, deviceId, () => ms)) };
}

describe('library identity', () => {
  it('upload, then the same file by path: one runbook, which gains the path', () => {
    const { store, save, count } = library();
    const uploaded = save('upload:deploy.md', 'sha-1', 'Deploy');
    expect(uploaded).toMatchObject({ status: 'new', pathLearned: false });
    expect(store.get(uploaded.runbookId).path).toBe('upload:deploy.md');

    const byPath = save('/srv/ops/deploy.md', 'sha-1', 'Deploy');
    expect(byPath).toEqual({ ...uploaded, status: 'unchanged', pathLearned: true });
    expect(store.list().map((e) => [e.id, e.title, e.path])).toEqual([[uploaded.runbookId, 'Deploy', '/srv/ops/deploy.md']]);
    expect(store.get('/srv/ops/deploy.md').id).toBe(uploaded.runbookId);
    expect(store.get('deploy.md', '/srv/ops/deploy.md').id).toBe(uploaded.runbookId);
    expect(store.get('Deploy').path).toBe('/srv/ops/deploy.md');

    // From now on the path is its own: a changed file is a new version, the upload name still finds it.
    expect(save('/srv/ops/deploy.md', 'sha-2', 'Deploy')).toMatchObject({ runbookId: uploaded.runbookId, status: 'updated', version: 2, pathLearned: false });
    expect(save('upload:deploy.md', 'sha-3', 'Deploy, revised')).toMatchObject({ runbookId: uploaded.runbookId, status: 'updated', version: 3 });
    expect(store.list()).toHaveLength(1);
    expect(count('runbook_paths')).toBe(1);
  });

  it('upload, then the file by path after it changed (same title, same name): one runbook, a new version', () => {
    const { store, save } = library();
    const uploaded = save('upload:deploy.md', 'sha-1', 'Deploy');
    expect(save('/srv/ops/deploy.md', 'sha-2', 'Deploy')).toMatchObject({ runbookId: uploaded.runbookId, status: 'updated', version: 2, pathLearned: true });
    expect(store.list().map((e) => [e.path, e.latestVersion])).toEqual([['/srv/ops/deploy.md', 2]]);
  });

  it('a path, then the same file uploaded, then a changed upload of it: one runbook', () => {
    const { store, save, count } = library();
    const known = save('/srv/ops/deploy.md', 'sha-1', 'Deploy');
    expect(save('upload:deploy.md', 'sha-1', 'Deploy')).toEqual({ ...known, status: 'unchanged' });
    // The same content under another name is still this runbook.
    expect(save('upload:deploy (1).md', 'sha-1', 'Deploy')).toMatchObject({ runbookId: known.runbookId, status: 'unchanged' });
    expect(save('upload:deploy.md', 'sha-2', 'Deploy')).toMatchObject({ runbookId: known.runbookId, status: 'updated', version: 2 });
    expect(store.list().map((e) => [e.path, e.latestVersion, e.sha256])).toEqual([['/srv/ops/deploy.md', 2, 'sha-2']]);
    expect(count('runbooks')).toBe(1);
    expect(count('runbook_paths')).toBe(0);
  });

  it('keeps two folders\' files of the same title apart, and says which when a title or an upload could be either', () => {
    const { store, save, count } = library();
    const prod = save('/srv/prod/deploy.md', 'sha-p', 'Deploy');
    const staging = save('/srv/staging/deploy.md', 'sha-s', 'Deploy');
    expect(staging.runbookId).not.toBe(prod.runbookId);
    expect(store.list().map((e) => e.path)).toEqual(['/srv/prod/deploy.md', '/srv/staging/deploy.md']);

    const byTitle = caught(() => store.get('deploy'));
    expect(byTitle).toBeInstanceOf(StoreError);
    expect((byTitle as StoreError).code).toBe('ambiguous');
    expect((byTitle as StoreError).message).toContain('/srv/prod/deploy.md');
    expect((byTitle as StoreError).message).toContain('/srv/staging/deploy.md');
    expect((byTitle as StoreError).candidates.map((c) => c.path)).toEqual(['/srv/prod/deploy.md', '/srv/staging/deploy.md']);
    expect(store.get('/srv/staging/deploy.md').id).toBe(staging.runbookId);

    // An upload with one of their contents is that one.
    expect(save('upload:deploy.md', 'sha-s', 'Deploy')).toMatchObject({ runbookId: staging.runbookId, status: 'unchanged' });
    // A changed one could be either: refused, nothing written.
    const before = { runbooks: count('runbooks'), versions: count('runbook_versions') };
    const upload = caught(() => save('upload:deploy.md', 'sha-x', 'Deploy'));
    expect((upload as StoreError).code).toBe('ambiguous');
    expect((upload as StoreError).message).toMatch(/deploy\.md matches 2 runbooks titled "Deploy" \(\/srv\/prod\/deploy\.md, \/srv\/staging\/deploy\.md\): import it by path to say which/);
    expect({ runbooks: count('runbooks'), versions: count('runbook_versions') }).toEqual(before);
    // By path it is clear.
    expect(save('/srv/prod/deploy.md', 'sha-x', 'Deploy')).toMatchObject({ runbookId: prod.runbookId, status: 'updated' });
  });

  it('keeps identical copies at two paths as two runbooks (they drift apart later)', () => {
    const { store, save } = library();
    const a = save('/srv/a/check.md', 'sha', 'Check');
    const b = save('/srv/b/check.md', 'sha', 'Check');
    expect(b).toMatchObject({ status: 'new' });
    expect(b.runbookId).not.toBe(a.runbookId);
    expect(store.list()).toHaveLength(2);
  });

  it('takes an upload whose content and title both changed for a new runbook, and an uploaded runbook only once by path', () => {
    const { store, save } = library();
    const known = save('/srv/ops/deploy.md', 'sha-1', 'Deploy');
    const other = save('upload:deploy.md', 'sha-2', 'Deploy the new way');
    expect(other.runbookId).not.toBe(known.runbookId);
    expect(other.status).toBe('new');

    const uploaded = save('upload:backup.md', 'sha-b', 'Backup');
    expect(save('/srv/one/backup.md', 'sha-b', 'Backup')).toMatchObject({ runbookId: uploaded.runbookId, pathLearned: true });
    // A second path is a second file.
    expect(save('/srv/two/backup.md', 'sha-b', 'Backup')).toMatchObject({ status: 'new', pathLearned: false });
    expect(store.list().map((e) => e.path)).toEqual(['/srv/one/backup.md', '/srv/two/backup.md', '/srv/ops/deploy.md', 'upload:deploy.md']);
  });

  it("never takes another device's runbook: a merged one of the same content stays apart", () => {
    const a = library('a.db');
    const b = library('b.db');
    const theirs = b.save('upload:deploy.md', 'sha-1', 'Deploy');
    for (const table of ['runbooks', 'runbook_versions'] as const) {
      for (const row of b.db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>) a.merger.merge(table, row);
    }
    const mine = a.save('/srv/deploy.md', 'sha-1', 'Deploy');
    expect(mine).toMatchObject({ status: 'new' });
    expect(mine.runbookId).not.toBe(theirs.runbookId);
  });
});

describe('removing a runbook (archive)', () => {
  it('takes it out of the list; it is still found by id and path, and importing its file brings it back', () => {
    const { store, save } = library();
    const kept = save('/srv/ops/keep.md', 'sha-k', 'Keep');
    const gone = save('/srv/ops/deploy.md', 'sha-1', 'Deploy');
    expect(store.archive(gone.runbookId)).toBe(true);
    expect(store.archive(gone.runbookId)).toBe(false);

    expect(store.list().map((e) => e.id)).toEqual([kept.runbookId]);
    expect(store.get(gone.runbookId)).toMatchObject({ id: gone.runbookId, archived: true, path: '/srv/ops/deploy.md' });
    expect(store.get('/srv/ops/deploy.md').archived).toBe(true);
    expect(store.getVersion(gone.versionId).title).toBe('Deploy');
    expect(store.listVersions(gone.runbookId)).toHaveLength(1);
    // A title names what is in the library.
    expect((caught(() => store.get('Deploy')) as StoreError).code).toBe('not_found');
    expect(store.get('Keep').archived).toBe(false);

    expect(save('/srv/ops/deploy.md', 'sha-1', 'Deploy')).toEqual({ ...gone, status: 'unchanged', restored: true });
    expect(store.list().map((e) => e.id).sort()).toEqual([kept.runbookId, gone.runbookId].sort());
    expect(store.get('Deploy').archived).toBe(false);

    expect((caught(() => store.archive('no-such-id')) as StoreError).code).toBe('not_found');
  });

  it('brings back an archived upload when the same name is uploaded again, changed or not', () => {
    const { store, save } = library();
    const uploaded = save('upload:deploy.md', 'sha-1', 'Deploy');
    store.archive(uploaded.runbookId);
    expect(save('upload:deploy.md', 'sha-2', 'Deploy')).toMatchObject({ runbookId: uploaded.runbookId, status: 'updated', version: 2, restored: true });
    expect(store.list().map((e) => e.id)).toEqual([uploaded.runbookId]);
  });

  it('prefers the runbook kept in the library to a removed duplicate', () => {
    const { store, save } = library();
    // Two entries of one file, as libraries imported before identity rules may hold (here: the title changed too).
    const duplicate = save('upload:deploy.md', 'sha-0', 'Deploy draft');
    const kept = save('/srv/ops/deploy.md', 'sha-1', 'Deploy');
    expect(kept.runbookId).not.toBe(duplicate.runbookId);
    store.archive(duplicate.runbookId);
    expect(save('upload:deploy.md', 'sha-1', 'Deploy')).toMatchObject({ runbookId: kept.runbookId, status: 'unchanged', restored: false });
    expect(store.list().map((e) => e.id)).toEqual([kept.runbookId]);
    expect(store.get(duplicate.runbookId).archived).toBe(true);
  });

  it('merges across devices as a register: the later of a removal and a return wins', () => {
    const a = library('a.db');
    const b = library('b.db');
    const rb = a.save('/srv/ops/deploy.md', 'sha-1', 'Deploy');
    const mergeAll = (tables: readonly TableName[]) => {
      for (const table of tables) {
        for (const row of a.db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>) b.merger.merge(table, row);
      }
    };
    mergeAll(['runbooks', 'runbook_versions']);
    expect(b.store.list().map((e) => e.id)).toEqual([rb.runbookId]);

    a.store.archive(rb.runbookId);
    mergeAll(['runbook_archive']);
    expect(b.store.list()).toEqual([]);
    expect(b.store.get(rb.runbookId).archived).toBe(true);

    a.save('/srv/ops/deploy.md', 'sha-1', 'Deploy');
    mergeAll(['runbook_archive']);
    expect(b.store.list().map((e) => e.id)).toEqual([rb.runbookId]);
  });
});

describe('identity and Remove through the host', () => {
  const runbook = '# Deploy\n\n## Roll out\n\n- [ ] Tell the channel\n\n```bash\necho rolled out\n```\n';

  it('one runbook uploaded and imported by path; removed, its run still opens; importing the file brings it back', async () => {
    const host = await createHost({ dataDir: join(dir, 'data'), mode: 'cli', version: 'test' });
    try {
      const call = callerFor(host);
      mkdirSync(join(dir, 'ops'));
      const file = join(dir, 'ops', 'deploy.md');
      writeFileSync(file, runbook);

      const uploaded = await call('runbooks.import', { fileName: 'deploy.md', content: runbook });
      expect(uploaded.status).toBe('new');
      expect(await call('runbooks.get', { id: uploaded.runbookId })).toMatchObject({ refreshable: false, archived: false, path: 'upload:deploy.md' });

      const byPath = await call('runbooks.import', { path: file });
      expect(byPath).toMatchObject({ runbookId: uploaded.runbookId, status: 'unchanged', pathLearned: true, restored: false });
      const list = await call('runbooks.list', {});
      expect(list.map((e) => [e.id, e.title, e.path])).toEqual([[uploaded.runbookId, 'Deploy', file]]);
      expect(await call('runbooks.get', { id: 'Deploy' })).toMatchObject({ id: uploaded.runbookId, refreshable: true });
      writeFileSync(file, runbook.replace('rolled out', 'rolled out again'));
      expect(await call('runbooks.refresh', { id: uploaded.runbookId })).toMatchObject({ runbookId: uploaded.runbookId, status: 'updated', version: 2 });

      const detail = await call('runbooks.get', { id: uploaded.runbookId });
      const section = detail.document.sections[0]!.sections[0]!;
      const run = await call('runs.start', { runbookId: uploaded.runbookId, sectionId: section.id });
      await call('runs.tick', { runId: run.run.id, stepId: section.steps[0]!.id, done: true });

      expect(await call('runbooks.remove', { id: uploaded.runbookId })).toEqual({ archived: true });
      expect(await call('runbooks.list', {})).toEqual([]);
      expect(await call('runbooks.get', { id: uploaded.runbookId })).toMatchObject({ archived: true, versions: 2 });
      const history = await call('runs.list', {});
      expect(history.map((r) => r.id)).toContain(run.run.id);
      const opened = await call('runs.get', { runId: run.run.id });
      expect(opened.run.runbookId).toBe(uploaded.runbookId);
      expect(await call('runbooks.remove', { id: uploaded.runbookId })).toEqual({ archived: true });

      const missing = await call('runbooks.remove', { id: 'no such runbook' }).catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(ContractError);
      expect((missing as ContractError).code).toBe('not_found');

      expect(await call('runbooks.import', { path: file })).toMatchObject({ runbookId: uploaded.runbookId, status: 'unchanged', restored: true, pathLearned: false });
      expect((await call('runbooks.list', {})).map((e) => e.id)).toEqual([uploaded.runbookId]);
      expect(await call('runbooks.get', { id: uploaded.runbookId })).toMatchObject({ archived: false });
    } finally {
      await host.close();
    }
  });
});
