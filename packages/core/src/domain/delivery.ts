import type { SuppressionReason } from './contact.js';
import type { FailureClass } from './failure.js';

export const deliveryStates = [
  /** An A/B test's rest: planned with its channel, no variant and no batch until the winner is decided. */
  'waiting',
  'queued',
  'submitted',
  'awaiting_confirmation',
  'sent',
  'delivered',
  'read',
  'clicked',
  'failed',
  'suppressed',
  'filtered',
  'uncertain',
] as const;
export type DeliveryState = (typeof deliveryStates)[number];

/** States after which the engine has nothing more to send for the delivery. */
export const settledDeliveryStates: ReadonlySet<DeliveryState> = new Set([
  'sent',
  'delivered',
  'read',
  'clicked',
  'failed',
  'suppressed',
  'filtered',
  'uncertain',
  'awaiting_confirmation',
]);

export interface Delivery {
  id: string;
  workspaceId: string;
  campaignId: string;
  contactId: string;
  /** Null for an A/B test's hold-out, and for its rest until the winner is decided. */
  variantId: string | null;
  channel: string | null;
  batchId: string | null;
  state: DeliveryState;
  attempts: number;
  providerMessageId: string | null;
  failureClass: FailureClass | null;
  suppressionReason: SuppressionReason | null;
  lastError: string | null;
  /** An operator's decision on a failed or uncertain delivery: sent again in a resend run, or dropped. */
  resolution: 'resent' | 'dropped' | null;
  updatedAt: Date;
}

/** One call of a channel for one recipient, kept for every attempt. */
export interface DeliveryAttempt {
  deliveryId: string;
  attempt: number;
  channel: string;
  account: string | null;
  batchId: string;
  at: Date;
  status: 'sent' | 'failed' | 'awaiting_confirmation' | 'uncertain' | 'filtered';
  providerMessageId: string | null;
  failureClass: FailureClass | null;
  error: string | null;
  /** Why this account: the channel's choice of sender for the recipient (WeCom: "added them first"). */
  note?: string | null;
}

/** `replaced`: its deliveries moved to a new batch due sooner (deferrals re-evaluated). */
export const batchStates = ['queued', 'leased', 'done', 'failed', 'cancelled', 'replaced'] as const;
export type BatchState = (typeof batchStates)[number];

export interface Batch {
  id: string;
  workspaceId: string;
  campaignId: string;
  channel: string;
  account: string | null;
  /** Order within the campaign: batches go out in seq order once due. */
  seq: number;
  state: BatchState;
  dueAt: Date;
  size: number;
  /** How many times a worker has claimed it; bounds a poison batch. */
  starts: number;
  leaseOwner: string | null;
  leaseUntil: Date | null;
  /**
   * Why it is due later than planned: a rule's deferral reason (`quiet_hours`), or `retry`,
   * `account_cooldown`, `quota_reached` (`batchWaitReasons`); null for a planned batch.
   */
  waitReason: string | null;
}
