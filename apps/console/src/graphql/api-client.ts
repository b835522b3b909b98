import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { GRAPHQL_PATH, graphqlWsUrl } from './ws-url.js';

export interface ApiClient {
  client: Client;
  /** Calls `listener` each time the WebSocket connects again after losing its connection. */
  onReconnect(listener: () => void): () => void;
  /** Closes the WebSocket; the client must not be used afterwards. */
  dispose(): void;
}

export interface ApiClientOptions {
  apiKey: string;
  /** The page's location; the WebSocket URL is derived from it. */
  location: Pick<Location, 'protocol' | 'host'>;
  /** For tests under Node, which has no global WebSocket; browsers use theirs. */
  webSocketImpl?: unknown;
  /** Milliseconds to wait before reconnect attempt `retries` (0-based). */
  retryWait?: (retries: number) => number;
}

const MAX_RETRY_WAIT_MS = 10_000;

/** Waits 1 s, 2 s, 4 s … up to 10 s, with jitter so that many consoles do not reconnect at once. */
export function retryWaitMs(retries: number, random: () => number = Math.random): number {
  return Math.min(MAX_RETRY_WAIT_MS, 1000 * 2 ** retries) + Math.floor(random() * 1000);
}

/**
 * An urql client for one API key: queries and mutations over HTTP to `/graphql`,
 * subscriptions over graphql-ws on the same origin. No document cache: every screen reads
 * from the network, as counters must be exact.
 */
export function createApiClient(options: ApiClientOptions): ApiClient {
  const { apiKey, location, webSocketImpl, retryWait = retryWaitMs } = options;
  const authorization = `Bearer ${apiKey}`;
  const reconnectListeners = new Set<() => void>();
  const wsClient = createWsClient({
    url: graphqlWsUrl(location),
    connectionParams: { authorization },
    lazy: true,
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, retryWait(retries))),
    ...(webSocketImpl ? { webSocketImpl } : {}),
    on: {
      connected: (_socket, _payload, wasRetry) => {
        if (!wasRetry) return;
        for (const listener of reconnectListeners) listener();
      },
    },
  });

  const client = new Client({
    url: GRAPHQL_PATH,
    preferGetMethod: false,
    requestPolicy: 'network-only',
    fetchOptions: () => ({ headers: { authorization } }),
    exchanges: [
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = wsClient.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });

  return {
    client,
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    dispose() {
      reconnectListeners.clear();
      void wsClient.dispose();
    },
  };
}
