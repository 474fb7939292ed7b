/**
 * Schedules and their records (migration 006). `schedules` is a register: every write stamps the row with this
 * device's HLC, and removing one leaves a tombstone. `schedule_records` is append-only: an occurrence is recorded
 * `pending` in the same transaction that accounts for it, then once more with what became of it; its outcome is its
 * newest record. Misses are one summary row per wake.
 */
import { v7 as uuidv7 } from 'uuid';
import type { Target } from '../../../shared/contract/hosts.js';
import type { Notify, SecretSource } from '../../../shared/contract/schedules.js';
import type { ScheduleRules } from '../../../shared/model/schedule.js';
import type { Database } from './db.js';
import { createDeviceClock } from './device-clock.js';
import { StoreError } from './store-error.js';

/** What a schedule runs and when: stored as one JSON document (it changes as a whole). */
export interface ScheduleSpec {
  target: Target;
  rules: ScheduleRules;
  params: Record<string, string>;
  secrets: Record<string, SecretSource>;
  notify: Notify;
}

/** The text of the section's command steps someone approved, in order (a SHA-256 each), and the version it was read in. */
export interface Approval {
  versionId: string;
  steps: Array<{ id: string; title: string; sha256: string }>;
}

export interface ScheduleRow {
  id: string;
  homeDevice: string;
  runbookId: string;
  sectionId: string;
  spec: ScheduleSpec;
  approved: Approval;
  paused: boolean;
  pauseReason: string | null;
  /** Since when occurrences count: creation, or the last resume (occurrences while paused are not misses). */
  activeSince: string;
  createdAt: string;
  createdBy: string;
  updatedAt: string;
}

export type RecordKind = 'pending' | 'started' | 'skipped_overlap' | 'missed' | 'missed_beyond_window' | 'waiting_approval' | 'failed_to_start';

export interface RecordRow {
  id: string;
  scheduleId: string;
  kind: RecordKind;
  /** The occurrence (ISO), for every kind but the two miss summaries. */
  occurrence: string | null;
  firstAt: string | null;
  lastAt: string | null;
  count: number | null;
  catchUp: boolean;
  /** Started by hand (run now), not by the calendar. */
  manual: boolean;
  runId: string | null;
  reason: string | null;
  recordedAt: string;
}

export type NewRecord = Omit<RecordRow, 'id' | 'recordedAt'>;

export interface ScheduleStore {
  list(): ScheduleRow[];
  /** Throws StoreError `not_found` (a removed schedule is not found). */
  get(id: string): ScheduleRow;
  insert(row: Omit<ScheduleRow, 'id' | 'homeDevice' | 'updatedAt'>): ScheduleRow;
  update(id: string, patch: Partial<Pick<ScheduleRow, 'runbookId' | 'sectionId' | 'spec' | 'approved' | 'paused' | 'pauseReason' | 'activeSince'>>): ScheduleRow;
  remove(id: string): boolean;
  /** Appends records in one transaction: all or none. */
  append(records: readonly NewRecord[]): RecordRow[];
  /** The newest occurrence accounted for (an occurrence's record or a summary's last), or null. */
  lastHandled(scheduleId: string): string | null;
  /** The newest `limit` records, newest first. */
  recent(scheduleId: string, limit: number): RecordRow[];
  /** Every record of these occurrences, oldest first. */
  recordsOf(scheduleId: string, occurrences: readonly string[]): RecordRow[];
  /** Occurrences whose newest record is `pending` or `waiting_approval`, on this device, oldest first. */
  unsettled(): RecordRow[];
  /** The same, of one schedule. */
  unsettledOf(scheduleId: string): RecordRow[];
  /** The record that started this run, if a schedule started it. */
  byRun(runId: string): RecordRow | null;
}

interface ScheduleDbRow {
  id: string;
  home_device: string;
  runbook_id: string;
  section_id: string;
  spec: string;
  approved: string;
  paused: number;
  pause_reason: string | null;
  active_since: string;
  created_at: string;
  created_by: string;
  updated_at: string;
}

interface RecordDbRow {
  id: string;
  schedule_id: string;
  kind: RecordKind;
  occurrence: string | null;
  first_at: string | null;
  last_at: string | null;
  count: number | null;
  catch_up: number;
  manual: number;
  run_id: string | null;
  reason: string | null;
  recorded_at: string;
}

const toSchedule = (r: ScheduleDbRow): ScheduleRow => ({
  id: r.id,
  homeDevice: r.home_device,
  runbookId: r.runbook_id,
  sectionId: r.section_id,
  spec: JSON.parse(r.spec) as ScheduleSpec,
  approved: JSON.parse(r.approved) as Approval,
  paused: r.paused === 1,
  pauseReason: r.pause_reason,
  activeSince: r.active_since,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
});

const toRecord = (r: RecordDbRow): RecordRow => ({
  id: r.id,
  scheduleId: r.schedule_id,
  kind: r.kind,
  occurrence: r.occurrence,
  firstAt: r.first_at,
  lastAt: r.last_at,
  count: r.count,
  catchUp: r.catch_up === 1,
  manual: r.manual === 1,
  runId: r.run_id,
  reason: r.reason,
  recordedAt: r.recorded_at,
});

