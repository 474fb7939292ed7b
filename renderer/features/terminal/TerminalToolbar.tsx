import { useEffect, useState } from 'react';
import { Popover } from '../../components/Popover.js';
import { useHosts } from '../../stores/hosts-store.js';
import { useTerminalSettings } from '../../stores/terminal-settings-store.js';
import { FONT_SIZE_MAX, FONT_SIZE_MIN, SCROLLBACK_MAX, SCROLLBACK_MIN } from '../../stores/terminal-settings.js';
import { useTerminals, type TermTab } from '../../stores/terminal-store.js';
import { describeSpec, takeLastClosed } from '../../stores/terminal-tabs.js';
import { openTerminal, reopenTerminal } from './terminal-actions.js';

/** The run a terminal can record into: the one open in the run view. */
export interface PanelRun {
  id: string;
  /** Still running; a finished run's history takes no more transcripts. */
  active: boolean;
}

function CwdForm({ close }: { close(): void }) {
  const [cwd, setCwd] = useState('');
  return (
    <form
      className="popover-form"
      onSubmit={(event) => {
        event.preventDefault();
        close();
        void openTerminal(cwd.trim() ? { kind: 'local', cwd: cwd.trim() } : { kind: 'local' });
      }}
    >
      <label className="field field-block">
        <span className="field-label">Working directory</span>
        <input
          className="input mono"
          placeholder="~ (home)"
          spellCheck={false}
          autoComplete="off"
          autoFocus
          value={cwd}
          onChange={(event) => setCwd(event.target.value)}
          data-testid="terminal-cwd"
        />
      </label>
      <button type="submit" className="btn btn-small btn-primary" data-testid="terminal-open-local-cwd">
        Open shell
      </button>
    </form>
  );
}

/** A number field that saves only values in range, and shows the saved value again when left invalid. */
function NumberSetting(props: { label: string; value: number; min: number; max: number; testId: string; onChange(value: number): void }) {
  const [typed, setTyped] = useState(String(props.value));
  useEffect(() => setTyped(String(props.value)), [props.value]);
  const parsed = Number(typed);
  const valid = typed.trim() !== '' && Number.isInteger(parsed) && parsed >= props.min && parsed <= props.max;
  return (
    <label className="field field-block">
      <span className="field-label">
        {props.label} ({props.min}–{props.max})
      </span>
      <input
        className={`input mono${valid ? '' : ' invalid'}`}
        type="number"
        min={props.min}
        max={props.max}
        value={typed}
        aria-invalid={valid ? undefined : true}
        onChange={(event) => {
          setTyped(event.target.value);
          const value = Number(event.target.value);
          if (Number.isInteger(value) && value >= props.min && value <= props.max) props.onChange(value);
        }}
        onBlur={() => setTyped(String(props.value))}
        data-testid={props.testId}
      />
    </label>
  );
}

function SettingsMenu({ dock }: { dock: boolean }) {
  const settings = useTerminalSettings();
  return (
    <div className="popover-form">
      <NumberSetting label="Font size" value={settings.fontSize} min={FONT_SIZE_MIN} max={FONT_SIZE_MAX} testId="terminal-font-size" onChange={settings.setFontSize} />
      <NumberSetting
        label="Scrollback lines"
        value={settings.scrollback}
        min={SCROLLBACK_MIN}
        max={SCROLLBACK_MAX}
        testId="terminal-scrollback"
        onChange={settings.setScrollback}
      />
      {dock && (
        <label className="field field-block">
          <span className="field-label">Dock in the run view</span>
          <select className="input" value={settings.dock} onChange={(event) => settings.setDock(event.target.value === 'right' ? 'right' : 'bottom')} data-testid="terminal-dock-side">
            <option value="bottom">Below the checklist</option>
            <option value="right">Beside the checklist</option>
          </select>
        </label>
      )}
    </div>
  );
}

