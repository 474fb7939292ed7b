/**
 * Applies a record from another device's database by its table's merge class (merge-classes.ts): the rule sync (a
 * later issue) will use, kept here so the classes are executable now and their tests exercise a real merge.
 * Append-only rows are added unless their id is already here; a register row replaces this one only if its stamp is
 * later (a tombstone included); this device's clock moves past every stamp it takes in; local tables never merge.
 */
import type { Statement } from 'better-sqlite3';
import type { Database } from './db.js';
import type { DeviceClock } from './device-clock.js';
import { mergeClasses, type TableName } from './merge-classes.js';

export type MergeOutcome = 'added' | 'replaced' | 'kept';

export interface Merger {
  /** `row` has every column of `table`, by name, as read from the other database. */
  merge(table: TableName, row: Readonly<Record<string, unknown>>): MergeOutcome;
}

export function createMerger(db: Database, clock: DeviceClock): Merger {
  const statements = new Map<TableName, { columns: string[]; find: Statement; upsert: Statement }>();
  const prepared = (table: TableName) => {
    let known = statements.get(table);
    if (known) return known;
    const spec = mergeClasses[table];
    if (spec.class === 'local') throw new Error(`${table} is local to this device: it never merges`);
    // Names come from the schema and the declared classes only, never from the row.
    const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).map((c) => c.name);
    const key = spec.key.join(', ');
    const placeholders = columns.map(() => '?').join(', ');
    const onConflict =
      spec.class === 'append-only'
        ? 'DO NOTHING'
        : `DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')} WHERE excluded.hlc > ${table}.hlc`;
    known = {
      columns,
      find: db.prepare(`SELECT ${spec.class === 'register' ? 'hlc' : '1'} AS v FROM ${table} WHERE ${spec.key.map((k) => `${k} = ?`).join(' AND ')}`),
      upsert: db.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${placeholders}) ON CONFLICT (${key}) ${onConflict}`),
    };
    statements.set(table, known);
    return known;
  };
  const apply = db.transaction((table: TableName, row: Readonly<Record<string, unknown>>): MergeOutcome => {
    const { columns, find, upsert } = prepared(table);
    const extra = Object.keys(row).filter((c) => !columns.includes(c));
    const missing = columns.filter((c) => !(c in row));
    if (extra.length > 0 || missing.length > 0) {
      throw new Error(`a ${table} row must have exactly its columns (missing: ${missing.join(', ') || 'none'}; unknown: ${extra.join(', ') || 'none'})`);
    }
    const spec = mergeClasses[table];
    const before = find.get(...spec.key.map((k) => row[k])) as { v: unknown } | undefined;
    if (spec.class === 'register' && typeof row.hlc !== 'string') throw new Error(`a ${table} row has no hlc stamp`);
    // Any stamped row (a register, or a runbook version) moves this device's clock past it: what it writes next is later.
    if (typeof row.hlc === 'string') clock.receive(row.hlc);
    const changes = upsert.run(...columns.map((c) => row[c])).changes;
    return changes === 0 ? 'kept' : before ? 'replaced' : 'added';
  });
  return { merge: (table, row) => apply.immediate(table, row) };
}
