import type { AbComparison } from '../ab/comparison.js';
import type { BucketRange } from '../ab/split.js';
import type { AccountHealth } from '../domain/account.js';
import type { AudienceExpression } from '../domain/audience.js';
import type { Actor, Campaign, CampaignState, ChannelMode } from '../domain/campaign.js';
import type { ContactIdentity, IdentityKind, SuppressionReason } from '../domain/contact.js';
import type { Counters } from '../domain/counters.js';
import type { Batch, DeliveryState } from '../domain/delivery.js';
import type { FailureClass } from '../domain/failure.js';
import type { BatchWait } from '../domain/waiting.js';
import type { EscalationResult, EscalationSweep } from './escalation.js';
import type { ReceiptStore } from './receipts.js';

export type { EscalationResult, EscalationSweep, EscalationWindow, FailedEscalation } from './escalation.js';
export type {
  EarlyReceiptRetry,
  EarlyReceiptsRetried,
  ReceiptEvent,
  ReceiptStore,
  ReceiptsApplied,
} from './receipts.js';

/**
 * A declarative plan. The store executes it set-based (INSERT … SELECT in SQL, plain loops
 * in memory); a million recipients never pass through the kernel one by one.
 */
export interface CampaignPlan {
  workspaceId: string;
  campaignId: string;
  audience: AudienceExpression;
  /** Contacts with any of these suppressions get a `suppressed` delivery with the reason. */
  suppress: SuppressionReason[];
  /** Seed of `variantBucket`; each variant takes buckets [fromBucket, toBucket) of 0..9999. */
  variantSeed: number;
  variants: { id: string; fromBucket: number; toBucket: number }[];
  /**
   * Each recipient takes the first channel it has an identity for (by `identityKinds`);
   * a contact with none gets a `suppressed` delivery with reason `no_address`.
   */
  channels: {
    channel: string;
    identityKinds: IdentityKind[];
    batchSize: number;
    accounts: string[];
    /** The step's failover providers: a resend finds the step's messages on them too. Default none. */
    failover?: string[];
    /**
     * Recipients the step can take (its daily quota left on the day the first batch is due):
     * taken in recipient order, the rest go to the next step that can address them, or, with
     * none that has room, stay on their first step to wait for its quota. Default unlimited;
     * ignored in an all-channels plan.
     */
    capacity?: number;
  }[];
  /**
   * `all`: a recipient gets a delivery on every channel it has an identity for (each its own
   * `queued` delivery, counted on its own), instead of the first; a suppressed contact, or one
   * with no address, still gets one delivery. Default `first`.
   */
  channelMode?: ChannelMode;
  /**
   * Recipients are ordered by last activity, most recent first, contacts never active last,
   * then by contact id; batches are cut per channel in that order, numbered from 0 across
   * channels in plan order, and batch n is due at `firstDueAt + n * batchIntervalMs`.
   * A channel's batches rotate over its accounts (batch n of the channel: accounts[n % len]).
   */
  firstDueAt: Date;
  batchIntervalMs: number;
  /**
   * Instead of a fixed interval: the batches are spread evenly over this window, the first
   * due at `firstDueAt` and the last at `firstDueAt + spreadOverMs` (whole milliseconds,
   * rounded down: batch n of N is due at `firstDueAt + floor(n * spreadOverMs / (N - 1))`).
   */
  spreadOverMs?: number;
  /**
   * For a resend run: only contacts whose delivery in that campaign is in one of these states
   * and not yet resolved; starting marks those source deliveries `resent`, in the same transaction,
   * so that no later resend targets them again.
   */
  /** A follow-up run: only these contacts (of the audience, and not suppressed) are planned. */
  onlyContacts?: string[];
  restrictTo?: {
    campaignId: string;
    states: ('failed' | 'uncertain')[];
    /** Failed source deliveries count only with one of these classes; absent: any class. */
    failureClasses?: FailureClass[];
    /**
     * Each recipient keeps the variant its source delivery had, mapped to this campaign's copy;
     * without it the bucket decides (the same as the source's only when no A/B test split it).
     */
    variants?: { sourceVariantId: string; variantId: string }[];
  };
  /**
   * An A/B test: `variants` then cover only the test sample's buckets. A sendable recipient in
   * `holdout` gets a `suppressed` delivery (reason `ab_holdout`), one in `rest` a `waiting`
   * delivery with its channel, both without a variant or batch; a suppression or a missing
   * address wins over either. Starting sets the campaign's `abState` to testing until `decideAt`.
   */
  abTest?: { holdout: BucketRange | null; rest: BucketRange | null; decideAt: Date };
}

