import { useEffect, useRef, useState } from 'react';
import { useApp } from '../../stores/app-store.js';
import { useTerminals } from '../../stores/terminal-store.js';
import { searchOptions } from './terminal-session.js';
import { sessionFor } from './terminal-sessions.js';

/** Ctrl+Shift+F: find text in the active terminal's screen and scrollback, next and previous, with a match count. */
export function TerminalSearch({ id }: { id: string }) {
  const [query, setQuery] = useState('');
  const [result, setResult] = useState<{ index: number; count: number } | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const theme = useApp((state) => state.theme);
  const setSearchOpen = useTerminals((state) => state.setSearchOpen);
  const requestFocus = useTerminals((state) => state.requestFocus);

  useEffect(() => {
    input.current?.focus();
    input.current?.select();
    const session = sessionFor(id);
    if (!session) return;
    const subscription = session.search.onDidChangeResults(({ resultIndex, resultCount }) =>
      setResult({ index: resultIndex, count: resultCount }),
    );
    return () => {
      subscription.dispose();
      session.search.clearDecorations();
    };
  }, [id]);

  const find = (direction: 'next' | 'previous', text = query, incremental = false): void => {
    const search = sessionFor(id)?.search;
    if (!search) return;
    if (text === '') {
      search.clearDecorations();
      setResult(null);
      return;
    }
    if (direction === 'next') search.findNext(text, searchOptions(theme, incremental));
    else search.findPrevious(text, searchOptions(theme));
  };
  const close = (): void => {
    setSearchOpen(false);
    requestFocus();
  };

  return (
    <form
      className="term-search"
      role="search"
      onSubmit={(event) => {
        event.preventDefault();
        find('next');
      }}
    >
      <input
        ref={input}
        className="input mono"
        placeholder="Find in terminal"
        aria-label="Find in terminal"
        spellCheck={false}
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          find('next', event.target.value, true);
        }}
        onKeyDown={(event) => {
          if (event.key === 'Escape') {
            event.preventDefault();
            close();
          } else if (event.key === 'Enter' && event.shiftKey) {
            event.preventDefault();
            find('previous');
          }
        }}
        data-testid="terminal-search"
      />
      <span className="term-search-count muted mono" data-testid="terminal-search-count">
        {query === '' || result === null ? '' : result.count === 0 ? 'no matches' : result.index < 0 ? `${result.count}+` : `${result.index + 1} of ${result.count}`}
      </span>
      <button type="button" className="btn btn-small" title="Previous match (Shift+Enter)" aria-label="Previous match" onClick={() => find('previous')} data-testid="terminal-search-previous">
        ↑
      </button>
      <button type="submit" className="btn btn-small" title="Next match (Enter)" aria-label="Next match" data-testid="terminal-search-next">
        ↓
      </button>
      <button type="button" className="btn-icon btn-close" aria-label="Close search" title="Close (Esc)" onClick={close} />
    </form>
  );
}
