import { useEffect, useState } from 'react';
import type { Host, HostTest } from '../../../shared/contract/hosts.js';
import { Dialog, DialogActions } from '../../components/Dialog.js';
import { errorMessage } from '../../components/error-message.js';
import { keyTypeLabel } from '../../components/ssh-text.js';
import { useHosts } from '../../stores/hosts-store.js';
import { toast } from '../../stores/toast-store.js';
import { HostForm } from './HostForm.js';
import { SshImportDialog } from './SshImportDialog.js';
import { formatEndpoint } from './host-form.js';

type PageDialog = { kind: 'add' } | { kind: 'edit'; host: Host } | { kind: 'remove'; host: Host } | { kind: 'import' } | null;

const FORGET_KEY_HELP =
  'Opsdeck refuses a host whose key changed until the key it stored is forgotten. After a legitimate change ' +
  '(reinstall, key rotation), forget it; the next connection asks you to trust the new key. ' +
  'Lines in your ~/.ssh/known_hosts are yours to edit and are not touched.';

function TestResult({ result }: { result: HostTest | { error: string } }) {
  if ('error' in result) {
    return (
      <div className="host-test-result fail" data-testid="host-test-result" data-ok="false">
        {result.error}
      </div>
    );
  }
  const changed = !result.ok && /host key .*has changed|known only with other keys/i.test(result.message);
  return (
    <div className={`host-test-result ${result.ok ? 'ok' : 'fail'}`} data-testid="host-test-result" data-ok={result.ok}>
      <div className="host-test-line">
        <span className={`badge ${result.ok ? 'tone-ok' : 'tone-bad'}`}>{result.ok ? 'connected' : 'failed'}</span>
        {result.keyType && result.fingerprint && (
          <span className="mono" data-testid="host-test-key">
            {keyTypeLabel(result.keyType)} {result.fingerprint}
          </span>
        )}
        {result.latencyMs !== null && <span className="mono muted">{Math.round(result.latencyMs)} ms</span>}
      </div>
      <div className="host-test-message">{result.message}</div>
      {changed && <div className="host-test-hint">If the change is expected, use Forget key, then Test again to trust the new key.</div>}
    </div>
  );
}

function HostRow({ host, onEdit, onRemove }: { host: Host; onEdit(): void; onRemove(): void }) {
  const test = useHosts((state) => state.test);
  const forgetKey = useHosts((state) => state.forgetKey);
  const result = useHosts((state) => state.tests[host.name]);
  const testing = useHosts((state) => state.testing[host.name] ?? false);
  const [forgetting, setForgetting] = useState(false);

  const forget = async (): Promise<void> => {
    setForgetting(true);
    try {
      const removed = await forgetKey(host.name);
      toast.success(
        removed > 0
          ? `Forgot the stored key of ${host.name}; the next connection asks you to trust its key.`
          : `Opsdeck had no stored key for ${host.name} (keys in ~/.ssh/known_hosts are not touched).`,
      );
    } catch (error) {
      toast.error(`${host.name}: ${errorMessage(error)}`);
    } finally {
      setForgetting(false);
    }
  };

  return (
    <tbody className="host-group" data-testid="host-row" data-name={host.name}>
      <tr className="host-row">
        <td className="mono host-name">{host.name}</td>
        <td className="mono">{formatEndpoint(host)}</td>
        <td className="mono">{host.jump.join(' → ')}</td>
        <td>
          <span className="host-tags">
            {host.tags.map((tag) => (
              <span key={tag} className="chip" data-testid="host-tag">
                {tag}
              </span>
            ))}
          </span>
        </td>
        <td className="muted">{host.source === 'ssh-config' ? 'ssh config' : 'added here'}</td>
        <td className="host-actions">
          <button type="button" className="btn btn-small" onClick={onEdit} data-testid="host-edit">
            Edit
          </button>
          <button type="button" className="btn btn-small" disabled={testing} onClick={() => void test(host.name)} data-testid="host-test">
            {testing ? 'Testing…' : 'Test'}
          </button>
          <button
            type="button"
            className="btn btn-small"
            disabled={forgetting}
            title={FORGET_KEY_HELP}
            onClick={() => void forget()}
            data-testid="host-forget-key"
          >
            Forget key
          </button>
          <button type="button" className="btn btn-small btn-danger" onClick={onRemove} data-testid="host-remove">
            Remove…
          </button>
        </td>
      </tr>
      {(result || host.notes) && (
        <tr className="host-detail">
          <td colSpan={6}>
            {host.notes && <div className="host-notes muted">{host.notes}</div>}
            {result && <TestResult result={result} />}
          </td>
        </tr>
      )}
    </tbody>
  );
}