function RecordToggle({ run, tab }: { run: PanelRun; tab: TermTab | null }) {
  const record = useTerminals((state) => state.record);
  const [busy, setBusy] = useState(false);
  const here = tab !== null && tab.recordingRunId === run.id;
  const elsewhere = tab !== null && tab.recordingRunId !== null && !here;
  const title = !tab
    ? 'Open a terminal to record it'
    : here
      ? 'Recording this terminal’s transcript into this run’s history; click to stop'
      : !run.active
        ? 'This run has ended'
        : tab.exited
          ? 'This terminal has exited'
          : elsewhere
            ? 'Recording into another run; click to record into this one instead'
            : 'Record this terminal’s transcript, timestamped, into this run’s history';
  return (
    <button
      type="button"
      className={`btn btn-small term-record${here ? ' on' : ''}`}
      aria-pressed={here}
      disabled={busy || tab === null || (!here && (!run.active || tab.exited))}
      title={title}
      onClick={() => {
        if (!tab) return;
        setBusy(true);
        void record(tab.id, here ? null : run.id).finally(() => setBusy(false));
      }}
      data-testid="terminal-record"
    >
      <span className="term-record-dot" aria-hidden="true" />
      Record to this run
    </button>
  );
}

/** Opening terminals (local, in a directory, SSH to an inventory host, the last one closed) and the panel's controls. */
export function TerminalToolbar({ variant, run, active }: { variant: 'dock' | 'page'; run: PanelRun | null; active: TermTab | null }) {
  const hosts = useHosts((state) => state.hosts);
  const loaded = useHosts((state) => state.loaded);
  const loadHosts = useHosts((state) => state.load);
  const closed = useTerminals((state) => state.closed);
  const opening = useTerminals((state) => state.opening > 0);
  const setSearchOpen = useTerminals((state) => state.setSearchOpen);
  const collapsed = useTerminalSettings((state) => state.collapsed);
  const hasTabs = useTerminals((state) => state.tabs.length > 0);
  const setCollapsed = useTerminalSettings((state) => state.setCollapsed);
  const last = takeLastClosed(closed).tab;

  useEffect(() => {
    if (!loaded) void loadHosts();
  }, [loaded, loadHosts]);

  return (
    <div className="term-toolbar">
      <button
        type="button"
        className="btn btn-small"
        disabled={opening}
        title="Open a shell on this machine"
        onClick={() => void openTerminal({ kind: 'local' })}
        data-testid="terminal-open-local"
      >
        + Shell
      </button>
      <Popover label="+ Shell in…" title="Open a shell in a directory" testId="terminal-open-local-in">
        {(close) => <CwdForm close={close} />}
      </Popover>
      <select
        className="input term-ssh-select"
        value=""
        disabled={opening}
        title={hosts.length === 0 ? 'No hosts in the inventory yet (Hosts page)' : 'Open an SSH shell on a host of the inventory'}
        aria-label="Open an SSH shell on a host"
        onChange={(event) => {
          const host = event.target.value;
          if (host) void openTerminal({ kind: 'ssh', host });
        }}
        data-testid="terminal-open-ssh"
      >
        <option value="">SSH to…</option>
        {hosts.map((host) => (
          <option key={host.id} value={host.name}>
            {host.name}
          </option>
        ))}
      </select>
      <button
        type="button"
        className="btn btn-small"
        disabled={last === null || opening}
        title={last ? `Reopen the last closed terminal (${describeSpec(last.spec)})` : 'No closed terminal to reopen'}
        onClick={() => void reopenTerminal()}
        data-testid="terminal-reopen"
      >
        ↺ Reopen
      </button>
      {run && <RecordToggle run={run} tab={active} />}
      <span className="term-toolbar-end">
        <button
          type="button"
          className="btn btn-small"
          disabled={active === null}
          title="Find in terminal (Ctrl+Shift+F)"
          aria-label="Find in terminal"
          onClick={() => {
            if (variant === 'dock') setCollapsed(false);
            setSearchOpen(true);
          }}
          data-testid="terminal-search-open"
        >
          Find
        </button>
        <Popover label="⚙" title="Terminal settings" testId="terminal-settings">
          {() => <SettingsMenu dock={variant === 'dock'} />}
        </Popover>
        {variant === 'dock' && hasTabs && (
          <button
            type="button"
            className="btn btn-small"
            title={collapsed ? 'Show the terminal' : 'Hide the terminal (keeps it running)'}
            aria-label={collapsed ? 'Show the terminal' : 'Hide the terminal'}
            aria-expanded={!collapsed}
            onClick={() => setCollapsed(!collapsed)}
            data-testid="terminal-collapse"
          >
            {collapsed ? '▴' : '▾'}
          </button>
        )}
      </span>
    </div>
  );
}
