/**
 * Incidents and their entries (migration 008), both append-only: an incident is one row (who declared it, where,
 * when) and everything else is an entry, so two devices' records merge as a union. The entry's kind-specific fields
 * are one JSON document (`data`); `run_id` is its own column for the one lookup by run (the incident a run belongs to).
 */
import { v7 as uuidv7 } from 'uuid';
import type { Statement } from 'better-sqlite3';
import type { Database } from './db.js';
import { StoreError } from './store-error.js';

export interface IncidentRow {
  id: string;
  deviceId: string;
  declaredAt: string;
  declaredBy: string;
}

export interface EntryRow {
  id: string;
  deviceId: string;
  incidentId: string;
  /** When it happened (a backdated note: before `recordedAt`). */
  at: string;
  recordedAt: string;
  by: string;
  kind: string;
  runId: string | null;
  data: Record<string, unknown>;
}

export type NewEntry = Pick<EntryRow, 'at' | 'recordedAt' | 'by' | 'kind' | 'data'> & { runId?: string | null };

export interface IncidentStore {
  /** A new incident and its first entries, in one transaction. */
  declare(incident: Omit<IncidentRow, 'id' | 'deviceId'>, entries: readonly NewEntry[]): { incident: IncidentRow; entries: EntryRow[] };
  /** Appends entries to an incident, all or none. Throws StoreError `not_found`. */
  append(incidentId: string, entries: readonly NewEntry[]): EntryRow[];
  /** Throws StoreError `not_found`. */
  get(id: string): IncidentRow;
  /** Every incident, newest first. */
  list(): IncidentRow[];
  /** An incident's entries in the order they were recorded (recorded_at, then id). */
  entries(incidentId: string): EntryRow[];
  /** How many entries an incident has: tells a cached fold whether anything was added since. */
  count(incidentId: string): number;
  /** The incidents that linked this run, in the order they linked it. */
  incidentsOfRun(runId: string): string[];
}

interface EntryDbRow {
  id: string;
  device_id: string;
  incident_id: string;
  at: string;
  recorded_at: string;
  by: string;
  kind: string;
  run_id: string | null;
  data: string;
}

interface IncidentDbRow {
  id: string;
  device_id: string;
  declared_at: string;
  declared_by: string;
}

const toIncident = (r: IncidentDbRow): IncidentRow => ({ id: r.id, deviceId: r.device_id, declaredAt: r.declared_at, declaredBy: r.declared_by });

function parseData(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const toEntry = (r: EntryDbRow): EntryRow => ({
  id: r.id,
  deviceId: r.device_id,
  incidentId: r.incident_id,
  at: r.at,
  recordedAt: r.recorded_at,
  by: r.by,
  kind: r.kind,
  runId: r.run_id,
  data: parseData(r.data),
});

export function createIncidentStore(db: Database, deviceId: string): IncidentStore {
  const statements = new Map<string, Statement>();
  const prepare = (sql: string): Statement => {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  const get = (id: string): IncidentRow => {
    const row = prepare('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentDbRow | undefined;
    if (!row) throw new StoreError('not_found', `no incident ${id}`);
    return toIncident(row);
  };
  const insertEntries = (incidentId: string, entries: readonly NewEntry[]): EntryRow[] => {
    const insert = prepare('INSERT INTO incident_entries (id, device_id, incident_id, at, recorded_at, by, kind, run_id, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    return entries.map((e) => {
      const row: EntryRow = { id: uuidv7(), deviceId, incidentId, at: e.at, recordedAt: e.recordedAt, by: e.by, kind: e.kind, runId: e.runId ?? null, data: e.data };
      insert.run(row.id, deviceId, incidentId, row.at, row.recordedAt, row.by, row.kind, row.runId, JSON.stringify(row.data));
      return row;
    });
  };
  const declare = db.transaction((incident: Omit<IncidentRow, 'id' | 'deviceId'>, entries: readonly NewEntry[]) => {
    const row: IncidentRow = { id: uuidv7(), deviceId, ...incident };
    prepare('INSERT INTO incidents (id, device_id, declared_at, declared_by) VALUES (?, ?, ?, ?)').run(row.id, deviceId, row.declaredAt, row.declaredBy);
    return { incident: row, entries: insertEntries(row.id, entries) };
  });
  const append = db.transaction((incidentId: string, entries: readonly NewEntry[]) => {
    get(incidentId);
    return insertEntries(incidentId, entries);
  });
  return {
    declare: (incident, entries) => declare(incident, entries),
    append: (incidentId, entries) => append(incidentId, entries),
    get,
    list: () => (prepare('SELECT * FROM incidents ORDER BY declared_at DESC, id DESC').all() as IncidentDbRow[]).map(toIncident),
    entries: (incidentId) =>
      (prepare('SELECT * FROM incident_entries WHERE incident_id = ? ORDER BY recorded_at, id').all(incidentId) as EntryDbRow[]).map(toEntry),
    count: (incidentId) => (prepare('SELECT count(*) AS n FROM incident_entries WHERE incident_id = ?').get(incidentId) as { n: number }).n,
    incidentsOfRun: (runId) =>
      (prepare("SELECT incident_id FROM incident_entries WHERE run_id = ? AND kind = 'run' ORDER BY recorded_at, id").all(runId) as Array<{ incident_id: string }>).map(
        (r) => r.incident_id,
      ),
  };
}