function RemoveDialog({ host, onClose }: { host: Host; onClose(): void }) {
  const remove = useHosts((state) => state.remove);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog title={`Remove “${host.name}”?`} onClose={onClose} testId="host-remove-dialog">
      <form
        className="dialog-body"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          remove(host.id)
            .then(() => {
              toast.success(`Host “${host.name}” removed.`);
              onClose();
            })
            .catch((failure: unknown) => {
              setError(errorMessage(failure));
              setBusy(false);
            });
        }}
      >
        <p>
          Steps whose target is <span className="mono">{host.name}</span> will no longer run until it is added again.
          Recorded runs on it stay in the history.
        </p>
        <DialogActions error={error} onCancel={onClose} submit="Remove host" submitTestId="host-remove-confirm" disabled={busy} variant="danger" />
      </form>
    </Dialog>
  );
}

/** The SSH inventory: the hosts steps can run on, their tags, and the ways to add, check and trust them. */
export function HostsPage() {
  const hosts = useHosts((state) => state.hosts);
  const loaded = useHosts((state) => state.loaded);
  const error = useHosts((state) => state.error);
  const load = useHosts((state) => state.load);
  const [dialog, setDialog] = useState<PageDialog>(null);
  const close = (): void => setDialog(null);

  useEffect(() => {
    void load();
  }, [load]);

  return (
    <div className="page hosts-page" data-testid="hosts-page">
      <div className="page-head">
        <h1>Hosts</h1>
        <span className="muted count">{hosts.length} hosts</span>
        <button type="button" className="btn btn-primary" onClick={() => setDialog({ kind: 'add' })} data-testid="host-add">
          Add host…
        </button>
        <button type="button" className="btn" onClick={() => setDialog({ kind: 'import' })} data-testid="ssh-import">
          Import from ~/.ssh/config…
        </button>
      </div>
      {error && (
        <div className="inline-error" role="alert">
          {error}
        </div>
      )}
      {loaded && hosts.length === 0 && !error && (
        <div className="empty">
          No hosts yet. Add one, or import the hosts of your SSH config; then a run can send its steps to a host or to
          every host of a tag.
        </div>
      )}
      {hosts.length > 0 && (
        <table className="table hosts-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Connects to</th>
              <th>Via</th>
              <th>Tags</th>
              <th>Source</th>
              <th />
            </tr>
          </thead>
          {hosts.map((host) => (
            <HostRow
              key={host.id}
              host={host}
              onEdit={() => setDialog({ kind: 'edit', host })}
              onRemove={() => setDialog({ kind: 'remove', host })}
            />
          ))}
        </table>
      )}
      {(dialog?.kind === 'add' || dialog?.kind === 'edit') && (
        <HostForm key={dialog.kind === 'edit' ? dialog.host.id : 'new'} host={dialog.kind === 'edit' ? dialog.host : null} onClose={close} />
      )}
      {dialog?.kind === 'remove' && <RemoveDialog host={dialog.host} onClose={close} />}
      {dialog?.kind === 'import' && <SshImportDialog onClose={close} />}
    </div>
  );
}
