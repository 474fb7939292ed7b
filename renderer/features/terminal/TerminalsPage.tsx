import { TerminalPanel } from './TerminalPanel.js';

/** The terminals on a page of their own: the same tabs as the run view's dock, with the whole window to draw in. */
export function TerminalsPage() {
  return (
    <div className="page terminals-page" data-testid="terminals-page">
      <div className="page-head">
        <h1>Terminals</h1>
        <span className="muted small">Local shells and SSH shells; the same tabs show in the run view.</span>
      </div>
      <TerminalPanel variant="page" run={null} />
    </div>
  );
}
