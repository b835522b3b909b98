import { isLegalTransition, terminalCampaignStates } from '../campaign/state-machine.js';
import { type Actor, type Campaign, planStepIndexOf } from '../domain/campaign.js';
import type { Contact, SuppressionReason, Tag } from '../domain/contact.js';
import type { Batch, Delivery, DeliveryAttempt } from '../domain/delivery.js';
import { QunfaError } from '../errors.js';
import type { BatchRef, CampaignTransition, ReceiptEvent } from '../ports/store.js';
import { cancelUnsent } from './cancel-unsent.js';

/** One line of the audit log. */
export interface AuditEntry {
  at: Date;
  workspaceId: string;
  campaignId: string;
  actor: Actor;
  action: string;
  details: Record<string, unknown>;
}

/** One row of the event log: a receipt, an engagement or a repeated click of a delivery. */
export interface DeliveryEventRow {
  workspaceId: string;
  campaignId: string;
  deliveryId: string;
  /** `delivery.<state>`: delivery.delivered, delivery.read, delivery.clicked, delivery.failed… */
  type: string;
  /** Null for tracked clicks; otherwise state and provider time, unique per delivery. */
  key: string | null;
  payload: Record<string, unknown>;
  at: Date;
}

/** A receipt kept for a delivery not settled yet (see `ReceiptStore`), in arrival order. */
export interface EarlyReceiptRow {
  event: ReceiptEvent;
  /** `earlyReceiptKey` with the event's reference: a replay is kept once. */
  key: string;
  until: Date;
}

/** The tables of the memory store, shared with its settlement step. */
export interface MemoryTables {
  contacts: Map<string, Contact>;
  tags: Map<string, Tag>;
  suppressions: Map<string, Set<SuppressionReason>>;
  /** Who can reach a contact through whom: `contactId|channel|account` → the relation ended. */
  reach: Map<string, boolean>;
  campaigns: Map<string, Campaign>;
  deliveries: Map<string, Delivery>;
  attempts: Map<string, DeliveryAttempt[]>;
  batches: Map<string, Batch>;
  /** Per leased batch, the deliveries its claim moved from queued to submitted. */
  claimedFromQueued: Map<string, Set<string>>;
  audit: AuditEntry[];
  events: DeliveryEventRow[];
  /** Completed campaigns a failure receipt reached, until a reopening sweep (`Store.campaignsWithLateFailures`). */
  lateFailures: Set<string>;
  /** Early receipts, oldest first. */
  early: EarlyReceiptRow[];
  nextId(): string;
}

export function createTables(): MemoryTables {
  // Generated ids start far above the small ids fixtures give, so the two never collide.
  let id = 1_000_000;
  return {
    contacts: new Map(),
    tags: new Map(),
    suppressions: new Map(),
    reach: new Map(),
    campaigns: new Map(),
    deliveries: new Map(),
    attempts: new Map(),
    batches: new Map(),
    claimedFromQueued: new Map(),
    audit: [],
    events: [],
    lateFailures: new Set(),
    early: [],
    nextId: () => String(++id),
  };
}

/** The campaign a transition is about, if the compare-and-set holds. */
export function checkTransition(t: MemoryTables, transition: CampaignTransition): Campaign {
  const campaign = t.campaigns.get(transition.campaignId);
  if (!campaign || campaign.workspaceId !== transition.workspaceId) {
    throw new QunfaError('CAMPAIGN_NOT_FOUND', 'no such campaign', {
      details: { campaignId: transition.campaignId },
    });
  }
  if (campaign.state !== transition.from || !isLegalTransition(transition.from, transition.to)) {
    throw new QunfaError(
      'ILLEGAL_TRANSITION',
      `cannot move a ${campaign.state} campaign to ${transition.to}`,
      {
        details: { from: campaign.state, expected: transition.from, to: transition.to },
      },
    );
  }
  return campaign;
}

/** Moves a campaign, ends what it has not sent when cancelled, and audits it. */
export function applyTransition(t: MemoryTables, transition: CampaignTransition): Campaign {
  const campaign = checkTransition(t, transition);
  campaign.state = transition.to;
  campaign.updatedAt = transition.at;
  if (transition.to === 'running' && !campaign.startedAt) campaign.startedAt = transition.at;
  if (terminalCampaignStates.has(transition.to)) campaign.finishedAt = transition.at;
  if (transition.to === 'cancelled') cancelUnsent(t, campaign.id, transition.at);
  audit(t, transition.at, campaign, transition.actor, 'transition', {
    from: transition.from,
    to: transition.to,
    ...(transition.reason ? { reason: transition.reason } : {}),
  });
  return campaign;
}

/** Appends a line to the audit log. */
export function audit(
  t: MemoryTables,
  at: Date,
  campaign: Campaign,
  actor: Actor,
  action: string,
  details: Record<string, unknown>,
) {
  t.audit.push({
    at,
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    actor,
    action,
    details,
  });
}

/**
 * Whether a contact can still be reached on a channel: yes with no relation recorded there (a CSV
 * contact), otherwise only while one of its relations has not ended (an unfollowed OA, a deleted
 * friend or customer is never sent through again).
 */
export function reachableOn(t: MemoryTables, contactId: string, channel: string): boolean {
  let any = false;
  const prefix = `${contactId}|${channel}|`;
  for (const [key, ended] of t.reach) {
    if (!key.startsWith(prefix)) continue;
    if (!ended) return true;
    any = true;
  }
  return !any;
}

/** The accounts a contact is still reachable through on any channel (a group's owner). */
export function ownersOn(t: MemoryTables, contactId: string): string[] {
  const owners: string[] = [];
  for (const [key, ended] of t.reach) {
    const [id, , account] = key.split('|');
    if (id === contactId && !ended && account !== undefined) owners.push(account);
  }
  return owners;
}

/** A batch as the engine enqueues it, its step read from its campaign's plan. */
export function batchRefOf(t: MemoryTables, batch: Batch): BatchRef {
  const campaign = t.campaigns.get(batch.campaignId);
  return {
    id: batch.id,
    workspaceId: batch.workspaceId,
    campaignId: batch.campaignId,
    dueAt: new Date(batch.dueAt),
    step: campaign ? planStepIndexOf(campaign, batch.channel) : 0,
  };
}
