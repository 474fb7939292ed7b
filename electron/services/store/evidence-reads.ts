/**
 * The reads an evidence export needs that the run store does not offer: runs by time range a page at a time (oldest
 * first, by the started_at index), a run by id prefix, output a page at a time, each with the device that recorded
 * it, and the schema version. Read-only; history is append-only, so a page read is never stale.
 */
import type { Target } from '../../../shared/contract/hosts.js';
import type { Database } from './db.js';
import type { ChunkRow, RunOrigin, RunRow } from './run-store.js';
import { StoreError } from './store-error.js';

export interface StoredRun extends RunRow {
  /** The device that recorded the run (and every event and chunk of it: only that device appends to it). */
  deviceId: string;
}

export interface RunRange {
  /** ISO instants: started at or after `since`, before `until`. */
  since: string;
  until: string;
  runbookId?: string | undefined;
}

export interface EvidenceReads {
  schemaVersion(): number;
  countRuns(range: RunRange): number;
  /** Up to `limit` runs of the range after `after` (by start, then id), oldest first. */
  runsPage(range: RunRange, after: { startedAt: string; id: string } | null, limit: number): StoredRun[];
  /** A run by id, or by a unique id prefix of at least 4 characters. Throws StoreError `not_found` or `ambiguous`. */
  findRun(idOrPrefix: string): StoredRun;
  /** Up to `limit` chunks of an attempt (or a terminal recording) after `afterSeq`, in order. */
  chunkPage(attemptId: string, afterSeq: number, limit: number): ChunkRow[];
}

interface Row {
  id: string;
  device_id: string;
  runbook_id: string;
  version_id: string;
  section_id: string;
  section_title: string;
  operator: string;
  target: string;
  origin: RunOrigin;
  started_at: string;
}

const MIN_PREFIX = 4;

const toRun = (r: Row): StoredRun => ({
  id: r.id,
  deviceId: r.device_id,
  runbookId: r.runbook_id,
  versionId: r.version_id,
  sectionId: r.section_id,
  sectionTitle: r.section_title,
  operator: r.operator,
  target: JSON.parse(r.target) as Target,
  origin: r.origin,
  startedAt: r.started_at,
});

export function createEvidenceReads(db: Database): EvidenceReads {
  const where = (range: RunRange): { sql: string; args: string[] } => ({
    sql: `started_at >= ? AND started_at < ?${range.runbookId ? ' AND runbook_id = ?' : ''}`,
    args: [range.since, range.until, ...(range.runbookId ? [range.runbookId] : [])],
  });
  const byId = db.prepare('SELECT * FROM runs WHERE id = ?');
  // A UUID prefix holds no LIKE wildcards once `%` and `_` are refused below.
  const byPrefix = db.prepare("SELECT * FROM runs WHERE id LIKE ? || '%' ORDER BY id LIMIT 6");
  const chunks = db.prepare('SELECT run_id, attempt_id, step_id, seq, stream, data, at FROM output_chunks WHERE attempt_id = ? AND seq > ? ORDER BY seq LIMIT ?');
  return {
    schemaVersion: () => db.pragma('user_version', { simple: true }) as number,
    countRuns(range) {
      const w = where(range);
      return (db.prepare(`SELECT COUNT(*) AS n FROM runs WHERE ${w.sql}`).get(...w.args) as { n: number }).n;
    },
    runsPage(range, after, limit) {
      const w = where(range);
      const rows = after
        ? db.prepare(`SELECT * FROM runs WHERE ${w.sql} AND (started_at, id) > (?, ?) ORDER BY started_at, id LIMIT ?`).all(...w.args, after.startedAt, after.id, limit)
        : db.prepare(`SELECT * FROM runs WHERE ${w.sql} ORDER BY started_at, id LIMIT ?`).all(...w.args, limit);
      return (rows as Row[]).map(toRun);
    },
    findRun(query) {
      const exact = byId.get(query) as Row | undefined;
      if (exact) return toRun(exact);
      const lower = query.toLowerCase();
      if (lower.length < MIN_PREFIX || /[%_]/.test(lower)) throw new StoreError('not_found', `no run ${query}`);
      const rows = byPrefix.all(lower) as Row[];
      if (rows.length === 0) throw new StoreError('not_found', `no run ${query}`);
      if (rows.length > 1) throw new StoreError('ambiguous', `"${query}" matches several runs: ${rows.slice(0, 5).map((r) => r.id).join(', ')}${rows.length > 5 ? ', …' : ''}`);
      return toRun(rows[0] as Row);
    },
    chunkPage(attemptId, afterSeq, limit) {
      const rows = chunks.all(attemptId, afterSeq, limit) as Array<{ run_id: string; attempt_id: string; step_id: string; seq: number; stream: ChunkRow['stream']; data: string; at: string }>;
      return rows.map((r) => ({ runId: r.run_id, attemptId: r.attempt_id, stepId: r.step_id, seq: r.seq, stream: r.stream, data: r.data, at: r.at }));
    },
  };
}
