import type { Server } from 'node:http';
import type { Logger } from '@qunfa/core';
import type { ExecutionArgs, execute, subscribe } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { WebSocketServer } from 'ws';
import { authenticate, bearerToken } from '../auth/api-keys.js';
import type { ServiceDeps } from '../services/deps.js';
import type { GraphQLContext } from './context.js';
import { createMaskError } from './errors.js';
import { schema } from './schema/index.js';

export const GRAPHQL_PATH = '/graphql';

interface InitialContext {
  request?: Request;
  connectionParams?: Record<string, unknown>;
}

export function createGraphQLServer(deps: ServiceDeps): YogaServerInstance<InitialContext, GraphQLContext> {
  return createYoga<InitialContext, GraphQLContext>({
    schema,
    graphqlEndpoint: GRAPHQL_PATH,
    graphiql: { subscriptionsProtocol: 'WS', title: 'Qunfa GraphQL' },
    landingPage: false,
    logging: false,
    maskedErrors: { maskError: createMaskError(deps.logger) },
    context: async (initial): Promise<GraphQLContext> => {
      const header =
        initial.request?.headers.get('authorization') ??
        (typeof initial.connectionParams?.authorization === 'string'
          ? initial.connectionParams.authorization
          : undefined);
      return { principal: await authenticate(deps.db, bearerToken(header)), deps };
    },
  });
}

/** Serves GraphQL over graphql-ws on the HTTP server's GraphQL path, through yoga's envelop. */
export function attachWebSocket(
  server: Server,
  yoga: YogaServerInstance<InitialContext, GraphQLContext>,
  logger: Logger,
): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: GRAPHQL_PATH });
  type Root = { execute: typeof execute; subscribe: typeof subscribe };
  const disposable = useServer(
    {
      execute: (args) => (args.rootValue as Root).execute(args),
      subscribe: (args) => (args.rootValue as Root).subscribe(args),
      onSubscribe: async (ctx, _id, payload) => {
        const enveloped = yoga.getEnveloped({
          connectionParams: ctx.connectionParams ?? {},
          params: payload,
        } as InitialContext);
        const document = enveloped.parse(payload.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length > 0) return errors;
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
