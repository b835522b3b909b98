import type { CombinedError } from '@urql/core';

/** Codes the console knows how to word; the API may send others, which are shown as they are. */
export type KnownErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'CAMPAIGN_NOT_FOUND'
  | 'ILLEGAL_TRANSITION'
  | 'INVALID_INPUT'
  | 'COMPLIANCE_BLOCKED'
  | 'INTERNAL'
  | 'NETWORK_ERROR'
  | 'UNKNOWN';

/** The subset of CombinedError this module reads, so tests can pass plain objects. */
export type ErrorLike = Pick<CombinedError, 'graphQLErrors' | 'networkError'> & {
  response?: { status?: number } | undefined;
};

/**
 * The distinct `extensions.code` values of a result's errors, in order.
 * A transport failure without GraphQL errors becomes UNAUTHENTICATED for HTTP 401,
 * FORBIDDEN for 403 and NETWORK_ERROR otherwise; an error without a code becomes UNKNOWN.
 */
export function errorCodes(error: ErrorLike | null | undefined): string[] {
  if (!error) return [];
  const codes: string[] = [];
  for (const graphQLError of error.graphQLErrors) {
    const code = graphQLError.extensions?.code;
    codes.push(typeof code === 'string' && code !== '' ? code : 'UNKNOWN');
  }
  if (codes.length === 0) {
    const status = error.response?.status;
    if (status === 401) codes.push('UNAUTHENTICATED');
    else if (status === 403) codes.push('FORBIDDEN');
    else if (error.networkError) codes.push('NETWORK_ERROR');
    else codes.push('UNKNOWN');
  }
  return [...new Set(codes)];
}

/** Whether any of the error's codes is `code`. */
export function hasErrorCode(error: ErrorLike | null | undefined, code: KnownErrorCode): boolean {
  return errorCodes(error).includes(code);
}
