/**
 * Reads and appends run history (runs, run_events, output_chunks) and the small mutable tables (settings, last
 * parameter values: registers stamped by this device's HLC, see merge-classes.ts). Appends are synchronous and
 * committed before anyone is told, so whatever a client has seen survives a crash of the process. Search indexes
 * what is appended shortly after, in batches, by rowid (search-store.ts): nothing here waits for it.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Target } from '../../../shared/contract/hosts.js';
import type { Database } from './db.js';
import { createDeviceClock } from './device-clock.js';

export type RunOrigin = 'ui' | 'cli' | 'schedule';

export interface RunRow {
  id: string;
  runbookId: string;
  versionId: string;
  sectionId: string;
  sectionTitle: string;
  operator: string;
  /** Where the run's command steps were to run when it started (each attempt records where it ran). */
  target: Target;
  origin: RunOrigin;
  startedAt: string;
}

export interface RunEventRow {
  id: string;
  runId: string;
  seq: number;
  at: string;
  type: string;
  stepId: string | null;
  attemptId: string | null;
  data: Record<string, unknown>;
}

export interface ChunkRow {
  runId: string;
  attemptId: string;
  stepId: string;
  seq: number;
  stream: 'stdout' | 'stderr' | 'system';
  data: string;
  at: string;
}

export interface RunStore {
  insertRun(run: Omit<RunRow, 'id'>): RunRow;
  getRun(id: string): RunRow | undefined;
  listRuns(opts: { runbookId?: string; limit: number }): RunRow[];
  /**
   * This device's runs that have no end event: running now, or cut off by a crash. Another device's open run is
   * that device's to end (only the device that started a run appends to it).
   */
  openRunIds(): string[];
  appendEvent(event: Omit<RunEventRow, 'id' | 'seq'>): RunEventRow;
  events(runId: string): RunEventRow[];
  /** Events with a seq above `seq`, in order: lets a reader that has the earlier ones catch up cheaply. */
  eventsAfter(runId: string, seq: number): RunEventRow[];
  lastSeq(runId: string): number;
  eventsFor(runIds: readonly string[]): Map<string, RunEventRow[]>;
  appendChunk(chunk: ChunkRow): void;
  chunks(attemptId: string, afterSeq: number): ChunkRow[];
  /** How many chunks each attempt has (by index lookups on the attempt ids given). */
  chunkCounts(attemptIds: readonly string[]): Map<string, number>;
  getSetting(key: string): string | undefined;
  setSetting(key: string, value: string): void;
  lastParams(runbookId: string): Record<string, string>;
  saveParams(runbookId: string, values: Record<string, string>, at: string): void;
}

export const RUN_END_EVENTS = ['run.finished', 'run.aborted', 'run.interrupted'] as const;

interface RunDbRow {
  id: string;
  runbook_id: string;
  version_id: string;
  section_id: string;
  section_title: string;
  operator: string;
  target: string;
  origin: RunOrigin;
  started_at: string;
}

interface EventDbRow {
  id: string;
  run_id: string;
  seq: number;
  at: string;
  type: string;
  step_id: string | null;
  attempt_id: string | null;
  data: string;
}

const toRun = (r: RunDbRow): RunRow => ({
  id: r.id,
  runbookId: r.runbook_id,
  versionId: r.version_id,
  sectionId: r.section_id,
  sectionTitle: r.section_title,
  operator: r.operator,
  target: JSON.parse(r.target) as Target,
  origin: r.origin,
  startedAt: r.started_at,
});

const toEvent = (r: EventDbRow): RunEventRow => ({
  id: r.id,
  runId: r.run_id,
  seq: r.seq,
  at: r.at,
  type: r.type,
  stepId: r.step_id,
  attemptId: r.attempt_id,
  data: JSON.parse(r.data) as Record<string, unknown>,
});

