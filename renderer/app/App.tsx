import { useEffect } from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary.js';
import { Toasts } from '../components/Toasts.js';
import { assertNever } from '../components/assert-never.js';
import { HistoryPage } from '../features/history/HistoryPage.js';
import { HostsPage } from '../features/hosts/HostsPage.js';
import { LibraryPage } from '../features/library/LibraryPage.js';
import { PromptDialogs } from '../features/prompts/PromptDialogs.js';
import { RunPage } from '../features/run/RunPage.js';
import { RunbookPage } from '../features/runbook/RunbookPage.js';
import { SchedulesPage } from '../features/schedules/SchedulesPage.js';
import { SettingsPage } from '../features/settings/SettingsPage.js';
import { TerminalsPage } from '../features/terminal/TerminalsPage.js';
import { useApp } from '../stores/app-store.js';
import { Header } from './Header.js';
import { formatRoute, href, type Route } from './route.js';
import { useRoute } from './use-route.js';

function View({ route }: { route: Route }) {
  switch (route.name) {
    case 'library':
      return <LibraryPage />;
    case 'runbook':
      return <RunbookPage id={route.id} sectionId={route.sectionId} />;
    case 'run':
      return <RunPage runId={route.runId} />;
    case 'history':
      return <HistoryPage />;
    case 'hosts':
      return <HostsPage />;
    case 'schedules':
      return <SchedulesPage />;
    case 'terminals':
      return <TerminalsPage />;
    case 'settings':
      return <SettingsPage />;
    case 'not-found':
      return (
        <div className="page-message">
          Nothing here. <a href={href.library()}>Back to the library</a>
        </div>
      );
    default:
      return assertNever(route);
  }
}

export function App() {
  const route = useRoute();
  const loadInfo = useApp((state) => state.loadInfo);
  const infoError = useApp((state) => state.infoError);
  useEffect(() => {
    void loadInfo();
  }, [loadInfo]);
  return (
    <div className="app">
      <Header route={route} />
      {infoError && (
        <div className="banner error" role="alert">
          Could not reach Opsdeck: {infoError}
        </div>
      )}
      <main className="app-main">
        <ErrorBoundary resetKey={formatRoute(route)}>
          <View route={route} />
        </ErrorBoundary>
      </main>
      <PromptDialogs />
      <Toasts />
    </div>
  );
}
