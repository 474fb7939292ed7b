import { useEffect, type KeyboardEvent } from 'react';
import { useTerminalSettings } from '../../stores/terminal-settings-store.js';
import { useTerminals, type TermTab } from '../../stores/terminal-store.js';
import { closeTerminal, openTerminal } from './terminal-actions.js';
import { terminalShortcut } from './terminal-keys.js';
import { setSizingArea } from './terminal-sessions.js';
import { TerminalScreen } from './TerminalScreen.js';
import { TerminalSearch } from './TerminalSearch.js';
import { TerminalTabs } from './TerminalTabs.js';
import { TerminalToolbar, type PanelRun } from './TerminalToolbar.js';

interface Props {
  /** `dock`: beside a run's checklist (collapsible); `page`: the Terminals page. */
  variant: 'dock' | 'page';
  /** The run open in the run view, for "Record to this run"; null elsewhere. */
  run: PanelRun | null;
}

function ExitedBar({ tab }: { tab: TermTab }) {
  const how = tab.exit?.signal ? ` by ${tab.exit.signal}` : tab.exit?.exitCode ? ` with code ${tab.exit.exitCode}` : '';
  const spec = tab.spec;
  return (
    <div className="term-exited" data-testid="terminal-exited" role="status">
      <span>
        [process exited]{how} <span className="muted">· input is off</span>
      </span>
      {spec && (
        <button
          type="button"
          className="btn btn-small"
          onClick={() => {
            closeTerminal(tab.id);
            void openTerminal(spec);
          }}
          data-testid="terminal-restart"
        >
          Start again
        </button>
      )}
      <button type="button" className="btn btn-small" onClick={() => closeTerminal(tab.id)}>
        Close tab
      </button>
    </div>
  );
}

/**
 * The terminals as tabs: local shells and SSH shells to inventory hosts, each an xterm.js terminal wired to the
 * host (keystrokes, output with flow control, size), with search, copy and paste, and in a run view the choice to
 * record a terminal's transcript into the run.
 */
export function TerminalPanel({ variant, run }: Props) {
  const tabs = useTerminals((state) => state.tabs);
  const activeId = useTerminals((state) => state.activeId);
  const error = useTerminals((state) => state.error);
  const searchOpen = useTerminals((state) => state.searchOpen);
  const load = useTerminals((state) => state.load);
  const setError = useTerminals((state) => state.setError);
  const setSearchOpen = useTerminals((state) => state.setSearchOpen);
  // The dock with no terminal is only its bar (TerminalDock.tsx); the page always shows its body.
  const collapsed = useTerminalSettings((state) => variant === 'dock' && state.collapsed) || (variant === 'dock' && tabs.length === 0);
  const active = tabs.find((tab) => tab.id === activeId) ?? null;

  useEffect(() => {
    void load();
  }, [load]);

  const onKeyDown = (event: KeyboardEvent): void => {
    // Inside xterm the terminal's own key handler already did this; elsewhere in the panel (a tab, a button) too.
    if (active && !event.defaultPrevented && terminalShortcut(event) === 'search') {
      event.preventDefault();
      setSearchOpen(true);
    }
  };

  return (
    <section
      className={`term-panel term-panel-${variant}${collapsed ? ' collapsed' : ''}`}
      aria-label="Terminals"
      onKeyDown={onKeyDown}
      data-testid="terminal-panel"
    >
      <div className="term-bar">
        <TerminalTabs runId={run?.id ?? null} />
        <TerminalToolbar variant={variant} run={run} active={active} />
      </div>
      {error && (
        <div className="inline-error term-error" role="alert" data-testid="terminal-error">
          <span>{error}</span>
          <button type="button" className="btn-icon btn-close" aria-label="Dismiss" onClick={() => setError(null)} />
        </div>
      )}
      {!collapsed && (
        <div className="term-body" ref={setSizingArea}>
          {searchOpen && active && <TerminalSearch key={`search-${active.id}`} id={active.id} />}
          {active ? (
            <TerminalScreen key={`screen-${active.id}`} id={active.id} />
          ) : (
            <div className="term-empty muted">
              No terminal open. <strong>+ Shell</strong> opens one on this machine; <strong>SSH to…</strong> opens one on a host.
            </div>
          )}
          {active?.exited && <ExitedBar tab={active} />}
        </div>
      )}
    </section>
  );
}
