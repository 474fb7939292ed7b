import { useEffect, useMemo, useState } from 'react';
import { useLibrary } from '../../stores/library-store.js';
import { ImportBar } from './ImportBar.js';
import { LibraryItem } from './LibraryItem.js';
import { importFiles } from './import-actions.js';
import { matchesQuery, matchingSections } from './library-filter.js';
import { useFileDrop } from './use-file-drop.js';

const onDroppedFiles = (files: File[]): void => void importFiles(files);

/** The start page: every imported runbook, searchable, and the ways to bring new ones in. */
export function LibraryPage() {
  const items = useLibrary((state) => state.items);
  const loaded = useLibrary((state) => state.loaded);
  const error = useLibrary((state) => state.error);
  const load = useLibrary((state) => state.load);
  const [query, setQuery] = useState('');
  const drop = useFileDrop(onDroppedFiles);

  useEffect(() => {
    void load();
  }, [load]);

  const visible = useMemo(() => items.filter((item) => matchesQuery(item, query)), [items, query]);

  return (
    <div className="page library-page" {...drop.handlers}>
      <div className="page-head">
        <h1>Library</h1>
        <input
          type="search"
          className="input library-search"
          placeholder="Search titles and sections"
          aria-label="Search runbooks"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          data-testid="library-search"
        />
        <span className="muted count">
          {query ? `${visible.length} of ${items.length}` : `${items.length} ${items.length === 1 ? 'runbook' : 'runbooks'}`}
        </span>
      </div>
      <ImportBar />
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
      {loaded && items.length === 0 && (
        <div className="empty">
          No runbooks yet. Import a Markdown runbook with the button above, by path, or drop files here.
        </div>
      )}
      {loaded && items.length > 0 && visible.length === 0 && <div className="empty">Nothing matches “{query}”.</div>}
      <ul className="library-list">
        {visible.map((item) => (
          <LibraryItem
            key={item.id}
            item={item}
            matchedSections={query && !matchesQuery({ title: item.title, sections: [] }, query) ? matchingSections(item, query) : []}
          />
        ))}
      </ul>
      {drop.dragging && (
        <div className="drop-zone" data-testid="drop-zone">
          <div className="drop-zone-inner">Drop Markdown runbooks to import them</div>
        </div>
      )}
    </div>
  );
}
