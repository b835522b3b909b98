import { CombinedError } from '@urql/core';
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorCodes, hasErrorCode } from './error-code.js';

describe('errorCodes', () => {
  it('returns nothing without an error', () => {
    expect(errorCodes(undefined)).toEqual([]);
    expect(errorCodes(null)).toEqual([]);
  });

  it('reads extensions.code of each GraphQL error, without duplicates', () => {
    const error = new CombinedError({
      graphQLErrors: [
        new GraphQLError('无效的 API 密钥', { extensions: { code: 'UNAUTHENTICATED' } }),
        new GraphQLError('again', { extensions: { code: 'UNAUTHENTICATED' } }),
        new GraphQLError('no such campaign', { extensions: { code: 'CAMPAIGN_NOT_FOUND' } }),
      ],
    });
    expect(errorCodes(error)).toEqual(['UNAUTHENTICATED', 'CAMPAIGN_NOT_FOUND']);
  });

  it('accepts plain error objects as urql builds them from a JSON response', () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: 'x', extensions: { code: 'ILLEGAL_TRANSITION' } }],
    });
    expect(errorCodes(error)).toEqual(['ILLEGAL_TRANSITION']);
    expect(hasErrorCode(error, 'ILLEGAL_TRANSITION')).toBe(true);
    expect(hasErrorCode(error, 'FORBIDDEN')).toBe(false);
  });

  it('never looks at message text', () => {
    const error = new CombinedError({ graphQLErrors: [new GraphQLError('UNAUTHENTICATED')] });
    expect(errorCodes(error)).toEqual(['UNKNOWN']);
  });

  it('maps a network failure by HTTP status, else to NETWORK_ERROR', () => {
    const offline = new CombinedError({ networkError: new Error('Failed to fetch') });
    expect(errorCodes(offline)).toEqual(['NETWORK_ERROR']);
    const unauthorised = new CombinedError({
      networkError: new Error('Unauthorized'),
      response: { status: 401 },
    });
    expect(errorCodes(unauthorised)).toEqual(['UNAUTHENTICATED']);
    const forbidden = new CombinedError({ networkError: new Error('Forbidden'), response: { status: 403 } });
    expect(errorCodes(forbidden)).toEqual(['FORBIDDEN']);
  });
});
