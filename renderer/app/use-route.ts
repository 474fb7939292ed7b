/** The current route, re-read on every `hashchange`; `navigate` writes a new hash (which adds a history entry). */
import { useSyncExternalStore } from 'react';
import { parseRoute, type Route } from './route.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const readHash = (): string => window.location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, readHash);
  return parseRoute(hash);
}

export function navigate(hash: string): void {
  if (window.location.hash !== hash) window.location.hash = hash;
}
