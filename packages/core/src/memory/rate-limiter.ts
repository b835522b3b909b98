import type { QuotaWindow, RateLimiter, TokenRate } from '../ports/rate-limiter.js';

/** Token buckets and quota windows in one process. */
export class MemoryRateLimiter implements RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();
  private quotas = new Map<string, number>();

  async take(
    key: string,
    want: number,
    rate: TokenRate,
    now: Date,
  ): Promise<{ granted: number; retryAfterMs: number }> {
    const t = now.getTime();
    const bucket = this.buckets.get(key) ?? { tokens: rate.burst, at: t };
    const elapsed = Math.max(0, t - bucket.at);
    bucket.tokens = Math.min(rate.burst, bucket.tokens + (elapsed * rate.perSecond) / 1000);
    bucket.at = Math.max(bucket.at, t);
    const granted = Math.max(0, Math.min(want, Math.floor(bucket.tokens)));
    bucket.tokens -= granted;
    this.buckets.set(key, bucket);
    const retryAfterMs = granted >= want ? 0 : Math.ceil(((1 - bucket.tokens) * 1000) / rate.perSecond);
    return { granted, retryAfterMs };
  }

  async consumeQuota(
    key: string,
    want: number,
    window: QuotaWindow,
  ): Promise<{ granted: number; remaining: number }> {
    const id = this.windowKey(key, window);
    const used = this.quotas.get(id) ?? 0;
    const granted = Math.max(0, Math.min(want, window.limit - used));
    this.quotas.set(id, used + granted);
    return { granted, remaining: window.limit - used - granted };
  }

  async refundQuota(key: string, amount: number, window: QuotaWindow): Promise<void> {
    const id = this.windowKey(key, window);
    this.quotas.set(id, Math.max(0, (this.quotas.get(id) ?? 0) - amount));
  }

  private windowKey(key: string, window: QuotaWindow): string {
    return `${key}@${window.start.toISOString()}/${window.end.toISOString()}`;
  }
}
