/**
 * The history filters (shared/contract/search.ts) as SQL over `runs r`, for the search store's queries. A run's
 * status is not stored: it is read from its last end or resume event (the same rule as the run fold, run-state.ts),
 * through the (run_id, seq) index, newest first, so it costs one or two index steps per candidate run.
 */
import type { HistoryFilters } from '../../../shared/contract/search.js';

export interface SqlPart {
  sql: string;
  params: unknown[];
}

/** The run's status, as run-state.ts folds it. */
export const RUN_STATUS_SQL = `COALESCE((
  SELECT CASE e.type
    WHEN 'run.finished' THEN CASE json_extract(e.data, '$.status') WHEN 'failed' THEN 'failed' WHEN 'incomplete' THEN 'incomplete' ELSE 'completed' END
    WHEN 'run.aborted' THEN 'aborted'
    WHEN 'run.interrupted' THEN 'interrupted'
    ELSE 'running' END
  FROM run_events e
  WHERE e.run_id = r.id AND e.type IN ('run.finished', 'run.aborted', 'run.interrupted', 'run.resumed')
  ORDER BY e.seq DESC LIMIT 1), 'running')`;

/**
 * `AND ...` conditions for `filters` on `runs r`. `attempt` is the SQL naming the matched record's attempt (null:
 * none, or a listing): the exit-code filter then holds for that attempt, else for any attempt of the run.
 */
export function filterSql(filters: HistoryFilters | undefined, attempt: string | null): SqlPart {
  const parts: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, ...values: unknown[]): void => {
    parts.push(sql);
    params.push(...values);
  };
  const f = filters ?? {};
  if (f.runbookId !== undefined) add('r.runbook_id = ?', f.runbookId);
  if (f.section !== undefined) add('(r.section_id = ? OR lower(r.section_title) = lower(?))', f.section, f.section);
  if (f.host !== undefined) {
    add(
      `(json_extract(r.target, '$.host') = ? OR json_extract(r.target, '$.tag') = ? OR EXISTS (
         SELECT 1 FROM run_events h WHERE h.run_id = r.id AND h.type = 'attempt.started' AND json_extract(h.data, '$.host') = ?))`,
      f.host, f.host, f.host,
    );
  }
  if (f.operator !== undefined) add('r.operator = ?', f.operator);
  if (f.deviceId !== undefined) add('r.device_id = ?', f.deviceId);
  if (f.origin !== undefined) add(`r.origin IN (${f.origin.map(() => '?').join(', ')})`, ...f.origin);
  if (f.since !== undefined) add('r.started_at >= ?', new Date(f.since).toISOString());
  if (f.until !== undefined) add('r.started_at < ?', new Date(f.until).toISOString());
  if (f.status !== undefined) add(`${RUN_STATUS_SQL} IN (${f.status.map(() => '?').join(', ')})`, ...f.status);
  if (f.exitCode !== undefined) {
    const same = attempt === null ? '' : ` AND (${attempt} IS NULL OR x.attempt_id = ${attempt})`;
    add(`EXISTS (SELECT 1 FROM run_events x WHERE x.run_id = r.id AND x.type = 'attempt.ended' AND json_extract(x.data, '$.exitCode') = ?${same})`, f.exitCode);
  }
  return { sql: parts.map((p) => ` AND ${p}`).join(''), params };
}

/** Whether any filter needs the run's row (a query without one reads the index alone). */
export function hasFilters(filters: HistoryFilters | undefined): boolean {
  return filters !== undefined && Object.values(filters).some((v) => v !== undefined);
}
