import { useEffect, useRef, type ReactNode } from 'react';

interface Props {
  title: string;
  onClose(): void;
  children: ReactNode;
  testId?: string;
  /** Extra `data-*` attributes for the <dialog> (e.g. `{ kind: 'host-key' }`), for styling and tests. */
  data?: Record<string, string>;
}

/**
 * A modal on the native <dialog>: the browser traps focus, handles Escape (as `cancel`) and restores focus to
 * what was focused before when it closes.
 */
export function Dialog({ title, onClose, children, testId, data }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) {
      dialog.showModal();
      // showModal focuses the first focusable element, which may be a button; the first field is what one types in.
      dialog.querySelector<HTMLElement>('input, textarea')?.focus();
    }
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      data-testid={testId}
      {...Object.fromEntries(Object.entries(data ?? {}).map(([key, value]) => [`data-${key}`, value]))}
      aria-label={title}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 className="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

interface ActionsProps {
  /** Shown above the buttons when set: why the last submit failed. */
  error: string | null | undefined;
  errorTestId?: string;
  onCancel(): void;
  /** The submit button's label; the form's onSubmit does the work. */
  submit: string;
  submitTestId: string;
  disabled: boolean;
  variant: 'primary' | 'danger';
}

/** The end of a form dialog: the error of the last attempt, Cancel, and the submit button. */
export function DialogActions({ error, errorTestId, onCancel, submit, submitTestId, disabled, variant }: ActionsProps) {
  return (
    <>
      {error && (
        <div className="inline-error" role="alert" data-testid={errorTestId}>
          {error}
        </div>
      )}
      <div className="dialog-buttons">
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className={`btn btn-${variant}`} disabled={disabled} data-testid={submitTestId}>
          {submit}
        </button>
      </div>
    </>
  );
}
