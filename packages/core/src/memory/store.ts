import type { AccountHealth } from '../domain/account.js';
import { type Actor, type Campaign, planEscalates } from '../domain/campaign.js';
import type { Contact, SuppressionReason, Tag } from '../domain/contact.js';
import { type Counters, counterFor, emptyCounters } from '../domain/counters.js';
import type { Batch, Delivery, DeliveryAttempt } from '../domain/delivery.js';
import type { BatchWait } from '../domain/waiting.js';
import { QunfaError } from '../errors.js';
import type {
  AbDecision,
  BatchRef,
  BatchSettlement,
  CampaignPlan,
  CampaignTransition,
  ClaimedBatch,
  EarlyReceiptRetry,
  EarlyReceiptsRetried,
  EscalationResult,
  EscalationSweep,
  PlanPreview,
  PlanSummary,
  ReceiptEvent,
  ReceiptsApplied,
  SettleResult,
  Store,
} from '../ports/store.js';
import { abTestCounts, decideAbTest, testingState } from './ab-test.js';
import { claim, release } from './claim.js';
import { applyReceipts, retryEarly } from './early-receipts.js';
import { escalate } from './escalation.js';
import { executeOn, resendSources, writePlannedRows } from './plan-rows.js';
import { createRun, type RunInput, recurringDue, scheduledCampaignsDue } from './runs.js';
import { settle } from './settle.js';
import {
  type AuditEntry,
  applyTransition,
  audit,
  batchRefOf,
  checkTransition,
  createTables,
  type DeliveryEventRow,
  type MemoryTables,
} from './tables.js';
import { rescheduleWaiting, waitingBatches } from './waiting.js';

export type { AuditEntry, DeliveryEventRow } from './tables.js';

const copy = <T>(value: T): T => structuredClone(value);
const systemActor: Actor = { kind: 'system', id: 'engine' };

/**
 * The reference `Store`: plain maps and loops, every method atomic because nothing awaits
 * in between. Contact ids must be numeric strings, as `variantBucket` hashes them.
 */
export class MemoryStore implements Store {
  private t: MemoryTables = createTables();
  private health = new Map<string, AccountHealth>();

  async addContact(contact: Contact, suppressions: SuppressionReason[] = []): Promise<void> {
    this.t.contacts.set(contact.id, copy(contact));
    this.t.suppressions.set(contact.id, new Set(suppressions));
  }

  /** A relation through which the contact is reached on a channel (`ended`: it was, and no more). */
  async addReach(relation: {
    contactId: string;
    channel: string;
    account: string;
    ended: boolean;
  }): Promise<void> {
    this.t.reach.set(`${relation.contactId}|${relation.channel}|${relation.account}`, relation.ended);
  }

  /** Tags matter to planning only through their nesting (`{ tagUnder }`). */
  async addTag(tag: Tag): Promise<void> {
    this.t.tags.set(tag.id, copy(tag));
  }

  async addCampaign(campaign: Campaign): Promise<void> {
    this.t.campaigns.set(campaign.id, copy(campaign));
  }

  /** A campaign's deliveries, in planning order. */
  deliveries(campaignId: string): Delivery[] {
    return [...this.t.deliveries.values()].filter((d) => d.campaignId === campaignId).map(copy);
  }

  /** Every campaign, templates and runs included. */
  campaigns(): Campaign[] {
    return [...this.t.campaigns.values()].map(copy);
  }

  attempts(deliveryId: string): DeliveryAttempt[] {
    return copy(this.t.attempts.get(deliveryId) ?? []);
  }

  /** A campaign's batches by seq. */
  batches(campaignId: string): Batch[] {
    return [...this.t.batches.values()]
      .filter((b) => b.campaignId === campaignId)
      .sort((a, b) => a.seq - b.seq)
      .map(copy);
  }

  /** A campaign's event rows (receipts, engagement, clicks), oldest first. */
  events(campaignId: string): DeliveryEventRow[] {
    return copy(this.t.events.filter((e) => e.campaignId === campaignId));
  }

  auditLog(): AuditEntry[] {
    return copy(this.t.audit);
  }

  async accountHealth(channel: string): Promise<AccountHealth[]> {
    return [...this.health.values()].filter((h) => h.channel === channel).map(copy);
  }

  async setAccountHealth(health: AccountHealth, actor: Actor): Promise<void> {
    this.health.set(`${health.channel}\u0000${health.account}`, copy(health));
    this.t.audit.push({
      at: health.updatedAt,
      workspaceId: '',
      campaignId: '',
      actor,
      action: `account.${health.state}`,
      details: {
        channel: health.channel,
        account: health.account,
        until: health.until,
        reason: health.reason,
      },
    });
  }

  async getCampaign(campaignId: string): Promise<Campaign | undefined> {
    const campaign = this.t.campaigns.get(campaignId);
    return campaign && copy(campaign);
  }

