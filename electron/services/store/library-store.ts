/**
 * The runbook library on disk: which files each device imported, and every version imported from each, kept
 * forever. Re-importing an unchanged file writes nothing; a changed one appends a version. Versions are ordered by
 * their HLC stamp, so the latest stays the latest with the clock set back or versions merged from another device;
 * their numbers are for display. A path names this device's runbook: another device's file at the same path is
 * another runbook. Which runbook an import belongs to (the same file uploaded and imported by path is one) is
 * decided in library-identity.ts. Removing a runbook archives it: it leaves the list, and everything else stays.
 */
import { v7 as uuidv7 } from 'uuid';
import { Runbook } from '../../../shared/model/runbook.js';
import { RunbookSummary } from '../../../shared/model/summary.js';
import type { Database } from './db.js';
import { createDeviceClock } from './device-clock.js';
import { identify, isUpload, type KnownRunbook } from './library-identity.js';
import { StoreError } from './store-error.js';

export { UPLOAD_PREFIX } from './library-identity.js';

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
  /** The runbook was archived and this import brought it back. */
  restored: boolean;
  /** The runbook had no path on this device (it was uploaded) and gained this one. */
  pathLearned: boolean;
}

export interface RunbookListEntry {
  id: string;
  /** The device that imported it. */
  deviceId: string;
  title: string;
  /** Its path on this device if it has one (also for an upload imported by path later), else where it came from. */
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
  /** As RunbookListEntry.path. */
  path: string;
  createdAt: string;
  /** Removed from the library: not listed, still found by id and path, its versions and runs kept. */
  archived: boolean;
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
  /**
   * Saves an import of `path` (a real path, or `upload:<file name>`) on this device, into the runbook
   * library-identity.ts says it belongs to; brings that runbook back if it was archived. Throws StoreError
   * `ambiguous` when the file could be one of several runbooks (nothing written).
   */
  saveImport(path: string, sha256: string, runbook: Runbook, summary: RunbookSummary): SaveResult;
  /** Every runbook not archived. */
  list(): RunbookListEntry[];
  /**
   * Finds one runbook by id, path (`query` itself or `resolvedPath`, the query made absolute by the caller; this
   * device's runbook of that path before another device's), id prefix, title, or title prefix (both
   * case-insensitive), in that order of preference. Archived runbooks are found by id, path and id prefix only.
   * Throws StoreError `not_found` or `ambiguous`.
   */
  get(query: string, resolvedPath?: string): RunbookDetail;
  /** Archives a runbook (by id): returns false if it already was. Throws StoreError `not_found`. */
  archive(runbookId: string): boolean;
  /** Throws StoreError `not_found`. */
  getVersion(versionId: string): VersionDetail;
  /** Every version of one runbook, oldest first (by HLC stamp), without documents. */
  listVersions(runbookId: string): VersionRecord[];
}

/** Shortest id prefix looked up as one: shorter ones would match almost every UUIDv7 made in the same month. */
const MIN_ID_PREFIX = 4;

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
  created_at: string;
  title: string;
  version: number;
  versions: number;
  imported_at: string;
  sha256: string;
  summary: string;
  archived: number;
}

interface PathRow {
  runbook_id: string;
  device_id: string;
  path: string;
}

/** A runbook with everything lookups and identity need: its paths on every device, and whether it is archived. */
interface Entry extends RunbookListEntry {
  sourcePath: string;
  createdAt: string;
  archived: boolean;
  /** Real paths on this device: the source path (this device's, not an upload), then paths learned. */
  ownPaths: string[];
  /** Every path under which any device knows it. */
  allPaths: string[];
}

const VERSION_COLUMNS = 'id, device_id, runbook_id, version, sha256, title, imported_at, summary';

