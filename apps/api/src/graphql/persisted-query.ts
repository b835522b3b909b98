import { QunfaError } from '@qunfa/core';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { authenticate, bearerToken } from '../auth/api-keys.js';
import type { Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { documentHash, persistedDocument } from '../services/tenancy/persisted-operations.js';
import type { AutomaticPersistedQueries } from './persisted-query-cache.js';
import { requestPrincipal } from './request-principal.js';

interface Params {
  query?: string | undefined;
  extensions?: Record<string, unknown> | null | undefined;
}

/** `extensions.persistedQuery` of a request, checked; undefined when there is none. */
function persistedHash(params: Params): string | undefined {
  const persisted = params.extensions?.persistedQuery;
  if (persisted == null) return undefined;
  const { sha256Hash, version } = persisted as { sha256Hash?: unknown; version?: unknown };
  if (
    typeof persisted !== 'object' ||
    typeof sha256Hash !== 'string' ||
    !/^[0-9a-f]{64}$/i.test(sha256Hash)
  ) {
    throw new QunfaError(
      'INVALID_INPUT',
      'extensions.persistedQuery.sha256Hash must be the SHA-256 of the document, 64 hex digits',
      { details: { field: 'extensions.persistedQuery.sha256Hash' } },
    );
  }
  if (version !== undefined && version !== 1) {
    throw new QunfaError('INVALID_INPUT', 'extensions.persistedQuery.version must be 1', {
      details: { field: 'extensions.persistedQuery.version' },
    });
  }
  return sha256Hash.toLowerCase();
}

const notFound = (hash: string) =>
  // The message is the one Apollo's persisted-query links look for before resending with the text.
  new QunfaError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { details: { hash } });

/**
 * Persisted operations, by the Apollo APQ convention (`extensions.persistedQuery.sha256Hash`,
 * version 1), resolved to the document to run:
 * - a hash alone runs the workspace's registered document of that hash (or, for keys not
 *   limited to the allow-list, one this process saw sent with its text); an unknown hash is
 *   PERSISTED_QUERY_NOT_FOUND, and the client may resend it with the text;
 * - a hash with a `query` must be that query's hash (INVALID_INPUT otherwise);
 * - a persisted-only key runs registered documents only: anything else is PERSISTED_QUERY_ONLY.
 */
export async function resolvePersisted(
  db: Db,
  authorization: string | null | undefined,
  params: Params,
  cache: AutomaticPersistedQueries,
  principalOf: () => Promise<Principal | null> = () => authenticate(db, bearerToken(authorization)),
): Promise<Params> {
  const hash = persistedHash(params);
  const principal = await principalOf();
  if (!principal?.persistedOnly && hash === undefined) return params;
  const query = params.query ? params.query : undefined;
  const registered = principal && hash ? await persistedDocument(db, principal.workspaceId, hash) : undefined;
  if (principal?.persistedOnly) {
    if (hash !== undefined && query === undefined && registered === undefined) throw notFound(hash);
    if (registered === undefined || (query !== undefined && documentHash(query) !== hash)) {
      throw new QunfaError(
        'PERSISTED_QUERY_ONLY',
        'this key runs only persisted operations: send extensions.persistedQuery.sha256Hash of a registered document',
        { details: { hash: hash ?? null } },
      );
    }
    return { ...params, query: registered };
  }
  const scope = principal ? String(principal.workspaceId) : 'anonymous';
  if (query === undefined) {
    const document = registered ?? cache.get(scope, hash!);
    if (document === undefined) throw notFound(hash!);
    return { ...params, query: document };
  }
  if (documentHash(query) !== hash) {
    throw new QunfaError(
      'INVALID_INPUT',
      'extensions.persistedQuery.sha256Hash is not the hash of the query',
      {
        details: { field: 'extensions.persistedQuery.sha256Hash', hash: hash! },
      },
    );
  }
  cache.set(scope, hash!, query);
  return params;
}

const statusOf: Partial<Record<string, number>> = {
  PERSISTED_QUERY_ONLY: 403,
  INVALID_INPUT: 400,
  // 200, as Apollo Server answers it: clients treat a 400 as "persisted queries unsupported".
  PERSISTED_QUERY_NOT_FOUND: 200,
};

export function toGraphQLError(error: QunfaError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: {
      code: error.code,
      details: error.details,
      http: {
        status: statusOf[error.code] ?? 400,
        // The answer changes once the document is sent or registered: no cache may keep it.
        headers: { 'cache-control': 'private, no-cache, must-revalidate' },
      },
    },
  });
}

/** Persisted operations over HTTP and SSE (graphql-ws calls `resolvePersisted` itself). */
export function usePersistedOperations(db: Db, cache: AutomaticPersistedQueries): Plugin {
  return {
    async onParams({ params, request, setParams }) {
      try {
        setParams(
          (await resolvePersisted(db, request.headers.get('authorization'), params, cache, () =>
            requestPrincipal(db, request),
          )) as typeof params,
        );
      } catch (error) {
        // Thrown, not set as the result: a set result would still meet yoga's own check of the
        // params, which answers a hash-only request with BAD_REQUEST ("Must provide query string").
        if (error instanceof QunfaError) throw toGraphQLError(error);
        throw error;
      }
    },
  };
}
