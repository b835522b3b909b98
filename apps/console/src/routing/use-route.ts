import { useSyncExternalStore } from 'react';
import { parseRoute, type Route } from './route.js';

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

function getHash(): string {
  return window.location.hash;
}

/** The current route, following the URL hash. */
export function useRoute(): Route {
  return parseRoute(useSyncExternalStore(subscribe, getHash));
}
