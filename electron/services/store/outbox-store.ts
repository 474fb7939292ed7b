/**
 * The webhook outbox (`webhook_outbox`, migration 006): notifications waiting to be POSTed, kept here first so that
 * one survives a restart, and the record of each delivery's attempts. Local to this device: a device delivers only
 * what it queued. The URL and body are stored as given (a webhook URL may carry a token: it is in this table and
 * nowhere else); everything read back for logs or messages goes through scheduler/webhook-outbox.ts, which names
 * only the host.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Statement } from 'better-sqlite3';
import type { Database } from './db.js';

export interface OutboxRow {
  id: string;
  scheduleId: string;
  runId: string;
  url: string;
  /** The JSON text POSTed. */
  body: string;
  createdAt: string;
  /** Attempts started so far (counted when one starts, so that one cut off by a crash still counts). */
  attempts: number;
  /** When the next attempt is due (ISO instant). */
  nextAt: string;
  /** Why the latest attempt failed (names only the host), or null. */
  lastError: string | null;
  deliveredAt: string | null;
  givenUpAt: string | null;
}

export interface OutboxStore {
  /** Queues a delivery due at `at` (its creation time too). */
  add(entry: { scheduleId: string; runId: string; url: string; body: string }, at: string): OutboxRow;
  get(id: string): OutboxRow | undefined;
  /** Rows neither delivered nor given up, due at or before `at`, soonest first, at most `limit`. */
  due(at: string, limit: number): OutboxRow[];
  /** The ids and due times of the rows neither delivered nor given up, soonest first, at most `limit`. */
  upcoming(limit: number): Array<{ id: string; nextAt: string }>;
  /** An attempt starts: counts it, and sets when the row is due again should this one never finish. */
  attemptStarted(id: string, nextAt: string): OutboxRow | undefined;
  delivered(id: string, at: string): void;
  /** The attempt failed: why, and when the next one is due. */
  failed(id: string, error: string, nextAt: string): void;
  gaveUp(id: string, error: string, at: string): void;
  /** Every row of a run (delivered, given up or waiting), oldest first: what became of its notifications. */
  forRun(runId: string): OutboxRow[];
  /** Rows neither delivered nor given up, soonest due first. */
  pending(): OutboxRow[];
}

interface OutboxDbRow {
  id: string;
  schedule_id: string;
  run_id: string;
  url: string;
  body: string;
  created_at: string;
  attempts: number;
  next_at: string;
  last_error: string | null;
  delivered_at: string | null;
  given_up_at: string | null;
}

const toRow = (r: OutboxDbRow): OutboxRow => ({
  id: r.id,
  scheduleId: r.schedule_id,
  runId: r.run_id,
  url: r.url,
  body: r.body,
  createdAt: r.created_at,
  attempts: r.attempts,
  nextAt: r.next_at,
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
  givenUpAt: r.given_up_at,
});

/** The condition the partial index webhook_outbox_due is built on: keep the two identical so it is used. */
const WAITING = 'delivered_at IS NULL AND given_up_at IS NULL';

export function createOutboxStore(db: Database): OutboxStore {
  // Statements are prepared once, not per call (~0.1 ms each).
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const get = (id: string): OutboxRow | undefined => {
    const row = prepare('SELECT * FROM webhook_outbox WHERE id = ?').get(id) as OutboxDbRow | undefined;
    return row ? toRow(row) : undefined;
  };
  return {
    add(entry, at) {
      const id = uuidv7();
      prepare(
        'INSERT INTO webhook_outbox (id, schedule_id, run_id, url, body, created_at, attempts, next_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)',
      ).run(id, entry.scheduleId, entry.runId, entry.url, entry.body, at, at);
      return get(id) as OutboxRow;
    },
    get,
    due: (at, limit) =>
      (prepare(`SELECT * FROM webhook_outbox WHERE ${WAITING} AND next_at <= ? ORDER BY next_at, id LIMIT ?`).all(at, limit) as OutboxDbRow[]).map(toRow),
    upcoming: (limit) =>
      (prepare(`SELECT id, next_at FROM webhook_outbox WHERE ${WAITING} ORDER BY next_at, id LIMIT ?`).all(limit) as Array<{ id: string; next_at: string }>).map(
        (r) => ({ id: r.id, nextAt: r.next_at }),
      ),
    attemptStarted(id, nextAt) {
      const changed = prepare(`UPDATE webhook_outbox SET attempts = attempts + 1, next_at = ? WHERE id = ? AND ${WAITING}`).run(nextAt, id).changes;
      return changed > 0 ? get(id) : undefined;
    },
    delivered(id, at) {
      prepare(`UPDATE webhook_outbox SET delivered_at = ? WHERE id = ? AND ${WAITING}`).run(at, id);
    },
    failed(id, error, nextAt) {
      prepare(`UPDATE webhook_outbox SET last_error = ?, next_at = ? WHERE id = ? AND ${WAITING}`).run(error, nextAt, id);
    },
    gaveUp(id, error, at) {
      prepare(`UPDATE webhook_outbox SET last_error = ?, given_up_at = ? WHERE id = ? AND ${WAITING}`).run(error, at, id);
    },
    forRun: (runId) => (prepare('SELECT * FROM webhook_outbox WHERE run_id = ? ORDER BY created_at, id').all(runId) as OutboxDbRow[]).map(toRow),
    pending: () => (prepare(`SELECT * FROM webhook_outbox WHERE ${WAITING} ORDER BY next_at, id`).all() as OutboxDbRow[]).map(toRow),
  };
}
