import type { KeyboardEvent } from 'react';
import { useTerminals, type TermTab } from '../../stores/terminal-store.js';
import { closeTerminal, focusTerminal } from './terminal-actions.js';

function tabTitle(tab: TermTab, runId: string | null): string {
  const parts = [tab.kind === 'ssh' ? `SSH shell: ${tab.title}` : `Local shell: ${tab.title}`];
  if (tab.recordingRunId !== null) parts.push(tab.recordingRunId === runId ? 'recording to this run' : 'recording to another run');
  if (tab.exited) parts.push('exited');
  return parts.join(' · ');
}

/** One tab per terminal: kind, title, a REC badge while its transcript goes into a run, and a close button. */
export function TerminalTabs({ runId }: { runId: string | null }) {
  const tabs = useTerminals((state) => state.tabs);
  const activeId = useTerminals((state) => state.activeId);

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.key !== 'ArrowLeft' && event.key !== 'ArrowRight') return;
    const index = tabs.findIndex((tab) => tab.id === activeId);
    const next = tabs[(index + (event.key === 'ArrowRight' ? 1 : -1) + tabs.length) % tabs.length];
    if (!next) return;
    event.preventDefault();
    useTerminals.getState().activate(next.id);
    document.getElementById(`term-tab-${next.id}`)?.focus();
  };

  return (
    <div className="term-tabs" role="tablist" aria-label="Terminals" onKeyDown={onKeyDown}>
      {tabs.map((tab) => {
        const active = tab.id === activeId;
        return (
          <div
            key={tab.id}
            className={`term-tab${active ? ' active' : ''}${tab.exited ? ' exited' : ''}`}
            data-testid="terminal-tab"
            data-id={tab.id}
            data-title={tab.title}
            data-kind={tab.kind}
            data-active={active}
            data-exited={tab.exited}
            data-recording={tab.recordingRunId ?? ''}
          >
            <button
              type="button"
              role="tab"
              id={`term-tab-${tab.id}`}
              className="term-tab-label"
              aria-selected={active}
              tabIndex={active ? 0 : -1}
              title={tabTitle(tab, runId)}
              onClick={() => focusTerminal(tab.id)}
              onAuxClick={(event) => {
                if (event.button === 1) closeTerminal(tab.id);
              }}
            >
              <span className={`term-tab-kind kind-${tab.kind}`} aria-hidden="true">
                {tab.kind === 'ssh' ? 'ssh' : '$'}
              </span>
              <span className="term-tab-title">{tab.title}</span>
              {tab.recordingRunId !== null && (
                <span className="term-rec" data-testid="terminal-rec">
                  REC
                </span>
              )}
            </button>
            <button
              type="button"
              className="btn-icon btn-close term-tab-close"
              aria-label={`Close ${tab.title}`}
              title="Close (middle-click the tab)"
              onClick={() => closeTerminal(tab.id)}
              data-testid="terminal-close"
            />
          </div>
        );
      })}
    </div>
  );
}
