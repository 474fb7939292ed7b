import { useEffect, useRef, useState, type ReactNode } from 'react';

interface Props {
  /** What the button shows. */
  label: ReactNode;
  /** The button's tooltip and the panel's accessible name. */
  title: string;
  testId: string;
  disabled?: boolean;
  /** The panel's content; `close` hides it (after a choice is made). */
  children(close: () => void): ReactNode;
}

/** A button with a small panel under it (a menu of settings, a one-field form); closes on Escape or a click outside. */
export function Popover({ label, title, testId, disabled = false, children }: Props) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent): void => {
      if (!(event.target instanceof Node) || !root.current?.contains(event.target)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent): void => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      setOpen(false);
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);
  return (
    <div className="popover" ref={root}>
      <button
        type="button"
        className="btn btn-small"
        title={title}
        aria-label={title}
        aria-expanded={open}
        aria-haspopup="dialog"
        disabled={disabled}
        onClick={() => setOpen(!open)}
        data-testid={testId}
      >
        {label}
      </button>
      {open && (
        <div className="popover-panel" role="dialog" aria-label={title}>
          {children(() => setOpen(false))}
        </div>
      )}
    </div>
  );
}
