/** The same-origin GraphQL path, for HTTP and WebSocket alike. */
export const GRAPHQL_PATH = '/graphql';

/** The WebSocket URL of the GraphQL endpoint on the page's own origin (wss: behind https:). */
export function graphqlWsUrl(location: Pick<Location, 'protocol' | 'host'>, path = GRAPHQL_PATH): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${path}`;
}
