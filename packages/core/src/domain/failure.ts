/** Why a send failed, normalised across providers; the class drives what the engine does next. */
export const failureClasses = [
  'rate_limited',
  'network',
  'invalid_recipient',
  'blocked_by_user',
  'account_restricted',
  'content_rejected',
  'unknown',
  /**
   * The person who had to confirm the send (a WeCom staff member, for a customer mass send) did
   * not before its deadline, or an operator withdrew it: nothing reached the recipient. Reported by
   * the channel after the send; the engine moves the recipient to the next step of the plan at once.
   */
  'unconfirmed',
] as const;
export type FailureClass = (typeof failureClasses)[number];

/** Failures that a later attempt on the same channel cannot fix. */
export const permanentFailureClasses: ReadonlySet<FailureClass> = new Set([
  'invalid_recipient',
  'blocked_by_user',
  'content_rejected',
]);

/** Failures a later attempt may cure: what a resend targets by default. */
export const transientFailureClasses: readonly FailureClass[] = failureClasses.filter(
  (c) => !permanentFailureClasses.has(c),
);
