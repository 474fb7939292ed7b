/**
 * The runbook library on disk: which files each device imported, and every version imported from each, kept
 * forever. Re-importing an unchanged file writes nothing; a changed one appends a version. Versions are ordered by
 * their HLC stamp, so the latest stays the latest with the clock set back or versions merged from another device;
 * their numbers are for display. A path names this device's runbook: another device's file at the same path is
 * another runbook.
 */
import { v7 as uuidv7 } from 'uuid';
import { Runbook } from '../../../shared/model/runbook.js';
import { RunbookSummary } from '../../../shared/model/summary.js';
import type { Database } from './db.js';
import { createDeviceClock } from './device-clock.js';
import { StoreError } from './store-error.js';

export interface Clock {
  now(): Date;
}

export interface LibraryStoreDeps {
  db: Database;
  clock: Clock;
  deviceId: string;
}

export type ImportStatus = 'new' | 'updated' | 'unchanged';

export interface SaveResult {
  runbookId: string;
  /** The version now latest: the one just written, or for `unchanged` the one that already matched. */
  versionId: string;
  version: number;
  status: ImportStatus;
}

export interface RunbookListEntry {
  id: string;
  /** The device that imported it. */
  deviceId: string;
  title: string;
  path: string;
  latestVersion: number;
  versions: number;
  importedAt: string;
  sha256: string;
  summary: RunbookSummary;
}

export interface RunbookRecord {
  id: string;
  deviceId: string;
  path: string;
  createdAt: string;
}

export interface VersionRecord {
  id: string;
  deviceId: string;
  runbookId: string;
  version: number;
  sha256: string;
  title: string;
  importedAt: string;
  summary: RunbookSummary;
}

export interface VersionDetail extends VersionRecord {
  document: Runbook;
}

export interface RunbookDetail extends RunbookRecord {
  /** How many versions exist. */
  versions: number;
  /** The latest version. */
  version: VersionRecord;
  document: Runbook;
}

export interface LibraryStore {
  /** Saves an import of `path` on this device (into this device's runbook of that path). */
  saveImport(path: string, sha256: string, runbook: Runbook, summary: RunbookSummary): SaveResult;
  list(): RunbookListEntry[];
  /**
   * Finds one runbook by id, path (`query` itself or `resolvedPath`, the query made absolute by the caller; this
   * device's runbook of that path before another device's), id prefix, title, or title prefix (both
   * case-insensitive), in that order of preference.
   * Throws StoreError `not_found` or `ambiguous`.
   */
  get(query: string, resolvedPath?: string): RunbookDetail;
  /** Throws StoreError `not_found`. */
  getVersion(versionId: string): VersionDetail;
  /** Every version of one runbook, oldest first (by HLC stamp), without documents. */
  listVersions(runbookId: string): VersionRecord[];
}

/** Shortest id prefix looked up as one: shorter ones would match almost every UUIDv7 made in the same month. */
const MIN_ID_PREFIX = 4;

interface RunbookRow {
  id: string;
  device_id: string;
  source_path: string;
  created_at: string;
}

interface VersionRow {
  id: string;
  device_id: string;
  runbook_id: string;
  version: number;
  sha256: string;
  title: string;
  imported_at: string;
  summary: string;
}

interface ListRow {
  id: string;
  device_id: string;
  source_path: string;
  title: string;
  version: number;
  versions: number;
  imported_at: string;
  sha256: string;
  summary: string;
}

const VERSION_COLUMNS = 'id, device_id, runbook_id, version, sha256, title, imported_at, summary';