export function createScheduleStore(db: Database, deviceId: string, clock: { now(): Date }): ScheduleStore {
  const hlc = createDeviceClock(db, deviceId, () => clock.now().getTime());
  const selectAll = db.prepare('SELECT * FROM schedules WHERE deleted = 0 ORDER BY created_at, id');
  const selectOne = db.prepare('SELECT * FROM schedules WHERE id = ? AND deleted = 0');
  const insertSchedule = db.prepare(
    `INSERT INTO schedules (id, home_device, runbook_id, section_id, spec, approved, paused, pause_reason, active_since, created_at, created_by, updated_at, device_id, hlc, deleted)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)`,
  );
  const updateSchedule = db.prepare(
    `UPDATE schedules SET runbook_id = ?, section_id = ?, spec = ?, approved = ?, paused = ?, pause_reason = ?, active_since = ?, updated_at = ?, device_id = ?, hlc = ?
     WHERE id = ? AND deleted = 0`,
  );
  const tombstone = db.prepare('UPDATE schedules SET deleted = 1, updated_at = ?, device_id = ?, hlc = ? WHERE id = ? AND deleted = 0');
  const insertRecord = db.prepare(
    `INSERT INTO schedule_records (id, device_id, schedule_id, kind, occurrence, first_at, last_at, count, catch_up, manual, run_id, reason, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const lastHandled = db.prepare(
    'SELECT MAX(COALESCE(occurrence, last_at)) AS last FROM schedule_records WHERE schedule_id = ? AND manual = 0',
  );
  const recent = db.prepare('SELECT * FROM schedule_records WHERE schedule_id = ? ORDER BY recorded_at DESC, id DESC LIMIT ?');
  const byRun = db.prepare('SELECT * FROM schedule_records WHERE run_id = ? ORDER BY recorded_at LIMIT 1');
  // The newest record of each occurrence (ids are UUIDv7: later ids sort after earlier ones written by this device).
  // Uses schedule_records_by_occurrence for the NOT EXISTS: without it a long history made this quadratic.
  const unsettledWhere = `r.device_id = ? AND r.occurrence IS NOT NULL AND r.kind IN ('pending', 'waiting_approval')
       AND NOT EXISTS (SELECT 1 FROM schedule_records l WHERE l.schedule_id = r.schedule_id AND l.occurrence = r.occurrence AND l.rowid > r.rowid)`;
  const unsettled = db.prepare(`SELECT r.* FROM schedule_records r WHERE ${unsettledWhere} ORDER BY r.occurrence, r.rowid`);
  const unsettledOf = db.prepare(`SELECT r.* FROM schedule_records r WHERE r.schedule_id = ? AND ${unsettledWhere} ORDER BY r.occurrence, r.rowid`);

  const append = db.transaction((records: readonly NewRecord[]): RecordRow[] => {
    const at = clock.now().toISOString();
    return records.map((r) => {
      const row: RecordRow = { ...r, id: uuidv7(), recordedAt: at };
      insertRecord.run(row.id, deviceId, row.scheduleId, row.kind, row.occurrence, row.firstAt, row.lastAt, row.count, row.catchUp ? 1 : 0, row.manual ? 1 : 0, row.runId, row.reason, row.recordedAt);
      return row;
    });
  });

  const get = (id: string): ScheduleRow => {
    const row = selectOne.get(id) as ScheduleDbRow | undefined;
    if (!row) throw new StoreError('not_found', `no schedule ${id}`);
    return toSchedule(row);
  };

  return {
    list: () => (selectAll.all() as ScheduleDbRow[]).map(toSchedule),
    get,
    insert(row) {
      const id = uuidv7();
      const at = clock.now().toISOString();
      insertSchedule.run(
        id, deviceId, row.runbookId, row.sectionId, JSON.stringify(row.spec), JSON.stringify(row.approved), row.paused ? 1 : 0, row.pauseReason,
        row.activeSince, row.createdAt, row.createdBy, at, deviceId, hlc.next(),
      );
      return get(id);
    },
    update(id, patch) {
      const next = { ...get(id), ...patch };
      updateSchedule.run(
        next.runbookId, next.sectionId, JSON.stringify(next.spec), JSON.stringify(next.approved), next.paused ? 1 : 0, next.pauseReason, next.activeSince,
        clock.now().toISOString(), deviceId, hlc.next(), id,
      );
      return get(id);
    },
    remove: (id) => tombstone.run(clock.now().toISOString(), deviceId, hlc.next(), id).changes > 0,
    append: (records) => (records.length === 0 ? [] : append.immediate(records)),
    lastHandled: (scheduleId) => (lastHandled.get(scheduleId) as { last: string | null }).last,
    recent: (scheduleId, limit) => (recent.all(scheduleId, limit) as RecordDbRow[]).map(toRecord),
    recordsOf(scheduleId, occurrences) {
      if (occurrences.length === 0) return [];
      const rows = db
        .prepare(`SELECT * FROM schedule_records WHERE schedule_id = ? AND occurrence IN (${occurrences.map(() => '?').join(', ')}) ORDER BY rowid`)
        .all(scheduleId, ...occurrences) as RecordDbRow[];
      return rows.map(toRecord);
    },
    unsettled: () => (unsettled.all(deviceId) as RecordDbRow[]).map(toRecord),
    unsettledOf: (scheduleId) => (unsettledOf.all(scheduleId, deviceId) as RecordDbRow[]).map(toRecord),
    byRun(runId) {
      const row = byRun.get(runId) as RecordDbRow | undefined;
      return row ? toRecord(row) : null;
    },
  };
}
