/**
 * Shift handovers (migration 008), the only code touching `handovers` and `handover_acks`. Both are append-only: a
 * handover is kept exactly as it was signed off, and an acknowledgement is a row of its own, written by whichever
 * device acknowledged it, so that devices merge them as a union. The last handover is the newest sign-off of any
 * device.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Database } from './db.js';
import { StoreError } from './store-error.js';

export interface HandoverRow {
  id: string;
  deviceId: string;
  since: string;
  markdown: string;
  carry: string[];
  signedBy: string;
  signedAt: string;
}

export interface AckRow {
  id: string;
  deviceId: string;
  handoverId: string;
  by: string;
  at: string;
}

export interface HandoverStore {
  insert(row: Omit<HandoverRow, 'id' | 'deviceId'>): HandoverRow;
  /** The newest sign-off, of any device, or null. */
  latest(): HandoverRow | null;
  /** By id or unique id prefix (4 characters or more). Throws StoreError `not_found` or `ambiguous`. */
  get(query: string): HandoverRow;
  /** Newest first. */
  list(limit: number): HandoverRow[];
  addAck(row: Omit<AckRow, 'id' | 'deviceId'>): AckRow;
  /** Every acknowledgement of these handovers, oldest first. */
  acks(handoverIds: readonly string[]): AckRow[];
}

interface HandoverDbRow {
  id: string;
  device_id: string;
  since: string;
  markdown: string;
  carry: string;
  signed_by: string;
  signed_at: string;
}

interface AckDbRow {
  id: string;
  device_id: string;
  handover_id: string;
  by: string;
  at: string;
}

/** Shortest id prefix looked up as one, as for runbooks: a shorter one would match most ids made the same month. */
const MIN_ID_PREFIX = 4;
/** Candidates named when a prefix is ambiguous. */
const AMBIGUOUS_SHOWN = 5;

const toHandover = (r: HandoverDbRow): HandoverRow => ({
  id: r.id,
  deviceId: r.device_id,
  since: r.since,
  markdown: r.markdown,
  carry: JSON.parse(r.carry) as string[],
  signedBy: r.signed_by,
  signedAt: r.signed_at,
});

const toAck = (r: AckDbRow): AckRow => ({ id: r.id, deviceId: r.device_id, handoverId: r.handover_id, by: r.by, at: r.at });

export function createHandoverStore(db: Database, deviceId: string): HandoverStore {
  const insert = db.prepare('INSERT INTO handovers (id, device_id, since, markdown, carry, signed_by, signed_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const latest = db.prepare('SELECT * FROM handovers ORDER BY signed_at DESC, id DESC LIMIT 1');
  const byId = db.prepare('SELECT * FROM handovers WHERE id = ?');
  const byPrefix = db.prepare(`SELECT * FROM handovers WHERE substr(id, 1, ?) = ? ORDER BY signed_at DESC LIMIT ${AMBIGUOUS_SHOWN + 1}`);
  const list = db.prepare('SELECT * FROM handovers ORDER BY signed_at DESC, id DESC LIMIT ?');
  const insertAck = db.prepare('INSERT INTO handover_acks (id, device_id, handover_id, by, at) VALUES (?, ?, ?, ?, ?)');

  return {
    insert(row) {
      const out: HandoverRow = { ...row, id: uuidv7(), deviceId };
      insert.run(out.id, deviceId, out.since, out.markdown, JSON.stringify(out.carry), out.signedBy, out.signedAt);
      return out;
    },
    latest() {
      const row = latest.get() as HandoverDbRow | undefined;
      return row ? toHandover(row) : null;
    },
    get(query) {
      const exact = byId.get(query) as HandoverDbRow | undefined;
      if (exact) return toHandover(exact);
      const q = query.trim().toLowerCase();
      if (q.length < MIN_ID_PREFIX) throw new StoreError('not_found', `no handover ${query}`);
      const rows = byPrefix.all(q.length, q) as HandoverDbRow[];
      const [only] = rows;
      if (!only) throw new StoreError('not_found', `no handover ${query}`);
      if (rows.length > 1) {
        const named = rows.slice(0, AMBIGUOUS_SHOWN).map((r) => `${r.id} (${r.signed_by}, ${r.signed_at})`);
        throw new StoreError(
          'ambiguous',
          `${query} could be several handovers: ${named.join(', ')}${rows.length > AMBIGUOUS_SHOWN ? ', …' : ''}`,
          rows.map((r) => ({ id: r.id, title: `signed off by ${r.signed_by}`, path: r.signed_at })),
        );
      }
      return toHandover(only);
    },
    list(limit) {
      return (list.all(limit) as HandoverDbRow[]).map(toHandover);
    },
    addAck(row) {
      const out: AckRow = { ...row, id: uuidv7(), deviceId };
      insertAck.run(out.id, deviceId, out.handoverId, out.by, out.at);
      return out;
    },
    acks(handoverIds) {
      if (handoverIds.length === 0) return [];
      const rows = db
        .prepare(`SELECT * FROM handover_acks WHERE handover_id IN (${handoverIds.map(() => '?').join(', ')}) ORDER BY at, id`)
        .all(...handoverIds) as AckDbRow[];
      return rows.map(toAck);
    },
  };
}
