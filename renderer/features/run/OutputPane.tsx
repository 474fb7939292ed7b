import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef } from 'react';
import type { OutputChunk } from '../../../shared/contract/schemas.js';
import { client, connection } from '../../api/client.js';
import { outputFeed } from '../../api/output-feed.js';
import { errorMessage } from '../../components/error-message.js';
import { useApp } from '../../stores/app-store.js';
import { contentRows, holdTrailingBreak, paneRows } from './output-size.js';
import { terminalTheme } from './terminal-theme.js';

interface Props {
  runId: string;
  attemptId: string;
  /**
   * Fetch the stored output again (after the last chunk shown) whenever this value changes: for output that does not
   * arrive as `step.output` events, such as a terminal recording's.
   */
  refresh?: unknown;
  /** Told of the pane's terminal once it is open, and null before it is disposed. */
  onTerminal?: (terminal: Terminal | null) => void;
  /** Told of each chunk once xterm has parsed it, in seq order: the terminal's cursor is where the chunk ended. */
  onDrawn?: (chunk: OutputChunk) => void;
  /**
   * `grow` (a step's output): as tall as its output, up to a share of the window, then it scrolls. `fill`: as tall
   * as the CSS makes the pane, for a transcript whose cursor position means something (`onDrawn`).
   */
  size?: 'grow' | 'fill';
}

/** Lines kept above the screen; enough for a long build log, bounded so a runaway command cannot eat memory. */
const SCROLLBACK_LINES = 5_000;
const HIDE_CURSOR = '\x1b[?25l';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** The nearest ancestor that scrolls its content (null: the window does). */
function scrollingAncestor(element: HTMLElement): HTMLElement | null {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if (overflow === 'auto' || overflow === 'scroll') return node;
  }
  return null;
}

/**
 * One attempt's output in a read-only xterm: what the host stored (`runs.output`), then live `step.output` events,
 * deduplicated by `seq`, so ANSI colours and `\r` progress bars render as in a terminal. Mount it with
 * `key={attemptId}`: one terminal per attempt. A terminal recording's id shows its transcript the same way; its new
 * output comes only by fetching again (`refresh`). A step's pane grows with its output (see output-size.ts).
 */
