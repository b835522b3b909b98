import { QunfaError } from '@qunfa/core';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { authenticate, bearerToken } from '../auth/api-keys.js';
import type { Db } from '../db/database.js';
import { documentHash, persistedDocument } from '../services/tenancy/persisted-operations.js';

interface Params {
  query?: string | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

/**
 * For a persisted-only key: the document to run, from `extensions.persistedQuery.sha256Hash`
 * (a `query` sent beside it must be that very document). Others: the params unchanged.
 * Throws PERSISTED_QUERY_ONLY for anything not on the workspace's allow-list.
 */
export async function resolvePersisted(
  db: Db,
  authorization: string | null | undefined,
  params: Params,
): Promise<Params> {
  const principal = await authenticate(db, bearerToken(authorization));
  if (!principal?.persistedOnly) return params;
  const persisted = params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined;
  const hash = typeof persisted?.sha256Hash === 'string' ? persisted.sha256Hash : undefined;
  const document = hash ? await persistedDocument(db, principal.workspaceId, hash) : undefined;
  if (!document || (params.query && documentHash(params.query) !== hash)) {
    throw new QunfaError(
      'PERSISTED_QUERY_ONLY',
      'this key runs only persisted operations: send extensions.persistedQuery.sha256Hash of a registered document',
      { details: { hash: hash ?? null } },
    );
  }
  return { ...params, query: document };
}

export function toGraphQLError(error: QunfaError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: error.code, details: error.details, http: { status: 403 } },
  });
}

/** Persisted-operation mode over HTTP and SSE (graphql-ws calls `resolvePersisted` itself). */
export function usePersistedOnly(db: Db): Plugin {
  return {
    async onParams({ params, request, setParams, setResult }) {
      try {
        setParams(
          (await resolvePersisted(db, request.headers.get('authorization'), params)) as typeof params,
        );
      } catch (error) {
        if (!(error instanceof QunfaError)) throw error;
        setResult({ errors: [toGraphQLError(error)] });
      }
    },
  };
}
