import type { Campaign } from '../domain/campaign.js';
import type { Delivery } from '../domain/delivery.js';
import { decideReceipts, receiptKey, unsettled } from '../domain/receipts.js';
import type { ReceiptEvent, ReceiptsApplied } from '../ports/store.js';
import type { MemoryTables } from './tables.js';

/** A completed campaign whose late failures the plan may send on (see `Store.campaignsWithLateFailures`). */
const mayEscalateLate = (c: Campaign) =>
  c.state === 'completed' && c.channelMode !== 'all' && c.channelPlan.length > 1;

const refOf = (e: ReceiptEvent) => ('deliveryId' in e ? e.deliveryId : e.providerMessageId);

/** The payload of an event row: where it came from and what the provider said, nothing personal. */
export function receiptPayload(e: ReceiptEvent): Record<string, unknown> {
  return {
    source: e.source,
    ...(e.link === undefined ? {} : { link: e.link }),
    ...(e.failure === undefined ? {} : { failure: e.failure }),
    ...(e.error === undefined ? {} : { error: e.error }),
  };
}

/**
 * The reference of `Store.applyReceipts` (without keeping: see `early-receipts.ts`): match, drop
 * replays, decide per delivery, count. `unknownAt` indexes the events that found no settled delivery.
 */
export function applyMatched(
  t: MemoryTables,
  events: ReceiptEvent[],
): { result: Omit<ReceiptsApplied, 'kept'>; unknownAt: number[] } {
  const find = (e: ReceiptEvent): Delivery | undefined => {
    if ('deliveryId' in e) return t.deliveries.get(e.deliveryId);
    for (const d of t.deliveries.values()) {
      if (d.channel === e.channel && d.providerMessageId === e.providerMessageId) return d;
    }
    return undefined;
  };
  const known = new Set(t.events.filter((r) => r.key !== null).map((r) => `${r.deliveryId}|${r.key}`));
  const byDelivery = new Map<Delivery, ReceiptEvent[]>();
  const unknownAt: number[] = [];
  let ignored = 0;
  for (const [i, e] of events.entries()) {
    const d = find(e);
    // A click or an open by delivery id proves its message went out, and can beat the settlement of
    // its send (SQL leaves a leased batch's rows queued): kept and tried again, as a provider's
    // receipt for an id not yet settled is.
    if (!d || ('deliveryId' in e && unsettled(d.state))) {
      unknownAt.push(i);
      continue;
    }
    const key = receiptKey(e);
    if (key !== null) {
      if (known.has(`${d.id}|${key}`)) {
        ignored++;
        continue;
      }
      known.add(`${d.id}|${key}`);
    }
    byDelivery.set(d, [...(byDelivery.get(d) ?? []), e]);
  }
  let applied = 0;
  let recorded = 0;
  const campaigns = new Map<string, { workspaceId: string; campaignId: string }>();
  for (const [d, list] of byDelivery) {
    const decision = decideReceipts(d, list);
    ignored += list.length - decision.record.length;
    applied += decision.applied;
    for (const i of decision.record) {
      const e = list[i]!;
      t.events.push({
        workspaceId: d.workspaceId,
        campaignId: d.campaignId,
        deliveryId: d.id,
        type: `delivery.${e.state}`,
        key: receiptKey(e),
        payload: receiptPayload(e),
        at: new Date(e.at),
      });
      recorded++;
    }
    if (decision.next) {
      d.state = decision.next.state;
      d.failureClass = decision.next.failureClass;
      if (decision.next.error !== null) d.lastError = decision.next.error;
      d.updatedAt = new Date(Math.max(...decision.record.map((i) => list[i]!.at.getTime())));
      campaigns.set(d.campaignId, { workspaceId: d.workspaceId, campaignId: d.campaignId });
      const campaign = t.campaigns.get(d.campaignId);
      if (decision.next.state === 'failed' && campaign && mayEscalateLate(campaign)) {
        t.lateFailures.add(d.campaignId);
      }
    }
  }
  const unknown = unknownAt.map((i) => refOf(events[i]!));
  return { result: { applied, recorded, ignored, unknown, campaigns: [...campaigns.values()] }, unknownAt };
}
