import type { QuotaWindow, RateLimiter, TokenRate } from '@qunfa/core';
import type { Redis } from 'ioredis';
import { closeRedis, connectRedis, type RedisSettings, whenReady } from './redis-connection.js';

/**
 * Token bucket, as MemoryRateLimiter computes it, in one atomic step. The caller's `now`
 * is used (so that a fake clock drives it in tests) but never moves the bucket back in time,
 * so a process whose clock lags cannot mint tokens. An idle bucket expires once it would be full.
 */
const TAKE = `
local want = tonumber(ARGV[1])
local perSecond = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * perSecond / 1000)
at = math.max(at, now)
local granted = math.max(0, math.min(want, math.floor(tokens)))
tokens = tokens - granted
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%d', at))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / perSecond) + 60000)
local retryAfter = 0
if granted < want then retryAfter = math.ceil((1 - tokens) * 1000 / perSecond) end
return {granted, retryAfter}
`;

/** Grants what is left of the window's limit, up to `want`; the counter expires with its window. */
const CONSUME = `
local want = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local granted = math.max(0, math.min(want, limit - used))
if granted > 0 then
  redis.call('INCRBY', KEYS[1], granted)
  redis.call('PEXPIREAT', KEYS[1], ARGV[3])
end
return {granted, limit - used - granted}
`;

/** Gives units back, never below zero. */
const REFUND = `
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
local left = math.max(0, used - tonumber(ARGV[1]))
if left == 0 then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], left, 'KEEPTTL') end
return left
`;

/** A quota counter outlives its window (or now, for a window already past) by a day, for clocks apart. */
const QUOTA_GRACE_MS = 86_400_000;

type Scripts = {
  qunfaTake(key: string, ...args: (string | number)[]): Promise<[number, number]>;
  qunfaConsume(key: string, ...args: (string | number)[]): Promise<[number, number]>;
  qunfaRefund(key: string, ...args: (string | number)[]): Promise<number>;
};

export interface RedisRateLimiter extends RateLimiter {
  /** Whether Redis answers, waiting at most `timeoutMs` for a connection being made. */
  available(timeoutMs: number): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Token buckets and quota windows in Redis, each change one Lua script: every process
 * on the same Redis and prefix shares them, so a limit holds for the credential as a whole.
 * While Redis is unreachable a call waits for it to come back — a sender pauses rather than
 * guess at a limit on its own, which, per process, would multiply it by the number of workers.
 */
export function createRedisRateLimiter(
  settings: RedisSettings & { onError?: (error: Error) => void },
): RedisRateLimiter {
  const redis = connectRedis(settings.url, `${settings.prefix}:limiter`, settings.onError) as Redis & Scripts;
  redis.defineCommand('qunfaTake', { numberOfKeys: 1, lua: TAKE });
  redis.defineCommand('qunfaConsume', { numberOfKeys: 1, lua: CONSUME });
  redis.defineCommand('qunfaRefund', { numberOfKeys: 1, lua: REFUND });
  let wasReady = false;
  redis.once('ready', () => {
    wasReady = true;
  });
  const untilReady = async () => {
    while (!(await whenReady(redis, 60_000)))
      if (redis.status === 'end') throw new Error('the rate limiter was closed');
  };
  const bucketKey = (key: string) => `${settings.prefix}:rate:${key}`;
  const quotaKey = (key: string, w: QuotaWindow) =>
    `${settings.prefix}:quota:${key}@${w.start.toISOString()}/${w.end.toISOString()}`;

  return {
    async take(key: string, want: number, rate: TokenRate, now: Date) {
      // A call made while Redis is away runs when it is back: at the time it runs, not the one
      // it was made at. Calls queued across an outage would otherwise each refill a new (empty,
      // hence full) bucket by the gap between their stale times, and together exceed the rate.
      const calledAt = Date.now();
      // Only across a lost connection: a first connect is not an outage, and fake clocks stay exact.
      const waited = redis.status !== 'ready' && wasReady;
      if (waited) await untilReady();
      const [granted, retryAfterMs] = await redis.qunfaTake(
        bucketKey(key),
        want,
        rate.perSecond,
        rate.burst,
        now.getTime() + (waited ? Date.now() - calledAt : 0),
      );
      return { granted, retryAfterMs };
    },
    async consumeQuota(key, want, window) {
      const [granted, remaining] = await redis.qunfaConsume(
        quotaKey(key, window),
        want,
        window.limit,
        Math.max(window.end.getTime(), Date.now()) + QUOTA_GRACE_MS,
      );
      return { granted, remaining };
    },
    async refundQuota(key, amount, window) {
      if (amount > 0) await redis.qunfaRefund(quotaKey(key, window), amount);
    },
    available: (timeoutMs) => whenReady(redis, timeoutMs),
    close: () => closeRedis(redis),
  };
}
