import { useState } from 'react';
import type { RunbookListItem } from '../../../shared/contract/schemas.js';
import { Dialog, DialogActions } from '../../components/Dialog.js';
import { errorMessage } from '../../components/error-message.js';
import { useLibrary } from '../../stores/library-store.js';
import { toast } from '../../stores/toast-store.js';
import { isUploaded, shownPath } from './upload-path.js';

/** Confirms removing a runbook from the library (the host archives it): what goes, and what stays. */
export function RemoveRunbookDialog({ item, onClose }: { item: RunbookListItem; onClose(): void }) {
  const remove = useLibrary((state) => state.remove);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const uploaded = isUploaded(item.path);
  return (
    <Dialog title={`Remove “${item.title}”?`} onClose={onClose} testId="runbook-remove-dialog">
      <form
        className="dialog-body remove-runbook"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          remove(item.id)
            .then(() => {
              toast.success(`“${item.title}” removed from the library.`);
              onClose();
            })
            .catch((failure: unknown) => {
              setError(errorMessage(failure));
              setBusy(false);
            });
        }}
      >
        <p>It leaves the library. Its runs stay in History and still open, and every version imported is kept.</p>
        {item.lastRun?.status === 'running' && (
          <p data-testid="runbook-remove-running">A run of it is still going: it carries on, and History leads to it.</p>
        )}
        <p className="muted">
          {uploaded ? 'Uploading' : 'Importing'} <span className="mono">{shownPath(item.path)}</span> again
          brings it back.
        </p>
        <DialogActions
          error={error}
          errorTestId="runbook-remove-error"
          onCancel={onClose}
          submit="Remove runbook"
          submitTestId="runbook-remove-confirm"
          disabled={busy}
          variant="danger"
        />
      </form>
    </Dialog>
  );
}
