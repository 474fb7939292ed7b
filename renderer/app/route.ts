/**
 * The app's few places as data, read from and written to `location.hash`. A hash router keeps every view a
 * bookmarkable URL that works from file:// in Electron and from the web host, with no router dependency.
 */
import { assertNever } from '../components/assert-never.js';

export type Route =
  | { name: 'library' }
  | { name: 'runbook'; id: string; sectionId: string | null }
  | { name: 'run'; runId: string }
  | { name: 'history' }
  | { name: 'hosts' }
  | { name: 'schedules' }
  | { name: 'terminals' }
  | { name: 'settings' }
  | { name: 'not-found'; hash: string };

function decode(part: string): string | null {
  try {
    const value = decodeURIComponent(part);
    return value.length > 0 ? value : null;
  } catch {
    return null;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').replace(/^\/+/, '').replace(/\/+$/, '');
  if (path === '' || path === 'library') return { name: 'library' };
  if (path === 'history') return { name: 'history' };
  if (path === 'hosts') return { name: 'hosts' };
  if (path === 'schedules') return { name: 'schedules' };
  if (path === 'terminals') return { name: 'terminals' };
  if (path === 'settings') return { name: 'settings' };
  const parts = path.split('/');
  const [head, first, keyword, second] = parts;
  if (head === 'runbook' && first !== undefined) {
    const id = decode(first);
    if (id !== null && parts.length === 2) return { name: 'runbook', id, sectionId: null };
    if (id !== null && parts.length === 4 && keyword === 'section' && second !== undefined) {
      const sectionId = decode(second);
      if (sectionId !== null) return { name: 'runbook', id, sectionId };
    }
  }
  if (head === 'run' && first !== undefined && parts.length === 2) {
    const runId = decode(first);
    if (runId !== null) return { name: 'run', runId };
  }
  return { name: 'not-found', hash };
}

export function formatRoute(route: Route): string {
  switch (route.name) {
    case 'library':
    case 'history':
    case 'hosts':
    case 'schedules':
    case 'terminals':
    case 'settings':
      return `#/${route.name}`;
    case 'runbook': {
      const base = `#/runbook/${encodeURIComponent(route.id)}`;
      return route.sectionId === null ? base : `${base}/section/${encodeURIComponent(route.sectionId)}`;
    }
    case 'run':
      return `#/run/${encodeURIComponent(route.runId)}`;
    case 'not-found':
      return route.hash;
    default:
      return assertNever(route);
  }
}

export const href = {
  library: (): string => formatRoute({ name: 'library' }),
  history: (): string => formatRoute({ name: 'history' }),
  hosts: (): string => formatRoute({ name: 'hosts' }),
  schedules: (): string => formatRoute({ name: 'schedules' }),
  terminals: (): string => formatRoute({ name: 'terminals' }),
  settings: (): string => formatRoute({ name: 'settings' }),
  runbook: (id: string, sectionId: string | null = null): string => formatRoute({ name: 'runbook', id, sectionId }),
  run: (runId: string): string => formatRoute({ name: 'run', runId }),
};
