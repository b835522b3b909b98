import { tagHierarchy } from '../domain/audience.js';
import type { Delivery } from '../domain/delivery.js';
import type { CampaignPlan } from '../ports/store.js';
import { executePlan } from './execute-plan.js';
import { type MemoryTables, ownersOn, reachableOn } from './tables.js';

/** The source deliveries a resend plan targets: in the states asked for, not yet resolved. */
export function resendSources(t: MemoryTables, plan: CampaignPlan): Delivery[] {
  const restrict = plan.restrictTo;
  if (!restrict) return [];
  return [...t.deliveries.values()].filter(
    (d) =>
      d.campaignId === restrict.campaignId &&
      d.resolution === null &&
      (restrict.states as string[]).includes(d.state) &&
      (d.state !== 'failed' ||
        !restrict.failureClasses ||
        (d.failureClass !== null && restrict.failureClasses.includes(d.failureClass))),
  );
}

/** What `plan` would write over the tables' contacts, suppressions, tags and relations. */
export function executeOn(t: MemoryTables, plan: CampaignPlan) {
  const sources = plan.restrictTo ? resendSources(t, plan) : [];
  const restricted = plan.restrictTo ? new Map(sources.map((d) => [d.contactId, d.variantId])) : undefined;
  const channels = new Map<string, Set<string>>();
  for (const d of sources)
    if (d.channel) channels.set(d.contactId, (channels.get(d.contactId) ?? new Set()).add(d.channel));
  return executePlan(
    plan,
    t.contacts.values(),
    (id) => t.suppressions.get(id) ?? new Set(),
    tagHierarchy(t.tags.values()),
    restricted,
    plan.restrictTo ? (id) => channels.get(id) ?? new Set() : undefined,
    (id, channel) => reachableOn(t, id, channel),
    (id) => ownersOn(t, id),
  );
}

/** Writes an executed plan's batches (queued) and deliveries, as a start does. */
export function writePlannedRows(
  t: MemoryTables,
  plan: CampaignPlan,
  executed: ReturnType<typeof executeOn>,
  at: Date,
): void {
  const batchIds = executed.batches.map((b) => {
    const id = t.nextId();
    t.batches.set(id, {
      id,
      workspaceId: plan.workspaceId,
      campaignId: plan.campaignId,
      channel: b.channel,
      account: b.account,
      seq: b.seq,
      state: 'queued',
      dueAt: b.dueAt,
      size: b.size,
      starts: 0,
      leaseOwner: null,
      leaseUntil: null,
      waitReason: null,
    });
    return id;
  });
  for (const d of executed.deliveries) {
    const id = t.nextId();
    t.deliveries.set(id, {
      id,
      workspaceId: plan.workspaceId,
      campaignId: plan.campaignId,
      contactId: d.contactId,
      variantId: d.variantId,
      channel: d.channel,
      batchId: d.batch === null ? null : (batchIds[d.batch] ?? null),
      state: d.suppressionReason ? 'suppressed' : d.waiting ? 'waiting' : 'queued',
      attempts: 0,
      providerMessageId: null,
      failureClass: null,
      suppressionReason: d.suppressionReason,
      lastError: null,
      resolution: null,
      updatedAt: at,
    });
  }
}
