import { describe, expect, it } from 'vitest';
import { MemoryRateLimiter } from './rate-limiter.js';

const t = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms);

describe('MemoryRateLimiter', () => {
  it('grants a burst, then refills at the rate', async () => {
    const limiter = new MemoryRateLimiter();
    const rate = { perSecond: 2, burst: 4 };
    expect(await limiter.take('k', 5, rate, t(0))).toEqual({ granted: 4, retryAfterMs: 500 });
    expect(await limiter.take('k', 1, rate, t(250))).toEqual({ granted: 0, retryAfterMs: 250 });
    expect(await limiter.take('k', 1, rate, t(500))).toEqual({ granted: 1, retryAfterMs: 0 });
    expect(await limiter.take('other', 1, rate, t(500))).toEqual({ granted: 1, retryAfterMs: 0 });
    expect((await limiter.take('k', 10, rate, t(60_000))).granted).toBe(4);
  });

  it('consumes and refunds quota within a window', async () => {
    const limiter = new MemoryRateLimiter();
    const day = { limit: 5, start: t(0), end: t(86_400_000) };
    expect(await limiter.consumeQuota('k', 3, day)).toEqual({ granted: 3, remaining: 2 });
    expect(await limiter.consumeQuota('k', 3, day)).toEqual({ granted: 2, remaining: 0 });
    await limiter.refundQuota('k', 2, day);
    expect(await limiter.consumeQuota('k', 1, day)).toEqual({ granted: 1, remaining: 1 });
    const next = { limit: 5, start: day.end, end: t(2 * 86_400_000) };
    expect(await limiter.consumeQuota('k', 5, next)).toEqual({ granted: 5, remaining: 0 });
  });
});