  async transitionCampaign(transition: CampaignTransition): Promise<Campaign> {
    const campaign = applyTransition(this.t, transition);
    return copy(campaign);
  }

  async startCampaign(
    transition: CampaignTransition,
    plan: CampaignPlan,
  ): Promise<{ campaign: Campaign; summary: PlanSummary }> {
    if (transition.to !== 'running' || plan.campaignId !== transition.campaignId) {
      throw new QunfaError('INVALID_INPUT', 'a start goes to running, with the plan of the same campaign', {
        details: { to: transition.to, campaignId: transition.campaignId, planCampaignId: plan.campaignId },
      });
    }
    checkTransition(this.t, transition);
    const executed = executeOn(this.t, plan);
    const campaign = applyTransition(this.t, transition);
    writePlannedRows(this.t, plan, executed, transition.at);
    if (plan.abTest) campaign.abState = testingState(plan.abTest.decideAt);
    for (const source of resendSources(this.t, plan)) {
      source.resolution = 'resent';
      source.updatedAt = transition.at;
    }
    audit(this.t, transition.at, campaign, transition.actor, 'plan_executed', { ...executed.summary });
    return { campaign: copy(campaign), summary: executed.summary };
  }

  async countAudience(plan: CampaignPlan): Promise<number> {
    return executeOn(this.t, plan).summary.queued;
  }

