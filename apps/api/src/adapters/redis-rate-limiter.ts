import { type QuotaWindow, type RateLimiter, TICKETS_AHEAD, type TokenRate } from '@qunfa/core';
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
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) * 1000 / perSecond) + 60000)
local retryAfter = 0
if granted < want then retryAfter = math.ceil((1 - tokens) * 1000 / perSecond) end
return {granted, retryAfter}
`;

/**
 * MemoryRateLimiter.reserve in one atomic step: a holder's tokens reserved ahead (KEYS[2], their
 * due time, kept a while past it) are handed over once due; otherwise the bucket (KEYS[1]) gives
 * them now, or goes into debt for them when it will have them within the horizon, or tells the
 * caller when to come back — from the bucket's ticket, which each caller turned away moves on.
 */
const RESERVE = `
local want = tonumber(ARGV[1])
local perSecond = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local now = tonumber(ARGV[4])
local horizon = tonumber(ARGV[5])
local keptFor = tonumber(ARGV[6])
local ticketsAhead = tonumber(ARGV[7])
local held = redis.call('GET', KEYS[2])
if held then
  local due = tonumber(held)
  if due > now then return {1, due - now} end
  redis.call('DEL', KEYS[2])
  return {1, 0}
end
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at', 'ticket')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or now
local ticket = tonumber(state[3]) or 0
tokens = math.min(burst, tokens + math.max(0, now - at) * perSecond / 1000)
at = math.max(at, now)
local reserved = 1
local wait = 0
if tokens >= want then
  tokens = tokens - want
else
  local short = math.ceil((want - tokens) * 1000 / perSecond)
  if short <= horizon then
    tokens = tokens - want
    wait = short
    redis.call('SET', KEYS[2], string.format('%d', now + short), 'PX', short + keptFor)
  else
    reserved = 0
    local wantMs = math.ceil(want * 1000 / perSecond)
    local fits = now + short - horizon + wantMs
    local t = math.min(math.max(ticket, fits), fits + ticketsAhead * horizon)
    ticket = t + wantMs
    wait = t - now
  end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'at', string.format('%d', at), 'ticket', string.format('%d', ticket))
redis.call('PEXPIRE', KEYS[1], math.max(math.ceil((burst - tokens) * 1000 / perSecond), ticket - now) + 60000)
return {reserved, wait}
`;

/** How long tokens reserved for a holder that never came back are kept past their due time. */
const HELD_FOR_MS = 600_000;

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
  qunfaReserve(bucket: string, held: string, ...args: (string | number)[]): Promise<[number, number]>;
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
  redis.defineCommand('qunfaReserve', { numberOfKeys: 2, lua: RESERVE });
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
    async reserve(key, holder, want, rate, now, horizonMs) {
      // As in take: a call made across an outage counts from when it runs.
      const calledAt = Date.now();
      const waited = redis.status !== 'ready' && wasReady;
      if (waited) await untilReady();
      const [reserved, waitMs] = await redis.qunfaReserve(
        bucketKey(key),
        `${settings.prefix}:rate-held:${key}:${holder}`,
        want,
        rate.perSecond,
        rate.burst,
        now.getTime() + (waited ? Date.now() - calledAt : 0),
        horizonMs,
        HELD_FOR_MS,
        TICKETS_AHEAD,
      );
      return { reserved: reserved === 1, waitMs };
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
