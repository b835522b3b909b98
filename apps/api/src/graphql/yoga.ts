import type { Server } from 'node:http';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { isQunfaError, type Logger } from '@qunfa/core';
import {
  type ExecutionArgs,
  type execute,
  type GraphQLError,
  getOperationAST,
  type subscribe,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { authenticate, bearerToken } from '../auth/api-keys.js';
import { graphiqlOptions, renderLocalGraphiql } from '../http/graphiql.js';
import type { ServiceDeps } from '../services/deps.js';
import { isOwnerKey } from '../services/tenancy/owner.js';
import type { GraphQLContext } from './context.js';
import { useCostLimit } from './cost-limit.js';
import { createMaskError } from './errors.js';
import { useKeyRateLimit } from './key-rate-limit.js';
import { useOperationScope } from './operation-scope.js';
import { resolvePersisted, toGraphQLError, usePersistedOperations } from './persisted-query.js';
import { AutomaticPersistedQueries } from './persisted-query-cache.js';
import { requestPrincipal } from './request-principal.js';
import { schema } from './schema/index.js';
import { useStorableInput } from './storable-input.js';

export const GRAPHQL_PATH = '/graphql';

/**
 * Limits on a document, checked before anything runs (over HTTP and graphql-ws alike): a
 * partner app's query is refused with BAD_USER_INPUT, never allowed to exhaust the server.
 * The deepest query the console and the documented examples make is 6 levels
 * (campaign → deliveries → edges → node → attempts → status); introspection is exempt.
 * Beside these, GraphQL Armor's cost limit (`cost-limit.ts`) weighs the pages each list asks
 * for: a page of 500 deliveries passes, 5 campaigns × 500 deliveries does not. Each field's
 * own page cap (`first` ≤ 500, INVALID_INPUT above) still holds.
 */
export const documentLimitValues = {
  tokens: 5_000,
  depth: 12,
  aliases: 30,
  directives: 30,
} as const;

function documentLimits() {
  const l = documentLimitValues;
  return [
    maxTokensPlugin({ n: l.tokens }),
    maxDepthPlugin({ n: l.depth, flattenFragments: true }),
    maxAliasesPlugin({ n: l.aliases }),
    maxDirectivesPlugin({ n: l.directives }),
  ];
}

interface InitialContext {
  request?: Request;
  connectionParams?: Record<string, unknown>;
}

/** The yoga server, with the automatic persisted-query cache graphql-ws shares. */
type GraphQLServer = YogaServerInstance<InitialContext, GraphQLContext> & {
  persistedQueries: AutomaticPersistedQueries;
};

export function createGraphQLServer(deps: ServiceDeps): GraphQLServer {
  const persistedQueries = new AutomaticPersistedQueries();
  const yoga = createYoga<InitialContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: graphiqlOptions,
    renderGraphiQL: renderLocalGraphiql,
    landingPage: false,
    logging: false,
    // The server guards every body before yoga sees it (guardBodySize: 1 MiB, uploads 50 MiB, a
    // chunked body cut off as it passes); yoga's own 25 MB check re-streamed each body through a
    // TransformStream and a new Request, ~0.4 ms of CPU a request (bench/events, replies over GraphQL).
    maxRequestBodySize: false,
    maskedErrors: { maskError: createMaskError(deps.logger) },
    plugins: [
      usePersistedOperations(deps.db, persistedQueries),
      ...documentLimits(),
      useCostLimit(),
      useStorableInput(),
      useOperationScope(),
      useKeyRateLimit({
        limiter: deps.requestLimiter,
        defaultPerMinute: deps.keyRateLimitPerMinute ?? 600,
        now: () => deps.clock.now(),
      }),
    ],
    context: async (initial): Promise<GraphQLContext> => {
      const header =
        initial.request?.headers.get('authorization') ??
        (typeof initial.connectionParams?.authorization === 'string'
          ? initial.connectionParams.authorization
          : undefined);
      const token = bearerToken(header);
      const owner = isOwnerKey(deps.ownerKey, token) ? ({ owner: true } as const) : null;
      const principal = owner
        ? null
        : initial.request?.headers.get('authorization')
          ? await requestPrincipal(deps.db, initial.request)
          : await authenticate(deps.db, token);
      return { principal, owner, deps };
    },
  });
  return Object.assign(yoga, { persistedQueries });
}

/** Serves GraphQL over graphql-ws on the HTTP server's GraphQL path, through yoga's envelop. */
export function attachWebSocket(
  server: Server,
  yoga: GraphQLServer,
  logger: Logger,
  deps: Pick<ServiceDeps, 'db'>,
  /** Told when a subscription opens (+1) or ends (−1), for metrics. */
  onSubscriptions: (delta: number) => void = () => {},
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH });
  // Open subscriptions per connection, so a dropped connection ends all of its own.
  const open = new WeakMap<object, Set<string>>();
  const end = (ctx: object, id?: string) => {
    const ids = open.get(ctx);
    if (!ids) return;
    for (const each of id === undefined ? [...ids] : [id]) if (ids.delete(each)) onSubscriptions(-1);
  };
  type Root = { execute: typeof execute; subscribe: typeof subscribe };
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Root).execute(args),
      subscribe: (args) => (args.rootValue as Root).subscribe(args),
      onSubscribe: async (ctx, _id, received) => {
        let payload = received;
        try {
          const auth = ctx.connectionParams?.authorization;
          payload = {
            ...received,
            ...(await resolvePersisted(
              deps.db,
              typeof auth === 'string' ? auth : undefined,
              received,
              yoga.persistedQueries,
            )),
          } as typeof received;
        } catch (error) {
          if (isQunfaError(error)) return [toGraphQLError(error)];
          throw error;
        }
        const enveloped = yoga.getEnveloped({
          connectionParams: ctx.connectionParams ?? {},
          params: payload,
        } as InitialContext);
        let document: ReturnType<typeof enveloped.parse>;
        try {
          document = enveloped.parse(payload.query);
          const errors = enveloped.validate(enveloped.schema, document);
          if (errors.length > 0) return errors;
        } catch (error) {
          // A syntax error or a document over the limits (some limits throw): the client's own,
          // answered as this operation's error (a throw here would close the whole connection).
          if (error instanceof Error && error.name === 'GraphQLError') return [error as GraphQLError];
          throw error;
        }
        if (getOperationAST(document, payload.operationName ?? undefined)?.operation === 'subscription') {
          const ids = open.get(ctx) ?? new Set<string>();
          open.set(ctx, ids);
          if (!ids.has(_id)) {
            ids.add(_id);
            onSubscriptions(1);
          }
        }
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          operationName: payload.operationName ?? null,
          document,
          variableValues: payload.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
      onComplete: (ctx, id) => end(ctx, id),
      onClose: (ctx) => end(ctx),
      onError: (_ctx, _id, _payload, errors) => {
        logger.warn('graphql-ws operation failed', { errors: errors.map((e) => e.message) });
      },
    },
    wss,
  );
  return {
    close: async () => {
      for (const client of wss.clients) client.terminate();
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
