import { useRef, type KeyboardEvent, type PointerEvent, type ReactNode } from 'react';
import { useTerminalSettings } from '../../stores/terminal-settings-store.js';
import { useTerminals } from '../../stores/terminal-store.js';
import { DOCK_SIZE_MIN } from '../../stores/terminal-settings.js';
import { TerminalPanel } from './TerminalPanel.js';
import type { PanelRun } from './TerminalToolbar.js';

/** Room always left to the checklist beside or above the dock. */
const CONTENT_MIN_PX = 160;
/** One arrow key press on the dock's edge moves it this far. */
const KEY_STEP_PX = 24;

/**
 * The run view with the terminal docked below or beside its checklist. The checklist scrolls on its own; the dock
 * keeps its size (dragged on its edge, or with the arrow keys there) and can collapse to its tab bar. With no
 * terminal open it is only that bar: the checklist gets the room until a terminal opens.
 */
export function TerminalDock({ run, children }: { run: PanelRun; children: ReactNode }) {
  const side = useTerminalSettings((state) => state.dock);
  const size = useTerminalSettings((state) => state.dockSize);
  const empty = useTerminals((state) => state.tabs.length === 0);
  const collapsed = useTerminalSettings((state) => state.collapsed) || empty;
  const setDockSize = useTerminalSettings((state) => state.setDockSize);
  const layout = useRef<HTMLDivElement>(null);
  const dragging = useRef(false);
  const shownSide = collapsed ? 'bottom' : side;

  const limit = (wanted: number): number => {
    const rect = layout.current?.getBoundingClientRect();
    const room = rect ? (side === 'bottom' ? rect.height : rect.width) - CONTENT_MIN_PX : wanted;
    return Math.max(DOCK_SIZE_MIN, Math.min(wanted, room));
  };
  const sizeAt = (event: PointerEvent): number => {
    const rect = layout.current?.getBoundingClientRect();
    if (!rect) return size;
    return limit(side === 'bottom' ? rect.bottom - event.clientY : rect.right - event.clientX);
  };
  const onKeyDown = (event: KeyboardEvent): void => {
    const grow = side === 'bottom' ? 'ArrowUp' : 'ArrowLeft';
    const shrink = side === 'bottom' ? 'ArrowDown' : 'ArrowRight';
    if (event.key !== grow && event.key !== shrink) return;
    event.preventDefault();
    setDockSize(limit(size + (event.key === grow ? KEY_STEP_PX : -KEY_STEP_PX)));
  };

  return (
    <div className={`run-layout dock-${shownSide}${collapsed ? ' dock-collapsed' : ''}`} ref={layout} data-testid="run-layout" data-dock={collapsed ? 'collapsed' : side}>
      <div className="run-scroll">{children}</div>
      {!collapsed && (
        <div
          className="dock-splitter"
          role="separator"
          tabIndex={0}
          aria-label="Resize the terminal"
          aria-orientation={side === 'bottom' ? 'horizontal' : 'vertical'}
          aria-valuenow={size}
          aria-valuemin={DOCK_SIZE_MIN}
          onPointerDown={(event) => {
            event.preventDefault();
            event.currentTarget.setPointerCapture(event.pointerId);
            dragging.current = true;
          }}
          onPointerMove={(event) => {
            if (dragging.current) setDockSize(sizeAt(event), false);
          }}
          onPointerUp={(event) => {
            if (!dragging.current) return;
            dragging.current = false;
            event.currentTarget.releasePointerCapture(event.pointerId);
            setDockSize(sizeAt(event));
          }}
          onLostPointerCapture={() => {
            if (!dragging.current) return;
            dragging.current = false;
            setDockSize(useTerminalSettings.getState().dockSize);
          }}
          onKeyDown={onKeyDown}
          data-testid="terminal-dock-resize"
        />
      )}
      <div className="term-dock" style={collapsed ? undefined : side === 'bottom' ? { height: size } : { width: size }}>
        <TerminalPanel variant="dock" run={run} />
      </div>
    </div>
  );
}
