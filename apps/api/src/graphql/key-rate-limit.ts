import { QunfaError, type RateLimiter } from '@qunfa/core';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GraphQLContext } from './context.js';

export interface KeyRateLimitOptions {
  limiter: RateLimiter;
  /** Requests a minute for keys that set none. */
  defaultPerMinute: number;
  now?: () => Date;
}

/**
 * Per-key request limits, a token bucket of `perMinute` refilled evenly: over it, the operation
 * is refused with RATE_LIMITED, `retryAfterMs`, HTTP 429 and `Retry-After`. Through the app's
 * rate limiter, so with REDIS_URL a key's budget holds across every API process.
 */
export function useKeyRateLimit(options: KeyRateLimitOptions): Plugin<GraphQLContext> {
  const now = options.now ?? (() => new Date());
  const check = async (contextValue: unknown): Promise<GraphQLError | undefined> => {
    const principal = (contextValue as GraphQLContext).principal;
    if (!principal) return undefined;
    const perMinute = principal.rateLimitPerMinute ?? options.defaultPerMinute;
    const { granted, retryAfterMs } = await options.limiter.take(
      `api-key:${principal.keyId}`,
      1,
      { perSecond: perMinute / 60, burst: perMinute },
      now(),
    );
    if (granted >= 1) return undefined;
    const wait = Math.max(1, Math.ceil(retryAfterMs));
    const error = new QunfaError('RATE_LIMITED', `this key may make ${perMinute} requests a minute`, {
      details: { perMinute, retryAfterMs: wait },
    });
    return new GraphQLError(error.message, {
      extensions: {
        code: error.code,
        retryAfterMs: wait,
        details: error.details,
        http: { status: 429, headers: { 'retry-after': String(Math.ceil(wait / 1000)) } },
      },
    });
  };
  return {
    async onExecute({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    async onSubscribe({ args, setResultAndStopExecution }) {
      const error = await check(args.contextValue);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
