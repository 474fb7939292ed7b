import { useEffect, useState } from 'react';
import { errorMessage } from '../../components/error-message.js';
import { useApp, type Theme } from '../../stores/app-store.js';
import { toast } from '../../stores/toast-store.js';

/** Who runs are recorded as, the theme, and what this install is (for bug reports and backups). */
export function SettingsPage() {
  const info = useApp((state) => state.info);
  const theme = useApp((state) => state.theme);
  const updateSettings = useApp((state) => state.updateSettings);
  const [operator, setOperator] = useState(info?.settings.operator ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const saved = info?.settings.operator ?? '';

  useEffect(() => {
    setOperator(saved);
  }, [saved]);

  const saveOperator = async (): Promise<void> => {
    setSaving(true);
    setError(null);
    try {
      await updateSettings({ operator: operator.trim() });
      toast.success('Operator name saved.');
    } catch (failure) {
      setError(errorMessage(failure));
    } finally {
      setSaving(false);
    }
  };

  const chooseTheme = (next: Theme): void => {
    void updateSettings({ theme: next }).catch((failure) => setError(errorMessage(failure)));
  };

  return (
    <div className="page settings-page">
      <div className="page-head">
        <h1>Settings</h1>
      </div>
      <div className="panel settings-panel">
        <form
          className="settings-row"
          onSubmit={(event) => {
            event.preventDefault();
            void saveOperator();
          }}
        >
          <label className="field field-block">
            <span>Operator name</span>
            <span className="muted small">Recorded on every run, step and note you make.</span>
            <input
              className="input"
              value={operator}
              maxLength={100}
              onChange={(event) => setOperator(event.target.value)}
              data-testid="settings-operator"
            />
          </label>
          <button
            type="submit"
            className="btn btn-primary"
            disabled={saving || operator.trim() === '' || operator.trim() === saved}
            data-testid="settings-save"
          >
            {saving ? 'Saving…' : 'Save'}
          </button>
        </form>
        <fieldset className="settings-row theme-choice">
          <legend>Theme</legend>
          {(['dark', 'light'] as const).map((option) => (
            <label key={option} className="radio">
              <input
                type="radio"
                name="theme"
                value={option}
                checked={theme === option}
                onChange={() => chooseTheme(option)}
                data-testid={`settings-theme-${option}`}
              />
              {option === 'dark' ? 'Dark' : 'Light'}
            </label>
          ))}
        </fieldset>
        {error && (
          <div className="inline-error" role="alert">
            {error}
          </div>
        )}
      </div>
      <div className="panel">
        <h3>About this install</h3>
        {info ? (
          <dl className="meta" data-testid="app-info">
            <div className="meta-row">
              <dt>Version</dt>
              <dd className="mono">{info.version}</dd>
            </div>
            <div className="meta-row">
              <dt>Mode</dt>
              <dd>{info.mode === 'electron' ? 'Desktop (Electron)' : 'Web (local server)'}</dd>
            </div>
            <div className="meta-row">
              <dt>Machine</dt>
              <dd className="mono">{info.hostname}</dd>
            </div>
            <div className="meta-row">
              <dt>Data directory</dt>
              <dd className="mono">{info.dataDir}</dd>
            </div>
            <div className="meta-row">
              <dt>Device id</dt>
              <dd className="mono">{info.deviceId}</dd>
            </div>
          </dl>
        ) : (
          <div className="muted">Loading…</div>
        )}
      </div>
    </div>
  );
}