export function createRunStore(db: Database, deviceId: string, clock: { now(): Date } = { now: () => new Date() }): RunStore {
  const hlc = createDeviceClock(db, deviceId, () => clock.now().getTime());
  const insertRun = db.prepare(
    'INSERT INTO runs (id, device_id, runbook_id, version_id, section_id, section_title, operator, target, origin, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const getRun = db.prepare('SELECT * FROM runs WHERE id = ?');
  const nextSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS seq FROM run_events WHERE run_id = ?');
  const insertEvent = db.prepare(
    'INSERT INTO run_events (id, device_id, run_id, seq, at, type, step_id, attempt_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const selectEvents = db.prepare('SELECT * FROM run_events WHERE run_id = ? ORDER BY seq');
  const insertChunk = db.prepare(
    'INSERT INTO output_chunks (id, device_id, run_id, attempt_id, step_id, seq, stream, data, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const selectChunks = db.prepare(
    'SELECT run_id, attempt_id, step_id, seq, stream, data, at FROM output_chunks WHERE attempt_id = ? AND seq > ? ORDER BY seq',
  );
  const lastChunk = db.prepare('SELECT MAX(seq) AS m FROM output_chunks WHERE attempt_id = ?');
  const selectEventsAfter = db.prepare('SELECT * FROM run_events WHERE run_id = ? AND seq > ? ORDER BY seq');
  const maxSeq = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM run_events WHERE run_id = ?');
  // Open: no end event since the run started or was last resumed (a resumed run ended once, then went on).
  const openRuns = db.prepare(
    `SELECT r.id FROM runs r WHERE r.device_id = ? AND NOT EXISTS (
       SELECT 1 FROM run_events e WHERE e.run_id = r.id AND e.type IN (${RUN_END_EVENTS.map(() => '?').join(', ')})
         AND e.seq > COALESCE((SELECT MAX(x.seq) FROM run_events x WHERE x.run_id = r.id AND x.type = 'run.resumed'), 0))`,
  );

  const appendEvent = db.transaction((event: Omit<RunEventRow, 'id' | 'seq'>): RunEventRow => {
    const { seq } = nextSeq.get(event.runId) as { seq: number };
    const row: RunEventRow = { ...event, id: uuidv7(), seq };
    insertEvent.run(row.id, deviceId, row.runId, row.seq, row.at, row.type, row.stepId, row.attemptId, JSON.stringify(row.data));
    return row;
  });

  return {
    insertRun(run) {
      const row: RunRow = { ...run, id: uuidv7() };
      insertRun.run(row.id, deviceId, row.runbookId, row.versionId, row.sectionId, row.sectionTitle, row.operator, JSON.stringify(row.target), row.origin, row.startedAt);
      return row;
    },
    getRun(id) {
      const row = getRun.get(id) as RunDbRow | undefined;
      return row ? toRun(row) : undefined;
    },
    listRuns({ runbookId, limit }) {
      const rows = runbookId
        ? db.prepare('SELECT * FROM runs WHERE runbook_id = ? ORDER BY started_at DESC, id DESC LIMIT ?').all(runbookId, limit)
        : db.prepare('SELECT * FROM runs ORDER BY started_at DESC, id DESC LIMIT ?').all(limit);
      return (rows as RunDbRow[]).map(toRun);
    },
    openRunIds() {
      return (openRuns.all(deviceId, ...RUN_END_EVENTS) as Array<{ id: string }>).map((r) => r.id);
    },
    appendEvent: (event) => appendEvent.immediate(event),
    events(runId) {
      return (selectEvents.all(runId) as EventDbRow[]).map(toEvent);
    },
    eventsAfter(runId, seq) {
      return (selectEventsAfter.all(runId, seq) as EventDbRow[]).map(toEvent);
    },
    lastSeq(runId) {
      return (maxSeq.get(runId) as { seq: number }).seq;
    },
    eventsFor(runIds) {
      const out = new Map<string, RunEventRow[]>(runIds.map((id) => [id, []]));
      if (runIds.length === 0) return out;
      const rows = db
        .prepare(`SELECT * FROM run_events WHERE run_id IN (${runIds.map(() => '?').join(', ')}) ORDER BY run_id, seq`)
        .all(...runIds) as EventDbRow[];
      for (const r of rows) out.get(r.run_id)?.push(toEvent(r));
      return out;
    },
    appendChunk(c) {
      insertChunk.run(uuidv7(), deviceId, c.runId, c.attemptId, c.stepId, c.seq, c.stream, c.data, c.at);
    },
    chunks(attemptId, afterSeq) {
      const rows = selectChunks.all(attemptId, afterSeq) as Array<{
        run_id: string;
        attempt_id: string;
        step_id: string;
        seq: number;
        stream: ChunkRow['stream'];
        data: string;
        at: string;
      }>;
      return rows.map((r) => ({ runId: r.run_id, attemptId: r.attempt_id, stepId: r.step_id, seq: r.seq, stream: r.stream, data: r.data, at: r.at }));
    },
    chunkCounts(attemptIds) {
      // Chunks of an attempt are numbered from 0 without gaps, so the last seq gives the count from the index.
      return new Map(attemptIds.map((id) => [id, ((lastChunk.get(id) as { m: number | null }).m ?? -1) + 1]));
    },
    getSetting(key) {
      const row = db.prepare('SELECT value FROM settings WHERE key = ? AND deleted = 0').get(key) as { value: string } | undefined;
      return row?.value;
    },
    setSetting(key, value) {
      db.prepare(
        `INSERT INTO settings (key, value, device_id, hlc, deleted) VALUES (?, ?, ?, ?, 0)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, device_id = excluded.device_id, hlc = excluded.hlc, deleted = 0`,
      ).run(key, value, deviceId, hlc.next());
    },
    lastParams(runbookId) {
      const rows = db.prepare('SELECT name, value FROM param_values WHERE runbook_id = ? AND deleted = 0').all(runbookId) as Array<{ name: string; value: string }>;
      return Object.fromEntries(rows.map((r) => [r.name, r.value]));
    },
    saveParams(runbookId, values, at) {
      const upsert = db.prepare(
        `INSERT INTO param_values (runbook_id, name, value, updated_at, device_id, hlc, deleted) VALUES (?, ?, ?, ?, ?, ?, 0)
         ON CONFLICT (runbook_id, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, device_id = excluded.device_id, hlc = excluded.hlc, deleted = 0`,
      );
      db.transaction(() => {
        for (const [name, value] of Object.entries(values)) upsert.run(runbookId, name, value, at, deviceId, hlc.next());
      })();
    },
  };
}
