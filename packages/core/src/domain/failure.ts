/** Why a send failed, normalised across providers; the class drives what the engine does next. */
export const failureClasses = [
  'rate_limited',
  'network',
  'invalid_recipient',
  'blocked_by_user',
  'account_restricted',
  'content_rejected',
  'unknown',
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
