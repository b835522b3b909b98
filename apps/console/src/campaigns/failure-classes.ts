import type { FailureClass } from '../graphql/types.js';

/**
 * Failure classes that say nothing against the recipient: a resend may well reach them.
 * The others (invalid recipient, blocked by the user, content rejected) will fail again as they are.
 */
export const TRANSIENT_CLASSES: ReadonlySet<FailureClass> = new Set([
  'NETWORK',
  'RATE_LIMITED',
  'ACCOUNT_RESTRICTED',
  'UNKNOWN',
  // Its sender did not confirm in time: a resend asks again.
  'UNCONFIRMED',
]);

export function transientCount(byClass: readonly { failureClass: FailureClass; count: number }[]): number {
  return byClass.filter((c) => TRANSIENT_CLASSES.has(c.failureClass)).reduce((sum, c) => sum + c.count, 0);
}