export function createLibraryStore({ db, clock, deviceId }: LibraryStoreDeps): LibraryStore {
  const hlc = createDeviceClock(db, deviceId, () => clock.now().getTime());
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
    SELECT r.id, r.device_id, r.source_path, r.created_at, v.title, v.version, v.imported_at, v.sha256, v.summary,
           (SELECT COUNT(*) FROM runbook_versions c WHERE c.runbook_id = r.id) AS versions,
           COALESCE((SELECT a.archived FROM runbook_archive a WHERE a.runbook_id = r.id AND a.deleted = 0), 0) AS archived
    FROM runbooks r
    JOIN runbook_versions v
      ON v.id = (SELECT m.id FROM runbook_versions m WHERE m.runbook_id = r.id ORDER BY m.hlc DESC LIMIT 1)`);
  const knownRows = db.prepare<[string], { id: string; source_path: string; sha256: string; title: string; archived: number }>(`
    SELECT r.id, r.source_path, v.sha256, v.title,
           COALESCE((SELECT a.archived FROM runbook_archive a WHERE a.runbook_id = r.id AND a.deleted = 0), 0) AS archived
    FROM runbooks r
    JOIN runbook_versions v
      ON v.id = (SELECT m.id FROM runbook_versions m WHERE m.runbook_id = r.id ORDER BY m.hlc DESC LIMIT 1)
    WHERE r.device_id = ?
    ORDER BY r.created_at, r.id`);
  const ownPathRows = db.prepare<[string], PathRow>('SELECT runbook_id, device_id, path FROM runbook_paths WHERE device_id = ? ORDER BY added_at, id');
  const pathRows = db.prepare<[], PathRow>('SELECT runbook_id, device_id, path FROM runbook_paths ORDER BY added_at, id');
  const archivedOf = db.prepare<[string], { archived: number }>(
    'SELECT COALESCE((SELECT a.archived FROM runbook_archive a WHERE a.runbook_id = r.id AND a.deleted = 0), 0) AS archived FROM runbooks r WHERE r.id = ?',
  );
  const insertPath = db.prepare<[string, string, string, string, string]>(
    'INSERT INTO runbook_paths (id, device_id, runbook_id, path, added_at) VALUES (?, ?, ?, ?, ?)',
  );
  const writeArchived = db.prepare<[string, number, string, string, string]>(
    `INSERT INTO runbook_archive (runbook_id, archived, updated_at, device_id, hlc, deleted) VALUES (?, ?, ?, ?, ?, 0)
     ON CONFLICT (runbook_id) DO UPDATE SET archived = excluded.archived, updated_at = excluded.updated_at,
       device_id = excluded.device_id, hlc = excluded.hlc, deleted = 0`,
  );

  /** Every runbook, archived ones included. */
  const entries = (): Entry[] => {
    const learned = new Map<string, PathRow[]>();
    for (const row of pathRows.all()) learned.set(row.runbook_id, [...(learned.get(row.runbook_id) ?? []), row]);
    return listRows.all().map((row): Entry => {
      const extra = learned.get(row.id) ?? [];
      const own = row.device_id === deviceId && !isUpload(row.source_path) ? [row.source_path] : [];
      const ownPaths = [...own, ...extra.filter((p) => p.device_id === deviceId).map((p) => p.path)];
      return {
        id: row.id,
        deviceId: row.device_id,
        title: row.title,
        path: ownPaths[0] ?? row.source_path,
        latestVersion: row.version,
        versions: row.versions,
        importedAt: row.imported_at,
        sha256: row.sha256,
        summary: RunbookSummary.parse(JSON.parse(row.summary)),
        sourcePath: row.source_path,
        createdAt: row.created_at,
        archived: row.archived === 1,
        ownPaths,
        allPaths: [row.source_path, ...extra.map((p) => p.path)],
      };
    }).sort(byTitleThenPath);
  };
  /** This device's runbooks, as identity sees them: read on every import, so no documents or summaries. */
  const knownHere = (): KnownRunbook[] => {
    const learned = new Map<string, string[]>();
    for (const row of ownPathRows.all(deviceId)) learned.set(row.runbook_id, [...(learned.get(row.runbook_id) ?? []), row.path]);
    return knownRows.all(deviceId).map((row) => ({
      id: row.id,
      sourcePath: row.source_path,
      paths: [...(isUpload(row.source_path) ? [] : [row.source_path]), ...(learned.get(row.id) ?? [])],
      sha256: row.sha256,
      title: row.title,
      archived: row.archived === 1,
    }));
  };
  const setArchived = (runbookId: string, archived: boolean, now: string): void => {
    writeArchived.run(runbookId, archived ? 1 : 0, now, deviceId, hlc.next());
  };

  const save = db.transaction(
    (path: string, sha256: string, runbook: Runbook, summary: RunbookSummary): SaveResult => {
      const now = clock.now().toISOString();
      const identity = identify(path, sha256, runbook.title, knownHere());
      if (identity.kind === 'ambiguous') {
        const candidates = identity.candidates.map((c) => ({ id: c.id, title: c.title, path: c.paths[0] ?? c.sourcePath }));
        throw new StoreError('ambiguous', identity.message, candidates);
      }
      const existing = identity.kind === 'known' ? identity.runbook : undefined;
      const runbookId = existing?.id ?? uuidv7();
      if (!existing) insertRunbook.run(runbookId, deviceId, path, now);
      const restored = existing?.archived === true;
      if (restored) setArchived(runbookId, false, now);
      const pathLearned = identity.kind === 'known' && identity.learnsPath;
      if (pathLearned) insertPath.run(uuidv7(), deviceId, runbookId, path, now);
      const latest = existing ? latestVersion.get(runbookId) : undefined;
      if (latest && latest.sha256 === sha256) {
        return { runbookId, versionId: latest.id, version: latest.version, status: 'unchanged', restored, pathLearned };
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
      return { runbookId, versionId, version, status: existing ? 'updated' : 'new', restored, pathLearned };
    },
  );

  const list = (): RunbookListEntry[] =>
    entries()
      .filter((entry) => !entry.archived)
      .map(({ id, deviceId: device, title, path, latestVersion: latest, versions, importedAt, sha256, summary }) => ({
        id,
        deviceId: device,
        title,
        path,
        latestVersion: latest,
        versions,
        importedAt,
        sha256,
        summary,
      }));

  const detail = (entry: Entry): RunbookDetail => {
    const latest = latestVersion.get(entry.id);
    if (!latest) throw new Error(`runbook ${entry.id} has no versions`);
    return {
      id: entry.id,
      deviceId: entry.deviceId,
      path: entry.path,
      createdAt: entry.createdAt,
      archived: entry.archived,
      versions: versionCount.get(entry.id)?.n ?? 0,
      version: toVersion(latest),
      document: parseDocument(documentOf.get(latest.id)?.document, latest.id),
    };
  };

  const find = (query: string, resolvedPath?: string): Entry => {
    const q = query.trim();
    if (q === '') throw new StoreError('not_found', 'no runbook named ""');
    const lower = q.toLowerCase();
    const all = entries();
    const named = (paths: readonly string[]): boolean => paths.includes(q) || (resolvedPath !== undefined && paths.includes(resolvedPath));
    const tiers: Array<(entry: Entry) => boolean> = [
      (entry) => entry.id === lower,
      (entry) => named(entry.ownPaths) || (entry.deviceId === deviceId && named([entry.sourcePath])),
      (entry) => named(entry.allPaths),
      (entry) => lower.length >= MIN_ID_PREFIX && /^[0-9a-f-]+$/.test(lower) && entry.id.startsWith(lower),
      (entry) => !entry.archived && entry.title.toLowerCase() === lower,
      (entry) => !entry.archived && entry.title.toLowerCase().startsWith(lower),
    ];
    for (const matches of tiers) {
      const found = all.filter(matches);
      if (found.length === 0) continue;
      const [only] = found;
      if (found.length === 1 && only) return only;
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

  const archive = db.transaction((runbookId: string): boolean => {
    const state = archivedOf.get(runbookId);
    if (!state) throw new StoreError('not_found', `no runbook with id ${runbookId}`);
    if (state.archived === 1) return false;
    setArchived(runbookId, true, clock.now().toISOString());
    return true;
  });

  return {
    saveImport: (path, sha256, runbook, summary) => save.immediate(path, sha256, runbook, summary),
    list,
    get: (query, resolvedPath) => detail(find(query, resolvedPath)),
    archive: (runbookId) => archive.immediate(runbookId),
    getVersion(versionId) {
      const row = versionById.get(versionId);
      if (!row) throw new StoreError('not_found', `no runbook version with id ${versionId}`);
      return { ...toVersion(row), document: parseDocument(row.document, row.id) };
    },
    listVersions: (runbookId) => versionsOf.all(runbookId).map(toVersion),
  };
}

/** The list's order: by title (ignoring case), then by the path shown (a learned path, not `upload:`), then id. */
function byTitleThenPath(a: RunbookListEntry, b: RunbookListEntry): number {
  const key = (e: RunbookListEntry): string[] => [e.title.toLowerCase(), e.path, e.id];
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return (ka[i] ?? '') < (kb[i] ?? '') ? -1 : 1;
  }
  return 0;
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