/** How the rest of an A/B test is batched and paced once it has a winner, like a plan. */
export interface RestPacing {
  channels: { channel: string; batchSize: number; accounts: string[] }[];
  firstDueAt: Date;
  batchIntervalMs: number;
  spreadOverMs?: number;
}

/** The outcome of an A/B test's test phase, recorded by `Store.decideAbTest`. */
export interface AbDecision {
  workspaceId: string;
  campaignId: string;
  /** Compare-and-set on the test's phase: ILLEGAL_TRANSITION, with nothing written, when it moved on. */
  from: 'testing' | 'awaiting_decision';
  comparison: AbComparison;
  recommendedVariantId: string | null;
  /**
   * The variant for the rest, and how to pace it: its waiting deliveries get the variant and new
   * batches (ordered and cut as a plan does, seq after the campaign's last). Null records the
   * comparison and leaves the test awaiting an operator's decision.
   */
  winner: { variantId: string; pacing: RestPacing } | null;
  actor: Actor;
  at: Date;
}

export interface PlanSummary {
  /** Deliveries written, suppressed included. */
  total: number;
  queued: number;
  /** An A/B test's rest, waiting for the winner. */
  waiting: number;
  suppressed: Partial<Record<SuppressionReason, number>>;
  batches: number;
  /**
   * Recipients planned on a later step because an earlier one that could address them had no
   * quota left for them (`channels[].capacity`), by step and the step they went to. Default none.
   */
  movedForQuota?: { from: string; to: string; count: number }[];
}

/** What a plan would write, as `previewPlan` returns it; delivery ids are the preview's own. */
export interface PlanPreview {
  summary: PlanSummary;
  /** Queued batches by due time, then seq. */
  batches: {
    channel: string;
    account: string | null;
    seq: number;
    dueAt: Date;
    size: number;
    recipients: { deliveryId: string; contactId: string; variantId: string | null }[];
  }[];
  /** An A/B test's rest by channel and variant (none yet: the winner's), sent once it is decided. */
  waiting: { channel: string; count: number }[];
}

export interface CampaignTransition {
  workspaceId: string;
  campaignId: string;
  /** Compare-and-set: fails with ILLEGAL_TRANSITION when the campaign is no longer in `from`. */
  from: CampaignState;
  to: CampaignState;
  actor: Actor;
  at: Date;
  /** Extra facts for the audit entry. */
  reason?: string;
}

export interface BatchRef {
  id: string;
  workspaceId: string;
  campaignId: string;
  dueAt: Date;
  /** Its channel's step in the campaign's plan (`planStepIndexOf`): a queue hands later steps out first. */
  step: number;
}

export interface ClaimedRecipient {
  deliveryId: string;
  contactId: string;
  variantId: string;
  /** Provider calls made for this delivery on its current channel (reset when a retry moves it to another). */
  attempts: number;
  /** `queued` normally; `submitted` when an earlier claim of the batch died mid-send. */
  previousState: DeliveryState;
  identities: ContactIdentity[];
  name: string | null;
  attributes: Record<string, unknown>;
  /**
   * Channels whose every relation to the contact has ended (an unfollowed Official Account, a
   * WeCom customer who deleted their staff member): a retry or escalation moves it to none of
   * them, as planning and the escalation sweep do. Absent or empty: none.
   */
  endedOn?: string[];
}

export interface ClaimedBatch {
  /** State `leased`, with this worker's lease and `starts` already incremented. */
  batch: Batch;
  campaign: Campaign;
  recipients: ClaimedRecipient[];
}

/** The new state of one delivery after a batch ran; written with all others in one transaction. */
export interface DeliveryResult {
  deliveryId: string;
  state: DeliveryState;
  /** Present when a provider call was made (or may have been): recorded as an attempt. */
  attempt?: {
    channel: string;
    account: string | null;
    status: 'sent' | 'failed' | 'awaiting_confirmation' | 'uncertain' | 'filtered';
    providerMessageId: string | null;
    failureClass: FailureClass | null;
    error: string | null;
    /** Why the account was chosen for this recipient (`SendOutcome.via.reason`). */
    note?: string | null;
  };
  failureClass?: FailureClass;
  error?: string;
  suppressionReason?: string;
  /**
   * Send again later: the store puts the delivery (state `queued`) in a new batch of this
   * channel, cut by `batchSize`; a different channel than the delivery's resets its attempts.
   */
  retry?: {
    at: Date;
    channel: string;
    batchSize: number;
    account: string | null;
    /** What it waits for until `at`, kept on its new batch (`Batch.waitReason`). */
    reason?: string;
  };
}

