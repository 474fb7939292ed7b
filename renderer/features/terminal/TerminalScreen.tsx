import { useEffect, useRef } from 'react';
import { useTerminals } from '../../stores/terminal-store.js';
import { sessionFor } from './terminal-sessions.js';

/**
 * Waits this long after the panel stops changing size before fitting: dragging the dock's edge then resizes the
 * shell (a SIGWINCH and a full-screen program's redraw) once, not on every pointer move; longer feels laggy.
 */
const RESIZE_DEBOUNCE_MS = 80;

/** The active tab's terminal, fitted to the space it gets; takes focus when asked to (a new tab, Send to terminal). */
export function TerminalScreen({ id }: { id: string }) {
  const element = useRef<HTMLDivElement>(null);
  const focusNonce = useTerminals((state) => state.focusNonce);

  useEffect(() => {
    const container = element.current;
    const session = sessionFor(id);
    if (!container || !session) return;
    session.attach(container);
    session.fit();
    let timer: ReturnType<typeof setTimeout> | null = null;
    const observer = new ResizeObserver(() => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timer = null;
        session.fit();
      }, RESIZE_DEBOUNCE_MS);
    });
    observer.observe(container);
    return () => {
      observer.disconnect();
      if (timer) clearTimeout(timer);
      session.detach();
    };
  }, [id]);

  useEffect(() => {
    if (focusNonce > 0) sessionFor(id)?.focus();
  }, [focusNonce, id]);

  return <div className="term-screen" ref={element} data-testid="terminal-screen" data-id={id} />;
}
