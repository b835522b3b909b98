/**
 * Why part of a campaign is not going out now. A batch given back or a recipient deferred
 * records a reason on its batch (`Batch.waitReason`); the rest comes from the campaign itself.
 */
export const waitReasonCodes = [
  /** A scheduled campaign, or a recurring template, starts at `until`. */
  'schedule',
  /** Deferred by quiet hours until the period ends in the recipient's time zone. */
  'quiet_hours',
  /** Deferred by a frequency-cap rule. */
  'frequency_cap',
  /** Every sender account of the channel is cooling down (`detail`: the channel). */
  'account_cooldown',
  /** The sender accounts' daily quota is used up (`detail`: the channel). */
  'quota_reached',
  /** Handed to the provider, waiting for a staff member to confirm it in the client. */
  'awaiting_confirmation',
  /** An A/B test's rest, waiting for the winner. */
  'ab_test_decision',
  /** Failed for a transient reason, tried again at `until`. */
  'retry',
  /** Planned batches due later at the campaign's own pace, or given back to wait for the channel's rate limit. */
  'pacing',
  /** Another rule's deferral (`detail`: its reason). */
  'rule',
] as const;
export type WaitReasonCode = (typeof waitReasonCodes)[number];

/** What a batch's `waitReason` is when a release or a retry sets none of a rule's. */
export const batchWaitReasons = {
  retry: 'retry',
  accountCooldown: 'account_cooldown',
  quotaReached: 'quota_reached',
  /** Given back until the channel's rate tokens are there (`pacing`: the channel's pace). */
  rateLimited: 'pacing',
} as const;

export interface WaitReason {
  reason: WaitReasonCode;
  /** Recipients waiting for this reason; null when not known yet (a schedule, before planning). */
  count: number | null;
  /** ISO time the first of them goes on; null when a person must act. */
  until: string | null;
  /** ISO time the last of them goes on. */
  lastUntil: string | null;
  /** The channel (cool-down, quota) or a rule's own reason (`rule`); else null. */
  detail: string | null;
}

/** Queued batches of a campaign not due yet, grouped by what they wait for. */
export interface BatchWait {
  /** The batch's `waitReason`: null for planned batches waiting for their turn. */
  reason: string | null;
  channel: string;
  /** Recipients in those batches. */
  recipients: number;
  firstDueAt: Date;
  lastDueAt: Date;
}
