import { useEffect } from 'react';
import type { TermInfo } from '../../../shared/contract/terminals.js';
import { useTerminals } from '../../stores/terminal-store.js';
import { focusTerminal } from './terminal-actions.js';
import { TerminalPanel } from './TerminalPanel.js';

/** While the page is shown, the list of terminals open elsewhere (or nowhere) is asked for again this often. */
const OTHERS_REFRESH_MS = 15_000;

const timeFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/** "in 2 other windows", or "in no window since Tue 09:12 · closes by itself Wed 09:12". */
function whereShown(info: TermInfo): string {
  if (info.windows > 0) return `open in ${info.windows === 1 ? 'another window' : `${info.windows} other windows`}`;
  const since = info.unwatchedSince ? ` since ${timeFormat.format(new Date(info.unwatchedSince))}` : '';
  const closes = info.closesAt ? ` · Opsdeck closes it ${timeFormat.format(new Date(info.closesAt))}` : '';
  return `in no window${since}${closes}`;
}

/** Terminals the host runs that this window shows no tab for: to open here, or to close. */
function OtherTerminals() {
  const others = useTerminals((state) => state.others);
  const refresh = useTerminals((state) => state.refresh);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), OTHERS_REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  if (others.length === 0) return null;
  return (
    <section className="term-others" aria-label="Terminals not open in this window" data-testid="terminal-others">
      <h2>Running, not open here</h2>
      <ul>
        {others.map((info) => (
          <li key={info.id} className="term-other" data-testid="terminal-other" data-id={info.id} data-windows={info.windows}>
            <span className={`term-tab-kind kind-${info.kind}`} aria-hidden="true">
              {info.kind === 'ssh' ? 'ssh' : '$'}
            </span>
            <span className="term-other-title">{info.title}</span>
            <span className="muted small">
              opened {timeFormat.format(new Date(info.openedAt))} · {whereShown(info)}
            </span>
            <span className="term-other-actions">
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  useTerminals.getState().adopt(info.id);
                  focusTerminal(info.id);
                }}
                data-testid="terminal-other-open"
              >
                Open here
              </button>
              <button type="button" className="btn btn-small" onClick={() => void useTerminals.getState().closeOther(info.id)} data-testid="terminal-other-close">
                Close
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The terminals on a page of their own: the same tabs as the run view's dock, with the whole window to draw in. */
export function TerminalsPage() {
  return (
    <div className="page terminals-page" data-testid="terminals-page">
      <div className="page-head">
        <h1>Terminals</h1>
        <span className="muted small">Local shells and SSH shells; the same tabs show in the run view.</span>
      </div>
      <OtherTerminals />
      <TerminalPanel variant="page" run={null} />
    </div>
  );
}
