import type { Delivery, DeliveryState } from '../domain/delivery.js';
import type { BatchRef, EscalationResult, EscalationSweep, EscalationWindow } from '../ports/store.js';
import { settledByEarly } from './early-receipts.js';
import { batchRefOf, type MemoryTables, reachableOn } from './tables.js';

/**
 * The states a window escalates: those short of the receipt it waits for; awaiting confirmation
 * only where the channel does not withdraw unconfirmed messages itself (`confirmationHeld`).
 */
export function escalatingStates(
  window: Pick<EscalationWindow, 'unless' | 'confirmationHeld'>,
): DeliveryState[] {
  const states: DeliveryState[] = window.confirmationHeld ? ['sent'] : ['sent', 'awaiting_confirmation'];
  return window.unless === 'read' ? [...states, 'delivered'] : states;
}

/** The first later step with an identity of the contact's that still reaches them. */
function nextStep(t: MemoryTables, d: Delivery, next: EscalationWindow['next']) {
  const identities = t.contacts.get(d.contactId)?.identities ?? [];
  return next.find(
    (n) =>
      identities.some((i) => i.value !== '' && n.identityKinds.includes(i.kind)) &&
      reachableOn(t, d.contactId, n.channel),
  );
}

/** The reference of `Store.escalateUnconfirmed`. */
export function escalate(t: MemoryTables, sweep: EscalationSweep): EscalationResult {
  const state = t.campaigns.get(sweep.campaignId)?.state;
  if (state !== 'running' && !(sweep.reopenCompleted && state === 'completed'))
    return { escalated: 0, followUps: [], waiting: 0 };
  if (sweep.reopenCompleted) t.lateFailures.delete(sweep.campaignId);
  const cutoff = sweep.now.getTime();
  let waiting = 0;
  let budget = sweep.limit;
  const groups = new Map<string, { next: EscalationWindow['next'][number]; deliveries: Delivery[] }>();
  const deliveries = [...t.deliveries.values()].filter((d) => d.campaignId === sweep.campaignId);
  for (const window of sweep.windows) {
    const states = escalatingStates(window);
    const judgedAt = Math.min(cutoff, window.receiptsReadUntil?.getTime() ?? cutoff);
    for (const d of deliveries) {
      if (d.resolution !== null || !d.channel || !window.channels.includes(d.channel)) continue;
      // Not sent yet: its window is still to come.
      if (d.state === 'queued' || d.state === 'submitted') {
        waiting++;
        continue;
      }
      if (!states.includes(d.state)) continue;
      const sentAt = (t.attempts.get(d.id) ?? []).at(-1)?.at ?? d.updatedAt;
      // Within its window, or a kept receipt that beat the settlement says it arrived: it waits
      // (applied by the next retry of early receipts), never moved on a second channel.
      if (sentAt.getTime() + window.afterMs > judgedAt || settledByEarly(t, d, window.unless)) {
        waiting++;
        continue;
      }
      const next = nextStep(t, d, window.next);
      if (!next) continue;
      if (budget === 0) {
        waiting++;
        continue;
      }
      budget--;
      const group = groups.get(next.channel) ?? { next, deliveries: [] };
      group.deliveries.push(d);
      groups.set(next.channel, group);
    }
  }
  // Held for their channel's verdict: confirmed and reported, or withdrawn and moved on.
  const held = new Set(sweep.held ?? []);
  for (const d of deliveries) {
    if (d.resolution === null && d.state === 'awaiting_confirmation' && d.channel && held.has(d.channel))
      waiting++;
  }
  for (const step of sweep.failed ?? []) {
    for (const d of deliveries) {
      if (d.resolution !== null || d.state !== 'failed' || !d.channel || !step.channels.includes(d.channel))
        continue;
      if (!d.failureClass || !step.classes.includes(d.failureClass)) continue;
      const next = nextStep(t, d, step.next);
      if (!next) continue;
      if (budget === 0) {
        waiting++;
        continue;
      }
      budget--;
      const group = groups.get(next.channel) ?? { next, deliveries: [] };
      group.deliveries.push(d);
      groups.set(next.channel, group);
    }
  }
  const campaign = t.campaigns.get(sweep.campaignId);
  let seq = Math.max(
    -1,
    ...[...t.batches.values()].filter((b) => b.campaignId === sweep.campaignId).map((b) => b.seq),
  );
  const followUps: BatchRef[] = [];
  let escalated = 0;
  for (const { next, deliveries: members } of groups.values()) {
    for (let from = 0; from < members.length; from += next.batchSize) {
      const chunk = members.slice(from, from + next.batchSize);
      const id = t.nextId();
      t.batches.set(id, {
        id,
        workspaceId: sweep.workspaceId,
        campaignId: sweep.campaignId,
        channel: next.channel,
        account: next.account,
        seq: ++seq,
        state: 'queued',
        dueAt: new Date(sweep.now),
        size: chunk.length,
        starts: 0,
        leaseOwner: null,
        leaseUntil: null,
        waitReason: null,
      });
      for (const d of chunk) {
        Object.assign(d, {
          state: 'queued',
          channel: next.channel,
          batchId: id,
          attempts: 0,
          updatedAt: sweep.now,
        });
      }
      escalated += chunk.length;
      followUps.push(batchRefOf(t, t.batches.get(id)!));
    }
  }
  if (escalated > 0 && campaign?.state === 'completed') {
    Object.assign(campaign, { state: 'running', finishedAt: null, updatedAt: sweep.now });
    t.audit.push({
      at: sweep.now,
      workspaceId: sweep.workspaceId,
      campaignId: sweep.campaignId,
      actor: { kind: 'system', id: 'engine' },
      // A state change like any other, so that partners hear of it between the two completions.
      action: 'transition',
      details: { from: 'completed', to: 'running', reason: 'late_failures', count: escalated },
    });
  }
  if (escalated > 0 && campaign) {
    t.audit.push({
      at: sweep.now,
      workspaceId: sweep.workspaceId,
      campaignId: sweep.campaignId,
      actor: { kind: 'system', id: 'engine' },
      action: 'deliveries_escalated',
      details: { count: escalated, batches: followUps.length },
    });
  }
  return { escalated, followUps, waiting };
}