export function createLibraryStore({ db, clock, deviceId }: LibraryStoreDeps): LibraryStore {
  const hlc = createDeviceClock(db, deviceId, () => clock.now().getTime());
  const runbookByPath = db.prepare<[string, string], RunbookRow>('SELECT * FROM runbooks WHERE device_id = ? AND source_path = ?');
  const runbookById = db.prepare<[string], RunbookRow>('SELECT * FROM runbooks WHERE id = ?');
  const latestVersion = db.prepare<[string], VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM runbook_versions WHERE runbook_id = ? ORDER BY hlc DESC LIMIT 1`,
  );
  const highestNumber = db.prepare<[string], { n: number | null }>('SELECT MAX(version) AS n FROM runbook_versions WHERE runbook_id = ?');
  const versionCount = db.prepare<[string], { n: number }>(
    'SELECT COUNT(*) AS n FROM runbook_versions WHERE runbook_id = ?',
  );
  const versionById = db.prepare<[string], VersionRow & { document: string }>(
    `SELECT ${VERSION_COLUMNS}, document FROM runbook_versions WHERE id = ?`,
  );
  const documentOf = db.prepare<[string], { document: string }>('SELECT document FROM runbook_versions WHERE id = ?');
  const versionsOf = db.prepare<[string], VersionRow>(
    `SELECT ${VERSION_COLUMNS} FROM runbook_versions WHERE runbook_id = ? ORDER BY hlc`,
  );
  const insertRunbook = db.prepare<[string, string, string, string]>(
    'INSERT INTO runbooks (id, device_id, source_path, created_at) VALUES (?, ?, ?, ?)',
  );
  const insertVersion = db.prepare<[string, string, string, number, string, string, string, string, string, string]>(
    `INSERT INTO runbook_versions (id, device_id, runbook_id, version, hlc, sha256, title, imported_at, document, summary)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const listRows = db.prepare<[], ListRow>(`
    SELECT r.id, r.device_id, r.source_path, v.title, v.version, v.imported_at, v.sha256, v.summary,
           (SELECT COUNT(*) FROM runbook_versions c WHERE c.runbook_id = r.id) AS versions
    FROM runbooks r
    JOIN runbook_versions v
      ON v.id = (SELECT m.id FROM runbook_versions m WHERE m.runbook_id = r.id ORDER BY m.hlc DESC LIMIT 1)
    ORDER BY v.title COLLATE NOCASE, r.source_path, r.id`);

  const save = db.transaction(
    (path: string, sha256: string, runbook: Runbook, summary: RunbookSummary): SaveResult => {
      const now = clock.now().toISOString();
      const existing = runbookByPath.get(deviceId, path);
      const runbookId = existing?.id ?? uuidv7();
      if (!existing) insertRunbook.run(runbookId, deviceId, path, now);
      const latest = existing ? latestVersion.get(runbookId) : undefined;
      if (latest && latest.sha256 === sha256) {
        return { runbookId, versionId: latest.id, version: latest.version, status: 'unchanged' };
      }
      const versionId = uuidv7();
      // The number shown: one past the highest, which on one device is the count of versions.
      const version = (highestNumber.get(runbookId)?.n ?? 0) + 1;
      insertVersion.run(
        versionId,
        deviceId,
        runbookId,
        version,
        hlc.next(),
        sha256,
        runbook.title,
        now,
        JSON.stringify(runbook),
        JSON.stringify(summary),
      );
      return { runbookId, versionId, version, status: existing ? 'updated' : 'new' };
    },
  );

  const list = (): RunbookListEntry[] =>
    listRows.all().map((row) => ({
      id: row.id,
      deviceId: row.device_id,
      title: row.title,
      path: row.source_path,
      latestVersion: row.version,
      versions: row.versions,
      importedAt: row.imported_at,
      sha256: row.sha256,
      summary: RunbookSummary.parse(JSON.parse(row.summary)),
    }));

  const detail = (row: RunbookRow): RunbookDetail => {
    const latest = latestVersion.get(row.id);
    if (!latest) throw new Error(`runbook ${row.id} has no versions`);
    return {
      id: row.id,
      deviceId: row.device_id,
      path: row.source_path,
      createdAt: row.created_at,
      versions: versionCount.get(row.id)?.n ?? 0,
      version: toVersion(latest),
      document: parseDocument(documentOf.get(latest.id)?.document, latest.id),
    };
  };

  const find = (query: string, resolvedPath?: string): RunbookRow => {
    const q = query.trim();
    if (q === '') throw new StoreError('not_found', 'no runbook named ""');
    const lower = q.toLowerCase();
    const entries = list();
    const tiers: Array<(entry: RunbookListEntry) => boolean> = [
      (entry) => entry.id === lower,
      (entry) => (entry.path === q || entry.path === resolvedPath) && entry.deviceId === deviceId,
      (entry) => entry.path === q || entry.path === resolvedPath,
      (entry) => lower.length >= MIN_ID_PREFIX && /^[0-9a-f-]+$/.test(lower) && entry.id.startsWith(lower),
      (entry) => entry.title.toLowerCase() === lower,
      (entry) => entry.title.toLowerCase().startsWith(lower),
    ];
    for (const matches of tiers) {
      const found = entries.filter(matches);
      if (found.length === 0) continue;
      const [only] = found;
      if (found.length === 1 && only) {
        const row = runbookById.get(only.id);
        if (!row) throw new Error(`runbook ${only.id} vanished during lookup`);
        return row;
      }
      const candidates = found.map(({ id, title, path }) => ({ id, title, path }));
      const names = candidates.map((c) => `"${c.title}" (${c.path})`).join(', ');
      throw new StoreError(
        'ambiguous',
        `"${q}" matches ${found.length} runbooks: ${names}; give more of the id or the full path`,
        candidates,
      );
    }
    throw new StoreError('not_found', `no runbook matches "${q}" (by id, path or title)`);
  };

  return {
    saveImport: (path, sha256, runbook, summary) => save.immediate(path, sha256, runbook, summary),
    list,
    get: (query, resolvedPath) => detail(find(query, resolvedPath)),
    getVersion(versionId) {
      const row = versionById.get(versionId);
      if (!row) throw new StoreError('not_found', `no runbook version with id ${versionId}`);
      return { ...toVersion(row), document: parseDocument(row.document, row.id) };
    },
    listVersions: (runbookId) => versionsOf.all(runbookId).map(toVersion),
  };
}

function toVersion(row: VersionRow): VersionRecord {
  return {
    id: row.id,
    deviceId: row.device_id,
    runbookId: row.runbook_id,
    version: row.version,
    sha256: row.sha256,
    title: row.title,
    importedAt: row.imported_at,
    summary: RunbookSummary.parse(JSON.parse(row.summary)),
  };
}

function parseDocument(json: string | undefined, versionId: string): Runbook {
  if (json === undefined) throw new Error(`runbook version ${versionId} has no document`);
  return Runbook.parse(JSON.parse(json));
}