export function OutputPane({ runId, attemptId, refresh, onTerminal, onDrawn, size = 'grow' }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const terminal = useRef<Terminal | null>(null);
  const theme = useApp((state) => state.theme);
  const listeners = useRef({ onTerminal, onDrawn });
  /** Fetches what was stored since the last chunk shown, once the first load is done; null while there is no pane. */
  const fetchMore = useRef<(() => void) | null>(null);
  /** Sizes the terminal to its content again (grow mode), at the next frame; null while there is no pane. */
  const resizeSoon = useRef<(() => void) | null>(null);
  const grow = size === 'grow';

  useEffect(() => {
    listeners.current = { onTerminal, onDrawn };
  });

  useEffect(() => {
    const element = host.current;
    if (!element) return;
    const term = new Terminal({
      disableStdin: true,
      convertEol: true,
      scrollback: SCROLLBACK_LINES,
      cursorBlink: false,
      cursorInactiveStyle: 'none',
      fontFamily: 'ui-monospace, SFMono-Regular, "SF Mono", Menlo, Consolas, "Liberation Mono", monospace',
      fontSize: 12,
      lineHeight: 1.15,
      theme: terminalTheme(useApp.getState().theme),
    });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(element);
    term.write(HIDE_CURSOR);
    // The pane's cap is a share of what is on screen of the page it scrolls in (above a terminal dock, say).
    const scroller = scrollingAncestor(element);
    const visibleHeight = (): number => scroller?.clientHeight || window.innerHeight;
    /** Rows of the screen's own height: xterm sizes `.xterm-screen` to rows × cell height. */
    const cellHeight = (): number => {
      const screen = term.element?.querySelector('.xterm-screen');
      return screen ? screen.getBoundingClientRect().height / term.rows : 0;
    };
    let frame = 0;
    /** Refits at the next frame, once however often it is asked before then. */
    const soon = (): void => {
      if (frame !== 0) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        refit();
      });
    };
    const refit = (): void => {
      try {
        if (!grow) {
          fit.fit();
          return;
        }
        // Columns from the pane's width; rows from the output, not from the pane (whose height follows them).
        const cols = fit.proposeDimensions()?.cols ?? term.cols;
        const rows = paneRows(contentRows(term.buffer.active), visibleHeight(), cellHeight());
        if (cols === term.cols && rows === term.rows) return;
        const reflows = cols !== term.cols;
        term.resize(cols, rows);
        // New widths rewrap the lines, so the output may now take more rows or fewer.
        if (reflows) soon();
      } catch {
        // Not laid out yet (hidden or zero-sized): the next resize fits it.
      }
    };
    refit();
    const observer = new ResizeObserver(refit);
    observer.observe(element);
    if (grow && scroller) observer.observe(scroller);
    if (grow) window.addEventListener('resize', soon);
    resizeSoon.current = grow ? soon : null;
    terminal.current = term;
    listeners.current.onTerminal?.(term);
    return () => {
      observer.disconnect();
      window.removeEventListener('resize', soon);
      cancelAnimationFrame(frame);
      resizeSoon.current = null;
      terminal.current = null;
      listeners.current.onTerminal?.(null);
      term.dispose();
    };
  }, [grow]);

  useEffect(() => {
    if (terminal.current) terminal.current.options.theme = terminalTheme(theme);
  }, [theme]);

  useEffect(() => {
    const term = terminal.current;
    if (!term) return;
    let lastSeq = -1;
    let loaded = false;
    let disposed = false;
    const early: Array<{ chunk: OutputChunk; drawn: () => void }> = [];
    /** A growing pane's last line break, written with the next chunk (see holdTrailingBreak). */
    let heldBreak = '';
    /** Acks owed for writes xterm has not rendered yet; paid on unmount so the host's count never leaks. */
    const owed = new Set<() => void>();

    const write = (chunk: OutputChunk, drawn: () => void): void => {
      if (disposed || chunk.seq <= lastSeq) {
        drawn();
        return;
      }
      lastSeq = chunk.seq;
      owed.add(drawn);
      let text = chunk.data;
      let before = '';
      if (grow) {
        const split = holdTrailingBreak(text);
        before = heldBreak;
        heldBreak = split.held;
        text = split.now;
      }
      const data = before + (chunk.stream === 'system' ? `${DIM}${text}${RESET}` : text);
      term.write(data, () => {
        owed.delete(drawn);
        drawn();
        if (disposed) return;
        resizeSoon.current?.();
        listeners.current.onDrawn?.(chunk);
      });
    };
    const detach = outputFeed.attach(attemptId, (chunk, drawn) => {
      if (loaded) write(chunk, drawn);
      else early.push({ chunk, drawn });
    });
    const noAck = (): void => undefined;
    const catchUp = async (): Promise<void> => {
      const chunks = await client.call('runs.output', { runId, attemptId, ...(lastSeq >= 0 ? { afterSeq: lastSeq } : {}) });
      if (disposed) return;
      // Stored output was not sent as events, so there is nothing to acknowledge for it.
      for (const chunk of [...chunks].sort((a, b) => a.seq - b.seq)) write(chunk, noAck);
    };

    // One fetch at a time: asked again meanwhile, it fetches once more when the current one ends.
    let fetching = false;
    let again = false;
    const refetch = (): void => {
      if (!loaded || disposed) return;
      if (fetching) {
        again = true;
        return;
      }
      fetching = true;
      void catchUp()
        .catch(() => undefined)
        .finally(() => {
          fetching = false;
          if (again) {
            again = false;
            refetch();
          }
        });
    };

    catchUp()
      .catch((error: unknown) => {
        if (!disposed) term.write(`${DIM}[could not load the recorded output: ${errorMessage(error)}]${RESET}\r\n`, () => resizeSoon.current?.());
      })
      .finally(() => {
        loaded = true;
        for (const item of early.splice(0).sort((a, b) => a.chunk.seq - b.chunk.seq)) write(item.chunk, item.drawn);
      });
    // Live events sent while the socket was down are lost; the host has them stored.
    const offState = connection.onState((state) => {
      if (state === 'connected') refetch();
    });
    fetchMore.current = refetch;

    return () => {
      fetchMore.current = null;
      disposed = true;
      detach();
      offState();
      for (const item of early.splice(0)) item.drawn();
      for (const drawn of owed) drawn();
      owed.clear();
    };
  }, [runId, attemptId, grow]);

  useEffect(() => {
    fetchMore.current?.();
  }, [refresh]);

  return <div className={`output-pane output-${size}`} ref={host} data-testid="output-pane" data-attempt-id={attemptId} />;
}
