import type { RunbookDetail } from '../../../shared/contract/schemas.js';
import type { Section } from '../../../shared/model/runbook.js';
import { href } from '../../app/route.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { formatDateTime, plural } from '../../components/format.js';
import { ScheduleThisButton } from '../schedules/ScheduleThisButton.js';

interface Props {
  detail: RunbookDetail;
  section: Section;
}

function sectionIds(section: Section): Set<string> {
  const ids = new Set<string>([section.id]);
  const visit = (child: Section): void => {
    ids.add(child.id);
    child.sections.forEach(visit);
  };
  section.sections.forEach(visit);
  return ids;
}

/** Beside the checklist: the section's metadata, when it is meant to run, recent runs and the import's warnings. */
export function SectionInfo({ detail, section }: Props) {
  const ids = sectionIds(section);
  const hints = detail.document.scheduleHints.filter((hint) => hint.sectionId !== null && ids.has(hint.sectionId));
  const meta = Object.entries(section.meta);
  const warnings = detail.document.warnings;
  return (
    <aside className="section-info">
      <div className="panel">
        <h3>Details</h3>
        {meta.length === 0 ? (
          <div className="muted">No metadata in this section.</div>
        ) : (
          <dl className="meta" data-testid="section-meta">
            {meta.map(([key, value]) => (
              <div key={key} className="meta-row">
                <dt>{key}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </div>
      <div className="panel">
        <h3>Schedule</h3>
        {hints.length === 0 ? (
          <div className="hint-none">
            <span className="muted">No schedule found.</span>
            <ScheduleThisButton detail={detail} hint={null} sectionId={section.id} label="Schedule…" />
          </div>
        ) : (
          <ul className="hints" data-testid="schedule-hints">
            {hints.map((hint) => (
              <li key={`${hint.line}-${hint.text}`} data-testid="schedule-hint" data-text={hint.text}>
                <div className="hint-head">
                  <span>{hint.text}</span>
                  <ScheduleThisButton detail={detail} hint={hint} sectionId={section.id} />
                </div>
                <div className="muted small">
                  {hint.cron ? <span className="mono">{hint.cron}</span> : 'no cron'}
                  {hint.timezone ? ` · ${hint.timezone}` : ''} · {hint.source} · line {hint.line}
                </div>
                {hint.reason && <div className="muted small">{hint.reason}</div>}
              </li>
            ))}
          </ul>
        )}
      </div>
      <div className="panel">
        <h3>Recent runs</h3>
        {detail.lastRuns.length === 0 ? (
          <div className="muted">Not run yet.</div>
        ) : (
          <ul className="recent-runs" data-testid="recent-runs">
            {detail.lastRuns.map((run) => (
              <li key={run.id}>
                <a href={href.run(run.id)}>
                  <StatusBadge status={run.status} />
                  <span className="recent-title">{run.sectionTitle}</span>
                  <span className="muted small">{formatDateTime(run.startedAt)}</span>
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
      <details className="panel warnings" data-testid="warnings">
        <summary>
          <h3>Import warnings</h3>
          <span className={warnings.length > 0 ? 'badge tone-warn' : 'badge tone-muted'}>{warnings.length}</span>
        </summary>
        {warnings.length === 0 ? (
          <div className="muted">None.</div>
        ) : (
          <ul className="warning-list">
            {warnings.map((warning, index) => (
              <li key={index}>
                <span className="muted mono">line {warning.line}</span> {warning.message}
              </li>
            ))}
          </ul>
        )}
        <div className="muted small">
          {plural(detail.versions, 'version')} · this is v{detail.version}, imported {formatDateTime(detail.importedAt)}
        </div>
      </details>
    </aside>
  );
}
