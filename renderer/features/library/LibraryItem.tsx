import { useState } from 'react';
import type { RunbookListItem } from '../../../shared/contract/schemas.js';
import { href } from '../../app/route.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { formatDateTime, plural } from '../../components/format.js';
import { refreshRunbook } from './import-actions.js';
import { RemoveRunbookDialog } from './RemoveRunbookDialog.js';
import { isUploaded } from './upload-path.js';

interface Props {
  item: RunbookListItem;
  matchedSections: string[];
}

export function LibraryItem({ item, matchedSections }: Props) {
  const [refreshing, setRefreshing] = useState(false);
  const [removing, setRemoving] = useState(false);
  const uploaded = isUploaded(item.path);
  const { summary } = item;
  const { caution, destructive } = summary.dangerous;
  return (
    <li className="library-item" data-testid="runbook-item" data-title={item.title} data-id={item.id}>
      <div className="library-main">
        <a className="library-title" href={href.runbook(item.id)}>
          {item.title}
        </a>
        <div className="library-path mono" title={item.path}>
          {item.path}
        </div>
        {matchedSections.length > 0 && (
          <div className="library-matches">
            {matchedSections.map((title) => (
              <span key={title} className="chip">
                § {title}
              </span>
            ))}
          </div>
        )}
      </div>
      <div className="library-counts">
        <span title="Sections">{plural(summary.sections, 'section')}</span>
        <span title="Checklist items">{plural(summary.steps.check ?? 0, 'check')}</span>
        <span title="Command steps">{plural(summary.steps.command ?? 0, 'command')}</span>
        <span className="danger-counts" data-testid="danger-counts">
          {destructive > 0 && (
            <span className="badge danger-destructive" title="Destructive steps">
              {destructive} destructive
            </span>
          )}
          {caution > 0 && (
            <span className="badge danger-caution" title="Steps that need caution">
              {caution} caution
            </span>
          )}
        </span>
      </div>
      <div className="library-last-run">
        {item.lastRun ? (
          <a href={href.run(item.lastRun.id)} title={`Last run: ${item.lastRun.sectionTitle}`}>
            <StatusBadge status={item.lastRun.status} />
            <span className="muted"> {formatDateTime(item.lastRun.startedAt)}</span>
          </a>
        ) : (
          <span className="muted">never run</span>
        )}
      </div>
      <div className="library-version muted" title={`Imported ${formatDateTime(item.importedAt)}`}>
        v{item.latestVersion}
        {item.versions > 1 ? ` · ${plural(item.versions, 'version')}` : ''}
      </div>
      <div className="library-actions">
        <a className="btn btn-small" href={href.runbook(item.id)} data-testid="runbook-open">
          Open
        </a>
        <button
          type="button"
          className="btn btn-small"
          data-testid="runbook-refresh"
          disabled={refreshing || uploaded}
          title={uploaded ? 'Uploaded from a window: import the file by path to refresh it from there' : 'Read the file again from its path'}
          onClick={() => {
            setRefreshing(true);
            void refreshRunbook(item.id, item.title).finally(() => setRefreshing(false));
          }}
        >
          {refreshing ? 'Refreshing…' : 'Refresh'}
        </button>
        <button
          type="button"
          className="btn btn-small"
          data-testid="runbook-remove"
          title="Remove from the library; its runs stay in History"
          onClick={() => setRemoving(true)}
        >
          Remove
        </button>
      </div>
      {removing && <RemoveRunbookDialog item={item} onClose={() => setRemoving(false)} />}
    </li>
  );
}
