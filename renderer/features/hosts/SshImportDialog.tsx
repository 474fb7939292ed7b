import { useCallback, useEffect, useState } from 'react';
import type { SshConfigPreview } from '../../../shared/contract/hosts.js';
import { Dialog } from '../../components/Dialog.js';
import { errorMessage } from '../../components/error-message.js';
import { plural } from '../../components/format.js';
import { useHosts } from '../../stores/hosts-store.js';
import { toast } from '../../stores/toast-store.js';
import { formatEndpoint } from './host-form.js';

/**
 * Bringing hosts in from an ssh_config file: read it (empty path: ~/.ssh/config), show what would become hosts
 * and what cannot (wildcard patterns, Match blocks) with why, and save only the ticked ones. New hosts start ticked;
 * ones already in the inventory start unticked, since importing them again replaces what was edited here.
 */
export function SshImportDialog({ onClose }: { onClose(): void }) {
  const preview = useHosts((state) => state.preview);
  const importSshConfig = useHosts((state) => state.importSshConfig);
  const [path, setPath] = useState('');
  const [result, setResult] = useState<SshConfigPreview | null>(null);
  const [readPath, setReadPath] = useState('');
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [loading, setLoading] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(
    async (from: string): Promise<void> => {
      setLoading(true);
      setError(null);
      try {
        const next = await preview(from);
        setResult(next);
        setReadPath(from);
        setChecked(new Set(next.hosts.filter((host) => !host.exists).map((host) => host.name)));
      } catch (failure) {
        setResult(null);
        setError(errorMessage(failure));
      } finally {
        setLoading(false);
      }
    },
    [preview],
  );

  useEffect(() => {
    void load('');
  }, [load]);

  const toggle = (name: string, on: boolean): void => {
    const next = new Set(checked);
    if (on) next.add(name);
    else next.delete(name);
    setChecked(next);
  };

  const save = async (): Promise<void> => {
    if (!result || checked.size === 0) return;
    setSaving(true);
    setError(null);
    try {
      const names = result.hosts.filter((host) => checked.has(host.name)).map((host) => host.name);
      const saved = await importSshConfig(readPath, names);
      toast.success(`Imported ${plural(saved.length, 'host')} from ${result.file}.`);
      onClose();
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setSaving(false);
    }
  };

  const hosts = result?.hosts ?? [];
  const allChecked = hosts.length > 0 && hosts.every((host) => checked.has(host.name));

  return (
    <Dialog title="Import hosts from an SSH config" onClose={onClose} testId="ssh-import-dialog">
      <div className="dialog-body ssh-import">
        <form
          className="ssh-import-path"
          onSubmit={(event) => {
            event.preventDefault();
            void load(path);
          }}
        >
          <input
            className="input mono"
            placeholder="~/.ssh/config"
            aria-label="SSH config file"
            spellCheck={false}
            value={path}
            onChange={(event) => setPath(event.target.value)}
            data-testid="ssh-import-path"
          />
          <button type="submit" className="btn" disabled={loading} data-testid="ssh-import-preview">
            {loading ? 'Reading…' : 'Read'}
          </button>
        </form>
        {result && (
          <div className="muted small">
            From <span className="mono">{result.file}</span>: {plural(hosts.length, 'host')}
            {result.skipped.length > 0 ? `, ${result.skipped.length} skipped` : ''}
          </div>
        )}
        {hosts.length > 0 && (
          <div className="ssh-import-list">
            <table className="table">
              <thead>
                <tr>
                  <th>
                    <input
                      type="checkbox"
                      aria-label="Select all"
                      checked={allChecked}
                      onChange={(event) => setChecked(new Set(event.target.checked ? hosts.map((host) => host.name) : []))}
                    />
                  </th>
                  <th>Name</th>
                  <th>Connects to</th>
                  <th>Via</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {hosts.map((host) => (
                  <tr key={host.name} data-testid="ssh-import-row" data-name={host.name} data-exists={host.exists}>
                    <td>
                      <input
                        type="checkbox"
                        aria-label={`Import ${host.name}`}
                        checked={checked.has(host.name)}
                        onChange={(event) => toggle(host.name, event.target.checked)}
                      />
                    </td>
                    <td className="mono">{host.name}</td>
                    <td className="mono">{formatEndpoint(host)}</td>
                    <td className="mono">{host.jump.join(', ')}</td>
                    <td>{host.exists && <span className="badge tone-warn" title="Already in the inventory: importing replaces its connection settings">update</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {result && hosts.length === 0 && <div className="empty">No concrete hosts in this file.</div>}
        {result && result.skipped.length > 0 && (
          <details className="ssh-import-skipped" data-testid="ssh-import-skipped" open>
            <summary>Skipped ({result.skipped.length})</summary>
            <ul>
              {result.skipped.map((item) => (
                <li key={`${item.pattern}|${item.reason}`}>
                  <span className="mono">{item.pattern}</span> <span className="muted">{item.reason}</span>
                </li>
              ))}
            </ul>
          </details>
        )}
        {error && (
          <div className="inline-error" role="alert" data-testid="ssh-import-error">
            {error}
          </div>
        )}
        <div className="dialog-buttons">
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={saving || loading || checked.size === 0}
            onClick={() => void save()}
            data-testid="ssh-import-save"
          >
            {saving ? 'Importing…' : `Import ${plural(checked.size, 'host')}`}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
