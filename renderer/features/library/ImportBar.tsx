import { useRef, useState } from 'react';
import { shownSource, useImportProgress } from '../../stores/import-progress-store.js';
import { importFiles, importPath } from './import-actions.js';

/** Where runbooks come in: a file picker (or drop anywhere on the page) and a path on this machine. */
export function ImportBar() {
  const fileInput = useRef<HTMLInputElement>(null);
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const progress = useImportProgress((state) => state.active);

  const submitPath = async (): Promise<void> => {
    const trimmed = path.trim();
    if (!trimmed || busy) return;
    setBusy(true);
    if (await importPath(trimmed)) setPath('');
    setBusy(false);
  };

  return (
    <div className="import-bar">
      <label className="btn btn-primary file-label">
        Import files…
        <input
          ref={fileInput}
          type="file"
          className="visually-hidden"
          accept=".md,.markdown,.txt,text/markdown,text/plain"
          multiple
          data-testid="import-file-input"
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            // Clear so picking the same file again (after editing it) fires another change.
            event.target.value = '';
            if (files.length > 0) void importFiles(files);
          }}
        />
      </label>
      <form
        className="import-path"
        onSubmit={(event) => {
          event.preventDefault();
          void submitPath();
        }}
      >
        <input
          type="text"
          className="input mono"
          placeholder="Import from path… e.g. /srv/runbooks/backup.md"
          aria-label="Path of a runbook on this machine"
          value={path}
          onChange={(event) => setPath(event.target.value)}
          data-testid="import-path-input"
          spellCheck={false}
        />
        <button type="submit" className="btn" disabled={busy || path.trim() === ''} data-testid="import-path-button">
          {busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      <span className="hint">or drop .md files anywhere on this page</span>
      {progress.map((p) => (
        <span key={p.source} className="progress import-progress" data-testid="import-progress" title={p.source}>
          <span className="muted">Importing {shownSource(p.source)}</span>
          <span className="progress-bar">
            <span className="progress-fill" style={{ width: `${Math.round(p.fraction * 100)}%` }} />
          </span>
          <span className="progress-text">{Math.round(p.fraction * 100)}%</span>
        </span>
      ))}
    </div>
  );
}
