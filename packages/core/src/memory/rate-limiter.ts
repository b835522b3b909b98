import type { QuotaWindow, RateLimiter, Reservation, TokenRate } from '../ports/rate-limiter.js';

/** How long tokens reserved for a holder that never came back are kept before they are forgotten. */
const HELD_FOR_MS = 600_000;

/** How many horizons past the first free time callers turned away may be spread over. */
export const TICKETS_AHEAD = 6;

/** Token buckets and quota windows in one process. */
export class MemoryRateLimiter implements RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number; ticket: number }>();
  private quotas = new Map<string, number>();
  /** Tokens reserved ahead, by key and holder: when they are due. */
  private held = new Map<string, number>();

  async take(
    key: string,
    want: number,
    rate: TokenRate,
    now: Date,
  ): Promise<{ granted: number; retryAfterMs: number }> {
    const bucket = this.refill(key, rate, now.getTime());
    const granted = Math.max(0, Math.min(want, Math.floor(bucket.tokens)));
    bucket.tokens -= granted;
    const retryAfterMs = granted >= want ? 0 : Math.ceil(((1 - bucket.tokens) * 1000) / rate.perSecond);
    return { granted, retryAfterMs };
  }

  async reserve(
    key: string,
    holder: string,
    want: number,
    rate: TokenRate,
    now: Date,
    horizonMs: number,
  ): Promise<Reservation> {
    const t = now.getTime();
    const heldKey = `${key}\u0000${holder}`;
    const due = this.held.get(heldKey);
    if (due !== undefined) {
      if (due > t) return { reserved: true, waitMs: due - t };
      this.held.delete(heldKey);
      return { reserved: true, waitMs: 0 };
    }
    const bucket = this.refill(key, rate, t);
    if (bucket.tokens >= want) {
      bucket.tokens -= want;
      return { reserved: true, waitMs: 0 };
    }
    const shortMs = Math.ceil(((want - bucket.tokens) * 1000) / rate.perSecond);
    if (shortMs <= horizonMs) {
      bucket.tokens -= want;
      if (this.held.size > 10_000) {
        for (const [k, at] of this.held) if (at < t - HELD_FOR_MS) this.held.delete(k);
      }
      this.held.set(heldKey, t + shortMs);
      return { reserved: true, waitMs: shortMs };
    }
    // Turned away: each caller in turn is told a later time, a `want`'s worth of the rate apart,
    // from when its tokens would fit in the horizon (plus one such step of slack), but never more
    // than TICKETS_AHEAD horizons past that: callers that never came back (a paused campaign's
    // batches) hold no one up for longer.
    const wantMs = Math.ceil((want * 1000) / rate.perSecond);
    const fitsAt = t + shortMs - horizonMs + wantMs;
    const at = Math.min(Math.max(bucket.ticket, fitsAt), fitsAt + TICKETS_AHEAD * horizonMs);
    bucket.ticket = at + wantMs;
    return { reserved: false, waitMs: at - t };
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

  /** The key's bucket refilled up to `t` (never moved back in time); below zero while reserved ahead. */
  private refill(key: string, rate: TokenRate, t: number) {
    const bucket = this.buckets.get(key) ?? { tokens: rate.burst, at: t, ticket: 0 };
    const elapsed = Math.max(0, t - bucket.at);
    bucket.tokens = Math.min(rate.burst, bucket.tokens + (elapsed * rate.perSecond) / 1000);
    bucket.at = Math.max(bucket.at, t);
    this.buckets.set(key, bucket);
    return bucket;
  }

  private windowKey(key: string, window: QuotaWindow): string {
    return `${key}@${window.start.toISOString()}/${window.end.toISOString()}`;
  }
}
