export interface TokenRate {
  /** Tokens added per second. */
  perSecond: number;
  /** Bucket capacity: the largest burst. */
  burst: number;
}

export interface QuotaWindow {
  /** Most units in the window. */
  limit: number;
  /** The window, e.g. one calendar day in the workspace's time zone. */
  start: Date;
  end: Date;
}

/**
 * Limits shared by every worker using the same credential: a limit is a limit for the
 * account as a whole, whatever the number of processes.
 */
export interface RateLimiter {
  /** Takes up to `want` tokens now; when fewer are granted, `retryAfterMs` says when more will be there. */
  take(
    key: string,
    want: number,
    rate: TokenRate,
    now: Date,
  ): Promise<{ granted: number; retryAfterMs: number }>;
  /** Consumes up to `want` units of a quota window; `remaining` is what is left after. */
  consumeQuota(
    key: string,
    want: number,
    window: QuotaWindow,
  ): Promise<{ granted: number; remaining: number }>;
  /** Gives back units taken but not used (a send that never happened). */
  refundQuota(key: string, amount: number, window: QuotaWindow): Promise<void>;
}