  async previewPlan(plan: CampaignPlan): Promise<PlanPreview> {
    const { deliveries, batches, summary } = executeOn(this.t, plan);
    const recipients = batches.map((): PlanPreview['batches'][number]['recipients'] => []);
    const waiting = new Map<string, number>();
    deliveries.forEach((d, i) => {
      if (d.batch !== null)
        recipients[d.batch]!.push({
          deliveryId: `preview-${i}`,
          contactId: d.contactId,
          variantId: d.variantId,
        });
      else if (d.waiting && d.channel) waiting.set(d.channel, (waiting.get(d.channel) ?? 0) + 1);
    });
    return {
      summary,
      batches: batches
        .map((b, i) => ({ ...b, dueAt: new Date(b.dueAt), recipients: recipients[i]! }))
        .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.seq - b.seq),
      waiting: [...waiting].map(([channel, count]) => ({ channel, count })),
    };
  }

  async scheduledCampaignsDue(
    now: Date,
    limit: number,
  ): Promise<{ workspaceId: string; campaignId: string }[]> {
    return scheduledCampaignsDue(this.t, now, limit);
  }

  async createRun(input: RunInput): Promise<{ campaign: Campaign; created: boolean }> {
    return createRun(this.t, input);
  }

  async setNextRunAt(templateId: string, nextRunAt: Date | null): Promise<void> {
    const template = this.t.campaigns.get(templateId);
    if (template) template.nextRunAt = nextRunAt;
  }

  async recurringDue(now: Date, limit: number): Promise<{ workspaceId: string; campaignId: string }[]> {
    return recurringDue(this.t, now, limit);
  }

  async dueBatches(now: Date, limit: number): Promise<BatchRef[]> {
    return this.batchRefs(
      (b) =>
        b.state === 'queued' && b.dueAt <= now && this.t.campaigns.get(b.campaignId)?.state === 'running',
      limit,
    );
  }

  async expiredLeases(now: Date, limit: number): Promise<BatchRef[]> {
    return this.batchRefs((b) => b.state === 'leased' && b.leaseUntil !== null && b.leaseUntil < now, limit);
  }

  async claimBatch(input: {
    batchId: string;
    owner: string;
    now: Date;
    leaseMs: number;
  }): Promise<ClaimedBatch | undefined> {
    return claim(this.t, input);
  }

  async renewLease(input: { batchId: string; owner: string; now: Date; leaseMs: number }): Promise<boolean> {
    const batch = this.t.batches.get(input.batchId);
    if (batch?.state !== 'leased' || batch.leaseOwner !== input.owner) return false;
    batch.leaseUntil = new Date(input.now.getTime() + input.leaseMs);
    return true;
  }

  async releaseBatch(input: { batchId: string; owner: string; dueAt: Date; reason?: string }): Promise<void> {
    release(this.t, input);
  }

  async waitingBatches(campaignId: string, now: Date): Promise<BatchWait[]> {
    return waitingBatches(this.t, campaignId, now);
  }

  async rescheduleWaiting(input: { workspaceId?: string; reason: string; now: Date }): Promise<BatchRef[]> {
    return rescheduleWaiting(this.t, input);
  }

  async settleBatch(settlement: BatchSettlement): Promise<SettleResult> {
    const followUps = settle(this.t, settlement);
    const batch = this.t.batches.get(settlement.batchId) as Batch;
    return { counters: this.countersOf(batch.campaignId), followUps };
  }

  async completeIfDone(campaignId: string, at: Date): Promise<Campaign | undefined> {
    const campaign = this.t.campaigns.get(campaignId);
    if (campaign?.state !== 'running') return undefined;
    if (campaign.abState && campaign.abState.phase !== 'decided') return undefined;
    const open = [...this.t.batches.values()].some(
      (b) => b.campaignId === campaignId && (b.state === 'queued' || b.state === 'leased'),
    );
    if (open) return undefined;
    // A send a person must still confirm (a WeCom task) has no result yet: the campaign is not done.
    const held = [...this.t.deliveries.values()].some(
      (d) => d.campaignId === campaignId && d.state === 'awaiting_confirmation',
    );
    if (held) return undefined;
    const done = applyTransition(this.t, {
      workspaceId: campaign.workspaceId,
      campaignId,
      from: 'running',
      to: 'completed',
      actor: systemActor,
      at,
    });
    return copy(done);
  }

  async counters(campaignId: string): Promise<Counters> {
    return this.countersOf(campaignId);
  }

  async applyReceipts(events: ReceiptEvent[], options?: { keepUntil?: Date }): Promise<ReceiptsApplied> {
    return applyReceipts(this.t, events, options?.keepUntil);
  }

  /** One after another, with nothing in between: in memory that is one transaction. */
  async applyReceiptGroups(
    groups: ReceiptEvent[][],
    options?: { keepUntil?: Date },
  ): Promise<ReceiptsApplied[]> {
    return groups.map((events) => applyReceipts(this.t, events, options?.keepUntil));
  }

  async retryEarlyReceipts(retry: EarlyReceiptRetry): Promise<EarlyReceiptsRetried> {
    return retryEarly(this.t, retry);
  }

  /** The early receipts kept, oldest first. */
  earlyReceipts(): ReceiptEvent[] {
    return this.t.early.map((r) => copy(r.event));
  }

  async campaignsWithEscalation(limit: number): Promise<{ workspaceId: string; campaignId: string }[]> {
    return [...this.t.campaigns.values()]
      .filter((c) => c.state === 'running' && planEscalates(c))
      .sort((a, b) => (a.startedAt?.getTime() ?? 0) - (b.startedAt?.getTime() ?? 0))
      .slice(0, limit)
      .map((c) => ({ workspaceId: c.workspaceId, campaignId: c.id }));
  }

  async campaignsWithLateFailures(limit: number): Promise<{ workspaceId: string; campaignId: string }[]> {
    return [...this.t.lateFailures]
      .map((id) => this.t.campaigns.get(id))
      .filter((c): c is Campaign => c?.state === 'completed')
      .slice(0, limit)
      .map((c) => ({ workspaceId: c.workspaceId, campaignId: c.id }));
  }

  async escalateUnconfirmed(sweep: EscalationSweep): Promise<EscalationResult> {
    return escalate(this.t, sweep);
  }

  private countersOf(campaignId: string): Counters {
    const counters = emptyCounters();
    for (const d of this.t.deliveries.values()) {
      if (d.campaignId !== campaignId) continue;
      counters.total++;
      counters[counterFor(d.state)]++;
      if (d.state === 'failed' && d.failureClass) counters.failedByClass[d.failureClass]++;
    }
    return counters;
  }

  async abTestsDue(now: Date, limit: number): Promise<{ workspaceId: string; campaignId: string }[]> {
    return [...this.t.campaigns.values()]
      .filter((c) => c.state === 'running' && c.abState?.phase === 'testing' && c.abState.decideAt <= now)
      .sort((a, b) => (a.abState?.decideAt.getTime() ?? 0) - (b.abState?.decideAt.getTime() ?? 0))
      .slice(0, limit)
      .map((c) => ({ workspaceId: c.workspaceId, campaignId: c.id }));
  }

  async abTestCounts(campaignId: string) {
    return abTestCounts(this.t, campaignId);
  }

  async decideAbTest(decision: AbDecision): Promise<{ campaign: Campaign; batches: number }> {
    const decided = decideAbTest(this.t, decision);
    return { campaign: copy(decided.campaign), batches: decided.batches };
  }

  async dropUncertain(input: { campaignId: string; actor: Actor; at: Date }): Promise<number> {
    const campaign = this.t.campaigns.get(input.campaignId);
    if (!campaign) throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${input.campaignId} not found`);
    const dropped = [...this.t.deliveries.values()].filter(
      (d) => d.campaignId === input.campaignId && d.state === 'uncertain' && d.resolution === null,
    );
    for (const d of dropped) {
      Object.assign(d, {
        state: 'failed',
        failureClass: 'unknown',
        lastError: 'dropped by an operator: it may have been sent',
        resolution: 'dropped',
        updatedAt: input.at,
      });
    }
    audit(this.t, input.at, campaign, input.actor, 'uncertain_dropped', { count: dropped.length });
    return dropped.length;
  }

  private batchRefs(keep: (b: Batch) => boolean, limit: number): BatchRef[] {
    return [...this.t.batches.values()]
      .filter(keep)
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.seq - b.seq)
      .slice(0, limit)
      .map((b) => batchRefOf(this.t, b));
  }
}
