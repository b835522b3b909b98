import { isQunfaError, type Logger } from '@qunfa/core';
import { GraphQLError } from 'graphql';
import { databaseFault } from '../db/faults.js';

interface Located {
  originalError?: unknown;
  path?: readonly (string | number)[];
}

/**
 * The error a resolver threw, under however many GraphQL wrappers (the executor may wrap
 * twice, and a second copy of graphql-js defeats instanceof, so this goes by shape).
 */
function rootCause(error: unknown): { cause: unknown; path: readonly (string | number)[] | undefined } {
  let current = error;
  let path: readonly (string | number)[] | undefined;
  while (current && typeof current === 'object' && 'originalError' in current) {
    const located = current as Located;
    path ??= located.path;
    if (!located.originalError) break;
    current = located.originalError;
  }
  return { cause: current, path };
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return error instanceof Error && error.name === 'GraphQLError';
}

/**
 * Turns a QunfaError (or a database out of disk, memory or connections: UNAVAILABLE) into a
 * GraphQL error with a stable `extensions.code`; anything else is masked as INTERNAL and
 * logged, so no stack or SQL reaches a client.
 */
export function createMaskError(logger: Logger) {
  return (error: unknown, message: string): Error => {
    const root = rootCause(error);
    const { path } = root;
    // A full disk or an exhausted server is no bug of ours and no secret: say so, typed.
    const cause = databaseFault(root.cause) ?? root.cause;
    const location = path ? { path } : {};
    if (isQunfaError(cause)) {
      return new GraphQLError(cause.message, {
        ...location,
        extensions: {
          code: cause.code,
          ...(Object.keys(cause.details).length > 0 ? { details: cause.details } : {}),
          ...(cause.plugin ? { plugin: cause.plugin } : {}),
          ...(cause.code === 'UNAUTHENTICATED' ? { http: { status: 401 } } : {}),
        },
      });
    }
    // Errors graphql-js raised itself (syntax, validation, variable coercion) are the client's
    // own and safe to show; a variable coercion error wraps the scalar's TypeError, so it is
    // told apart by having no path (no resolver ran), not by its cause.
    if (isGraphQLError(error) && (cause === error || !path)) {
      if (error.extensions?.code) return error;
      return new GraphQLError(error.message, {
        ...(error.nodes ? { nodes: error.nodes } : {}),
        extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
      });
    }
    logger.error('unexpected error in a resolver', {
      error: cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause),
      cause: cause instanceof Error && cause.cause instanceof Error ? cause.cause.message : undefined,
      path,
    });
    return new GraphQLError(message, { ...location, extensions: { code: 'INTERNAL' } });
  };
}
