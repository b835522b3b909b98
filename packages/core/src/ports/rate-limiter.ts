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

/** What `RateLimiter.reserve` did. */
export interface Reservation {
  /**
   * True: the tokens are the holder's, to be used once `waitMs` has passed (0: now) — asking
   * again then, with the same holder, hands them over without taking more. False: nothing was
   * taken; ask again after `waitMs`.
   */
  reserved: boolean;
  waitMs: number;
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
  /**
   * Takes `want` tokens at once for `holder` (a batch), in advance when the bucket is short: if
   * the bucket will have them within `horizonMs`, they are taken now (the bucket goes into debt)
   * and kept for the holder until they are due, so a sender gives its worker slot back instead
   * of sleeping on the bucket, and comes back when its tokens are there. Past the horizon nothing
   * is taken, and callers turned away one after another are told successive times, each a
   * `want`'s worth of the rate after the last, so that they do not all come back at once.
   * Optional: a limiter without it is waited on with `take`.
   */
  reserve?(
    key: string,
    holder: string,
    want: number,
    rate: TokenRate,
    now: Date,
    horizonMs: number,
  ): Promise<Reservation>;
  /** Consumes up to `want` units of a quota window; `remaining` is what is left after. */
  consumeQuota(
    key: string,
    want: number,
    window: QuotaWindow,
  ): Promise<{ granted: number; remaining: number }>;
  /** Gives back units taken but not used (a send that never happened). */
  refundQuota(key: string, amount: number, window: QuotaWindow): Promise<void>;
}
