import type { ConnectionState } from '../api/connection.js';
import { useApp } from '../stores/app-store.js';
import { toast } from '../stores/toast-store.js';
import { errorMessage } from '../components/error-message.js';
import { href, type Route } from './route.js';

const CONNECTION_LABEL: Record<ConnectionState, string> = {
  connecting: 'Connecting…',
  connected: 'Connected',
  reconnecting: 'Reconnecting…',
};

interface Props {
  route: Route;
}

type NavKey = 'library' | 'history' | 'schedules' | 'hosts' | 'terminals' | 'settings';

function section(route: Route): NavKey | null {
  if (route.name === 'library' || route.name === 'runbook') return 'library';
  if (route.name === 'history' || route.name === 'run') return 'history';
  if (route.name === 'schedules') return 'schedules';
  if (route.name === 'hosts') return 'hosts';
  if (route.name === 'terminals') return 'terminals';
  if (route.name === 'settings') return 'settings';
  return null;
}

export function Header({ route }: Props) {
  const info = useApp((state) => state.info);
  const theme = useApp((state) => state.theme);
  const connection = useApp((state) => state.connection);
  const updateSettings = useApp((state) => state.updateSettings);
  const active = section(route);
  const nav: Array<{ key: NavKey; label: string; to: string }> = [
    { key: 'library', label: 'Library', to: href.library() },
    { key: 'history', label: 'History', to: href.history() },
    { key: 'schedules', label: 'Schedules', to: href.schedules() },
    { key: 'hosts', label: 'Hosts', to: href.hosts() },
    { key: 'terminals', label: 'Terminals', to: href.terminals() },
    { key: 'settings', label: 'Settings', to: href.settings() },
  ];
  const nextTheme = theme === 'dark' ? 'light' : 'dark';
  return (
    <header className="app-header">
      <a className="app-name" href={href.library()}>
        Opsdeck
      </a>
      <nav className="app-nav" aria-label="Main">
        {nav.map((item) => (
          <a
            key={item.key}
            href={item.to}
            className={active === item.key ? 'active' : undefined}
            aria-current={active === item.key ? 'page' : undefined}
            data-testid={`nav-${item.key}`}
          >
            {item.label}
          </a>
        ))}
      </nav>
      <div className="header-right">
        <span className="operator" title="Recorded as the operator of runs" data-testid="operator-name">
          {info?.settings.operator ?? ''}
        </span>
        <button
          type="button"
          className="btn btn-small"
          data-testid="theme-toggle"
          aria-label={`Switch to ${nextTheme} theme`}
          title={`Switch to ${nextTheme} theme`}
          onClick={() => void updateSettings({ theme: nextTheme }).catch((error) => toast.error(errorMessage(error)))}
        >
          {theme === 'dark' ? '☾ Dark' : '☀ Light'}
        </button>
        <span className="connection" data-testid="connection-status" data-state={connection} title={CONNECTION_LABEL[connection]}>
          <span className={`dot dot-${connection}`} aria-hidden="true" />
          <span className="connection-label">{CONNECTION_LABEL[connection]}</span>
        </span>
      </div>
    </header>
  );
}
