import type { SuppressionReason } from '../domain/contact.js';
import type { Batch, Delivery, DeliveryState } from '../domain/delivery.js';
import { endRetry } from '../engine/end-retry.js';
import { QunfaError } from '../errors.js';
import type { BatchRef, BatchSettlement, DeliveryResult } from '../ports/store.js';
import { applyEarlyOfSettled } from './early-receipts.js';
import { batchRefOf, type MemoryTables } from './tables.js';

type Retry = NonNullable<DeliveryResult['retry']>;

/** Writes a batch's settlement into the tables, all or nothing; returns the follow-up batches. */
export function settle(t: MemoryTables, settlement: BatchSettlement): BatchRef[] {
  const batch = t.batches.get(settlement.batchId);
  if (batch?.state !== 'leased' || batch.leaseOwner !== settlement.leaseOwner) {
    throw new QunfaError('LEASE_LOST', 'the batch is no longer leased by this worker', {
      details: { batchId: settlement.batchId },
    });
  }
  // Settled after its campaign was cancelled: what was sent stands, nothing is queued again.
  const cancelled = t.campaigns.get(batch.campaignId)?.state === 'cancelled';
  const results = cancelled ? settlement.results.map(endRetry) : settlement.results;
  const targets = results.map((r) => {
    const delivery = t.deliveries.get(r.deliveryId);
    if (delivery?.batchId !== batch.id) {
      throw new QunfaError('INVALID_INPUT', 'a result is for a delivery outside the batch', {
        details: { batchId: batch.id, deliveryId: r.deliveryId },
      });
    }
    return delivery;
  });

  const retries = new Map<string, { retry: Retry; deliveries: Delivery[] }>();
  const states: Partial<Record<DeliveryState, number>> = {};
  results.forEach((result, i) => {
    const delivery = targets[i] as Delivery;
    apply(t, batch, delivery, result, settlement.at);
    states[delivery.state] = (states[delivery.state] ?? 0) + 1;
    if (result.retry) {
      const key = `${result.retry.channel}|${result.retry.account}|${result.retry.at.getTime()}|${result.retry.batchSize}|${result.retry.reason ?? ''}`;
      const group = retries.get(key) ?? { retry: result.retry, deliveries: [] };
      group.deliveries.push(delivery);
      retries.set(key, group);
    }
  });

  const followUps: BatchRef[] = [];
  let seq = Math.max(
    ...[...t.batches.values()].filter((b) => b.campaignId === batch.campaignId).map((b) => b.seq),
  );
  for (const { retry, deliveries } of retries.values()) {
    const size = Math.max(1, retry.batchSize);
    for (let from = 0; from < deliveries.length; from += size) {
      const members = deliveries.slice(from, from + size);
      const id = t.nextId();
      t.batches.set(id, {
        id,
        workspaceId: batch.workspaceId,
        campaignId: batch.campaignId,
        channel: retry.channel,
        account: retry.account,
        seq: ++seq,
        state: 'queued',
        dueAt: new Date(retry.at),
        size: members.length,
        starts: 0,
        leaseOwner: null,
        leaseUntil: null,
        waitReason: retry.reason ?? null,
      });
      for (const d of members) d.batchId = id;
      followUps.push(batchRefOf(t, t.batches.get(id)!));
    }
  }

  // Receipts that beat this settlement (kept by `applyReceipts`) apply now, as part of it.
  applyEarlyOfSettled(t, targets);
  Object.assign(batch, { state: settlement.batchState, leaseOwner: null, leaseUntil: null });
  t.claimedFromQueued.delete(batch.id);
  t.audit.push({
    at: settlement.at,
    workspaceId: batch.workspaceId,
    campaignId: batch.campaignId,
    actor: { kind: 'worker', id: settlement.leaseOwner },
    action: 'batch_settled',
    details: { batchId: batch.id, batchState: settlement.batchState, states, followUps: followUps.length },
  });
  return followUps;
}

function apply(t: MemoryTables, batch: Batch, delivery: Delivery, result: DeliveryResult, at: Date): void {
  const d = delivery;
  d.state = result.retry ? 'queued' : result.state;
  d.updatedAt = at;
  if (result.attempt) {
    const list = t.attempts.get(d.id) ?? [];
    list.push({
      deliveryId: d.id,
      attempt: list.length + 1,
      channel: result.attempt.channel,
      account: result.attempt.account,
      batchId: batch.id,
      at,
      status: result.attempt.status,
      providerMessageId: result.attempt.providerMessageId,
      failureClass: result.attempt.failureClass,
      error: result.attempt.error,
      note: result.attempt.note ?? null,
    });
    t.attempts.set(d.id, list);
    d.attempts++;
    if (result.attempt.providerMessageId) d.providerMessageId = result.attempt.providerMessageId;
  }
  d.failureClass = result.failureClass ?? result.attempt?.failureClass ?? null;
  d.lastError = result.error ?? result.attempt?.error ?? d.lastError;
  // Rules may name reasons of their own (`quiet_hours`), kept as given.
  if (result.suppressionReason) d.suppressionReason = result.suppressionReason as SuppressionReason;
  if (result.retry && result.retry.channel !== d.channel) {
    d.channel = result.retry.channel;
    d.attempts = 0;
  }
}
