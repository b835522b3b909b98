import { type Counters, reachedCount } from '@qunfa/core';

/**
 * Deliveries whose send has a known result: accepted (sent or better), failed, or dropped by the
 * provider (filtered). Queued and in-flight ones are not counted yet; suppressed ones were never
 * attempted; uncertain and awaiting-confirmation ones are still open questions.
 */
export function attemptedCount(c: Counters): number {
  return reachedCount(c) + c.failed + c.filtered;
}

/** Deliveries with an engagement signal: read, or clicked (a click implies a read). */
export function engagedCount(c: Counters): number {
  return c.read + c.clicked;
}

/**
 * `part / whole` in percent (0–100), or null when `whole` is 0. Multiplying first keeps an exact
 * boundary exact (95 of 100 is 95, not 94.99999999999999), so thresholds colour it as written.
 */
export function percent(part: number, whole: number): number | null {
  return whole > 0 ? (part * 100) / whole : null;
}
