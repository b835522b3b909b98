import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorDetails } from './error-detail.js';

describe('errorDetails', () => {
  it('keeps the server message beside each code', () => {
    const error = {
      graphQLErrors: [
        new GraphQLError('campaign 7 is running', { extensions: { code: 'ILLEGAL_TRANSITION' } }),
        new GraphQLError('campaign 7 is running', { extensions: { code: 'ILLEGAL_TRANSITION' } }),
        new GraphQLError('boom'),
      ],
      networkError: undefined,
    };
    expect(errorDetails(error)).toEqual([
      { code: 'ILLEGAL_TRANSITION', message: 'campaign 7 is running' },
      { code: 'UNKNOWN', message: 'boom' },
    ]);
  });

  it('names a transport failure by its status', () => {
    expect(errorDetails({ graphQLErrors: [], networkError: new Error('refused') })).toEqual([
      { code: 'NETWORK_ERROR', message: 'refused' },
    ]);
    expect(errorDetails(null)).toEqual([]);
  });
});