export interface BatchSettlement {
  batchId: string;
  /** The lease that must still be ours; otherwise LEASE_LOST and nothing is written. */
  leaseOwner: string;
  at: Date;
  /** `failed` marks a batch given up on (a poison batch). */
  batchState: 'done' | 'failed';
  results: DeliveryResult[];
}

export interface SettleResult {
  counters: Counters;
  /** Batches created for retries, to enqueue. */
  followUps: BatchRef[];
}

/**
 * The engine's persistence port. PostgreSQL (drizzle) in production; memory for the reference.
 * Receipts and the early receipts kept for deliveries not settled yet: `ReceiptStore`.
 */
export interface Store extends ReceiptStore {
  getCampaign(campaignId: string): Promise<Campaign | undefined>;
  /**
   * Changes a campaign's state (compare-and-set) and writes the audit log, in one transaction.
   * Into `cancelled`: its queued batches become `cancelled` too.
   */
  transitionCampaign(transition: CampaignTransition): Promise<Campaign>;
  /** Transitions to running and executes the plan in one transaction. */
  startCampaign(
    transition: CampaignTransition,
    plan: CampaignPlan,
  ): Promise<{ campaign: Campaign; summary: PlanSummary }>;
  /**
   * Recipients the plan would queue (suppressed contacts left out), writing nothing: the
   * audience size compliance rules judge before a start. Optional; without it they see 0.
   */
  countAudience?(plan: CampaignPlan): Promise<number>;
  /**
   * The plan executed and undone: what `startCampaign` would write, its batches in due order with
   * their recipients, and nothing kept (a rolled-back transaction). For dry runs; optional.
   */
  previewPlan?(plan: CampaignPlan): Promise<PlanPreview>;
  /**
   * Creates a run of a template: a draft copy (audience, variants in order, channel plan,
   * policies) with `runOf = { template, key }`, at most once per key — a known key returns
   * the existing run with `created: false`. Sets the template's `nextRunAt` when given.
   */
  createRun(input: {
    templateId: string;
    key: string;
    name: string;
    at: Date;
    actor: Actor;
    nextRunAt?: Date | null;
    /** A follow-up run for these contacts only (kept on the run as `runOf.contactIds`). */
    contactIds?: string[];
  }): Promise<{ campaign: Campaign; created: boolean }>;
  /** Sets a template's next recurring run (null: none). */
  setNextRunAt(templateId: string, nextRunAt: Date | null): Promise<void>;
  /** Recurring templates in `scheduled` whose next run is due. */
  recurringDue(now: Date, limit: number): Promise<{ workspaceId: string; campaignId: string }[]>;
  /** Scheduled campaigns (not templates) whose time has come. */
  scheduledCampaignsDue(now: Date, limit: number): Promise<{ workspaceId: string; campaignId: string }[]>;
  /** Queued batches due by `now` of running campaigns, oldest due first. */
  dueBatches(now: Date, limit: number): Promise<BatchRef[]>;
  /** Leased batches whose lease ended before `now`. */
  expiredLeases(now: Date, limit: number): Promise<BatchRef[]>;
  /**
   * Leases a batch that is queued and due, or leased with an expired lease, of a running
   * campaign; its queued deliveries count as `submitted` from then on (in the counters at once;
   * a store may leave the rows queued — the SQL store does, the batch's `starts` saying it — but
   * a later claim reports them with `previousState: 'submitted'`). Undefined when it cannot be claimed.
   */
  claimBatch(input: {
    batchId: string;
    owner: string;
    now: Date;
    leaseMs: number;
  }): Promise<ClaimedBatch | undefined>;
  /** Extends a lease still held; false when it was lost. */
  renewLease(input: { batchId: string; owner: string; now: Date; leaseMs: number }): Promise<boolean>;
  /**
   * Gives a claimed batch back untouched (paused campaign, no quota): queued again at `dueAt`,
   * the claim's start uncounted; a no-op when the lease is no longer `owner`'s.
   */
  releaseBatch(input: { batchId: string; owner: string; dueAt: Date; reason?: string }): Promise<void>;
  /**
   * A campaign's queued batches not due by `now`, grouped by wait reason and channel, with their
   * recipients and first and last due times: what `describeWaiting` reports.
   */
  waitingBatches(campaignId: string, now: Date): Promise<BatchWait[]>;
  /**
   * Brings deferrals forward for the rules to judge again (a setting they depend on changed):
   * each queued batch of a running or paused campaign whose wait reason is `reason`, not due by
   * `now`, is `replaced` by a new batch due at `now` with its deliveries (a queue may hold a job
   * for the old one until its old time: that job then finds nothing to claim). Scoped to a
   * workspace when given. Returns the new batches, to enqueue.
   */
  rescheduleWaiting(input: { workspaceId?: string; reason: string; now: Date }): Promise<BatchRef[]>;
  /**
   * Writes every result, attempt, follow-up batch, counter and the batch's state, and an audit
   * entry, in one transaction — and applies the early receipts kept for the deliveries it settles.
   */
  settleBatch(settlement: BatchSettlement): Promise<SettleResult>;
  /**
   * Completes a running campaign with no queued or leased batch left, no A/B test still
   * undecided and no delivery awaiting confirmation (a send a person must confirm has no result
   * yet: the channel reports one by its deadline or query window); undefined when not done.
   */
  completeIfDone(campaignId: string, at: Date): Promise<Campaign | undefined>;
  counters(campaignId: string): Promise<Counters>;
  /** Running campaigns whose channel plan has an escalation window or more than one step, oldest first. */
  campaignsWithEscalation(limit: number): Promise<{ workspaceId: string; campaignId: string }[]>;
  /**
   * Completed campaigns a failure receipt reached after they completed, not swept since: `applyReceipts`
   * marks a completed campaign with more than one step (channel mode `first`) in the receipt's own
   * transaction when it fails one of its deliveries, and an `escalateUnconfirmed` with
   * `reopenCompleted` clears the mark in its. The worker's tick sweeps these, so a crash between
   * counting a late failure and escalating it still sends the fallback.
   */
  campaignsWithLateFailures(limit: number): Promise<{ workspaceId: string; campaignId: string }[]>;
  /**
   * Moves the campaign's deliveries whose window ended (by their last attempt's time) without the
   * receipt it waited for to the first later step that can address the contact, as `queued` in
   * new batches due at `now` (attempts reset, counters moved, an audit entry), in one transaction.
   * A delivery no later step can address stays as it is, and one with a kept early receipt that
   * settles its window waits (see `ReceiptStore`). Failed deliveries of `sweep.failed` move the
   * same way at once, whenever their failure was recorded.
   */
  escalateUnconfirmed(sweep: EscalationSweep): Promise<EscalationResult>;
  /**
   * An operator drops a campaign's unresolved uncertain deliveries: they become `failed`
   * (class `unknown`, resolution `dropped`) so no resend targets them. Returns how many.
   */
  dropUncertain(input: { campaignId: string; actor: Actor; at: Date }): Promise<number>;
  /** Running campaigns whose A/B test is testing and due for its decision at `now`. */
  abTestsDue(now: Date, limit: number): Promise<{ workspaceId: string; campaignId: string }[]>;
  /** Counters of an A/B test's deliveries by variant (one GROUP BY), and how many were held out. */
  abTestCounts(
    campaignId: string,
  ): Promise<{ variants: { variantId: string; counters: Counters }[]; holdout: number }>;
  /**
   * Records an A/B test's outcome and, with a winner, releases the rest to it, in one transaction
   * with an audit entry. A winner needs the campaign running or paused (else ILLEGAL_TRANSITION).
   * Returns the campaign and how many batches the rest got.
   */
  decideAbTest(decision: AbDecision): Promise<{ campaign: Campaign; batches: number }>;
  /** Recorded health of a channel's sender accounts; an account without a record is healthy. */
  accountHealth(channel: string): Promise<AccountHealth[]>;
  /** Records an account's health (a cool-down, a restriction, or healthy again), with an audit entry. */
  setAccountHealth(health: AccountHealth, actor: Actor): Promise<void>;
}
