import type { DeliveryResult } from '../ports/store.js';

/** Why a delivery that may have gone out ends `uncertain` when its campaign is cancelled. */
export const CANCELLED_AFTER_INTERRUPTED_SEND =
  'campaign cancelled after an interrupted send: it may have reached the recipient';

/**
 * A result settled after its campaign was cancelled: what was sent stands, nothing is queued
 * again. A retry after a failed attempt ends `failed` with that failure (a resend can still
 * pick it up); a deferral, which made no attempt, ends `suppressed` as `cancelled`.
 */
export function endRetry(result: DeliveryResult): DeliveryResult {
  if (!result.retry) return result;
  const { retry: _retry, ...rest } = result;
  if (result.failureClass) return { ...rest, state: 'failed' };
  return { ...rest, state: 'suppressed', suppressionReason: 'cancelled' };
}
