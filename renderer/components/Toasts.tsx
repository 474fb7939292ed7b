import { useToasts } from '../stores/toast-store.js';

/** The corner stack; a polite live region so screen readers announce import results and errors. */
export function Toasts() {
  const toasts = useToasts((state) => state.toasts);
  const dismiss = useToasts((state) => state.dismiss);
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((toast) => (
        <div key={toast.id} className={`toast toast-${toast.kind}`} data-testid="toast" data-kind={toast.kind} role="status">
          <span className="toast-text">{toast.text}</span>
          <button type="button" className="btn-icon btn-close" aria-label="Dismiss" onClick={() => dismiss(toast.id)} />
        </div>
      ))}
    </div>
  );
}
