import type { ClaimedBatch } from '../ports/store.js';
import { cancelUnsent } from './cancel-unsent.js';
import { type MemoryTables, reachableOn } from './tables.js';

/** Leases a due (or expired) batch of a running campaign and moves its queued deliveries to submitted. */
export function claim(
  t: MemoryTables,
  input: { batchId: string; owner: string; now: Date; leaseMs: number },
): ClaimedBatch | undefined {
  const batch = t.batches.get(input.batchId);
  const campaign = batch && t.campaigns.get(batch.campaignId);
  if (!batch || !campaign) return undefined;
  const abandoned = batch.state === 'leased' && batch.leaseUntil !== null && batch.leaseUntil < input.now;
  // Its worker died while the campaign was cancelled: nobody will settle it, so it ends with
  // the campaign's other unsent work (what the dead start may have sent, `uncertain`).
  if (abandoned && campaign.state === 'cancelled') {
    Object.assign(batch, { state: 'queued', leaseOwner: null, leaseUntil: null });
    cancelUnsent(t, campaign.id, input.now);
    return undefined;
  }
  if (campaign.state !== 'running') return undefined;
  const claimable = (batch.state === 'queued' && batch.dueAt <= input.now) || abandoned;
  if (!claimable) return undefined;
  batch.state = 'leased';
  batch.leaseOwner = input.owner;
  batch.leaseUntil = new Date(input.now.getTime() + input.leaseMs);
  batch.starts++;
  const moved = new Set<string>();
  const recipients = [...t.deliveries.values()]
    .filter((d) => d.batchId === batch.id && (d.state === 'queued' || d.state === 'submitted'))
    .map((d) => {
      const previousState = d.state;
      if (d.state === 'queued') {
        d.state = 'submitted';
        d.updatedAt = input.now;
        moved.add(d.id);
      }
      const contact = t.contacts.get(d.contactId);
      return {
        deliveryId: d.id,
        contactId: d.contactId,
        // A batched delivery always has its variant (the A/B rest gets the winner's with its batch).
        variantId: d.variantId ?? '',
        attempts: d.attempts,
        previousState,
        identities: contact?.identities ?? [],
        name: contact?.name ?? null,
        attributes: contact?.attributes ?? {},
        ...endedOn(t, d.contactId),
      };
    });
  t.claimedFromQueued.set(batch.id, moved);
  return structuredClone({ batch, campaign, recipients });
}

/** Gives a batch back to the queue, undoing what its claim did. */
export function release(
  t: MemoryTables,
  input: { batchId: string; owner: string; dueAt: Date; reason?: string },
): void {
  const batch = t.batches.get(input.batchId);
  if (batch?.state !== 'leased' || batch.leaseOwner !== input.owner) return;
  // Only what this claim moved goes back: a delivery already `submitted` before it may have been sent.
  for (const id of t.claimedFromQueued.get(batch.id) ?? []) {
    const d = t.deliveries.get(id);
    if (d?.state === 'submitted') d.state = 'queued';
  }
  t.claimedFromQueued.delete(batch.id);
  // A release is not a crash: the start is uncounted so pauses and quota waits never make a batch poison.
  Object.assign(batch, {
    state: 'queued',
    dueAt: input.dueAt,
    starts: batch.starts - 1,
    leaseOwner: null,
    leaseUntil: null,
    waitReason: input.reason ?? null,
  });
  // Given back after its campaign was cancelled: it ends with the campaign's other unsent work.
  const campaign = t.campaigns.get(batch.campaignId);
  if (campaign?.state === 'cancelled') cancelUnsent(t, campaign.id, new Date());
}

/** `endedOn`: the channels whose every relation to the contact has ended, when there are any. */
function endedOn(t: MemoryTables, contactId: string): { endedOn?: string[] } {
  const channels = new Set<string>();
  for (const key of t.reach.keys()) {
    const [contact, channel] = key.split('|');
    if (contact === contactId && channel) channels.add(channel);
  }
  const ended = [...channels].filter((c) => !reachableOn(t, contactId, c)).sort();
  return ended.length > 0 ? { endedOn: ended } : {};
}
