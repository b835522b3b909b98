import type { AccountHealth } from '../domain/account.js';
import type { AudienceExpression } from '../domain/audience.js';
import type { Actor, Campaign, CampaignState } from '../domain/campaign.js';
import type { ContactIdentity, IdentityKind, SuppressionReason } from '../domain/contact.js';
import type { Counters } from '../domain/counters.js';
import type { Batch, DeliveryState } from '../domain/delivery.js';
import type { FailureClass } from '../domain/failure.js';

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
  channels: { channel: string; identityKinds: IdentityKind[]; batchSize: number; accounts: string[] }[];
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
  restrictTo?: { campaignId: string; states: ('failed' | 'uncertain')[] };
}

export interface PlanSummary {
  /** Deliveries written, suppressed included. */
  total: number;
  queued: number;
  suppressed: Partial<Record<SuppressionReason, number>>;
  batches: number;
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
    status: 'sent' | 'failed' | 'awaiting_confirmation' | 'uncertain';
    providerMessageId: string | null;
    failureClass: FailureClass | null;
    error: string | null;
  };
  failureClass?: FailureClass;
  error?: string;
  suppressionReason?: string;
  /**
   * Send again later: the store puts the delivery (state `queued`) in a new batch of this
   * channel, cut by `batchSize`; a different channel than the delivery's resets its attempts.
   */
  retry?: { at: Date; channel: string; batchSize: number; account: string | null };
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

/** The engine's persistence port. PostgreSQL (drizzle) in production; memory for the reference. */
export interface Store {
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
  releaseBatch(input: { batchId: string; owner: string; dueAt: Date }): Promise<void>;
  /** Writes every result, attempt, follow-up batch, counter and the batch's state, and an audit entry, in one transaction. */
  settleBatch(settlement: BatchSettlement): Promise<SettleResult>;
  /** Completes a running campaign with no queued or leased batch left; undefined when not done. */
  completeIfDone(campaignId: string, at: Date): Promise<Campaign | undefined>;
  counters(campaignId: string): Promise<Counters>;
  /**
   * An operator drops a campaign's unresolved uncertain deliveries: they become `failed`
   * (class `unknown`, resolution `dropped`) so no resend targets them. Returns how many.
   */
  dropUncertain(input: { campaignId: string; actor: Actor; at: Date }): Promise<number>;
  /** Recorded health of a channel's sender accounts; an account without a record is healthy. */
  accountHealth(channel: string): Promise<AccountHealth[]>;
  /** Records an account's health (a cool-down, a restriction, or healthy again), with an audit entry. */
  setAccountHealth(health: AccountHealth, actor: Actor): Promise<void>;
}
