import { useEffect, useState } from 'react';
import { href } from '../../app/route.js';
import { navigate } from '../../app/use-route.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { elapsedMs, formatDateTime, formatDuration } from '../../components/format.js';
import { useNow } from '../../components/use-now.js';
import { statusLabel } from '../../components/status.js';
import { useHistory } from '../../stores/history-store.js';
import { filterRuns, runOutcome, statusCounts, type StatusFilter } from './history-filter.js';
import './history.css';

/**
 * Every recorded run, newest first, filtered by status if one is chosen; a row opens the run (which is also its
 * detail page).
 */
export function HistoryPage() {
  const runs = useHistory((state) => state.runs);
  const loaded = useHistory((state) => state.loaded);
  const error = useHistory((state) => state.error);
  const load = useHistory((state) => state.load);
  const anyRunning = runs.some((run) => run.status === 'running');
  const now = useNow(anyRunning, 5_000);
  const [filter, setFilter] = useState<StatusFilter>('all');
  const counts = statusCounts(runs);
  // A filter whose last run changed status shows everything again rather than an empty table.
  const current = filter === 'all' || counts.some((entry) => entry.status === filter) ? filter : 'all';
  const shown = filterRuns(runs, current);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="page history-page">
      <div className="page-head">
        <h1>History</h1>
        <span className="muted count">{runs.length} {runs.length === 1 ? 'run' : 'runs'}</span>
        <button type="button" className="btn btn-small" onClick={() => void load()}>
          Reload
        </button>
      </div>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
      {loaded && runs.length === 0 && !error && <div className="empty">No runs recorded yet.</div>}
      {counts.length > 1 && (
        <div className="history-filter" role="group" aria-label="Show runs by status" data-testid="history-filter">
          {[{ status: 'all' as const, count: runs.length }, ...counts].map(({ status, count }) => (
            <button
              key={status}
              type="button"
              className={`btn btn-small history-filter-button${status === current ? ' selected' : ''}`}
              aria-pressed={status === current}
              onClick={() => setFilter(status)}
              data-testid="history-filter-button"
              data-status={status}
            >
              {status === 'all' ? 'All' : statusLabel(status)} <span className="muted">{count}</span>
            </button>
          ))}
        </div>
      )}
      {runs.length > 0 && (
        <table className="table history-table">
          <thead>
            <tr>
              <th>Runbook</th>
              <th>Section</th>
              <th>Operator</th>
              <th>Started</th>
              <th className="num">Duration</th>
              <th>Status</th>
              <th>Outcome</th>
            </tr>
          </thead>
          <tbody>
            {shown.map((run) => (
              <tr
                key={run.id}
                className="history-row"
                data-testid="history-row"
                data-run-id={run.id}
                data-status={run.status}
                onClick={() => navigate(href.run(run.id))}
              >
                <td>
                  <a href={href.run(run.id)} onClick={(event) => event.stopPropagation()}>
                    {run.runbookTitle}
                  </a>
                </td>
                <td>{run.sectionTitle}</td>
                <td>{run.operator}</td>
                <td className="mono">{formatDateTime(run.startedAt)}</td>
                <td className="num mono">{formatDuration(elapsedMs(run.startedAt, run.endedAt, now))}</td>
                <td>
                  <StatusBadge status={run.status} />
                </td>
                <td className="history-outcome" data-testid="history-outcome" title={run.endReason ?? undefined}>
                  {runOutcome(run)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
