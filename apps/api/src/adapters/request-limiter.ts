import { MemoryRateLimiter, type RateLimiter } from '@qunfa/core';
import type { RedisRateLimiter } from './redis-rate-limiter.js';

/**
 * The limiter of API requests per key: the shared one on Redis while Redis answers, and one
 * in this process while it does not, so that reading a campaign does not hang on a Redis
 * outage. During an outage a key's budget therefore holds per API process, not across them:
 * a guard against a runaway client, unlike a provider's limit, which senders never relax
 * (they wait for Redis instead; see `createRedisRateLimiter`).
 */
export function requestLimiterOn(shared: RedisRateLimiter, waitMs = 500): RateLimiter {
  const local = new MemoryRateLimiter();
  return {
    async take(key, want, rate, now) {
      if (!(await shared.available(waitMs))) return local.take(key, want, rate, now);
      let timer: NodeJS.Timeout | undefined;
      const taking = shared.take(key, want, rate, now);
      taking.catch(() => {});
      const timedOut = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), waitMs * 2);
      });
      const answer = await Promise.race([taking, timedOut]).finally(() => clearTimeout(timer));
      return answer ?? local.take(key, want, rate, now);
    },
    consumeQuota: (key, want, window) => shared.consumeQuota(key, want, window),
    refundQuota: (key, amount, window) => shared.refundQuota(key, amount, window),
  };
}
