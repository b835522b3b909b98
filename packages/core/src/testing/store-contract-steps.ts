import { expect, it } from 'vitest';
import type { DeliveryResult } from '../ports/store.js';
import { makePlan, seedCampaign, seedContacts, t0, transition } from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

const lease = { owner: 'w1', leaseMs: 60_000 };

/** `BatchRef.step`: the plan step of a batch's channel, by which a queue hands later steps out first. */
export function stepContract(harness: () => StoreHarness): void {
  it("gives each batch its channel's step: a failover provider its step's, every step 0 in an all-channels plan", async () => {
    const h = harness();
    await seedContacts(h, [{ id: '1' }, { id: '2' }]);
    await seedCampaign(h, {
      id: '1',
      channelPlan: [
        { channel: 'channel:a' },
        { channel: 'channel:b', failover: ['channel:c'] },
        { channel: 'channel:d' },
      ],
    });
    await seedCampaign(h, {
      id: '2',
      channelMode: 'all',
      channelPlan: [{ channel: 'channel:a' }, { channel: 'channel:b' }],
    });
    await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    const onB = { channel: 'channel:b', identityKinds: ['phone' as const], batchSize: 2, accounts: [] };
    await h.store.startCampaign(transition('2', 'draft', 'running'), makePlan('2', { channels: [onB] }));
    const due = await h.store.dueBatches(t0, 10);
    expect(due.map((r) => [r.campaignId, r.step]).sort()).toEqual([
      ['1', 0],
      ['2', 0],
    ]);

    const first = due.find((r) => r.campaignId === '1')!;
    const claimed = await h.store.claimBatch({ batchId: first.id, now: t0, ...lease });
    const attempt = { channel: 'channel:a', account: null, providerMessageId: null, error: null };
    const retryOn = (r: { deliveryId: string }, channel: string): DeliveryResult => ({
      deliveryId: r.deliveryId,
      state: 'queued',
      failureClass: 'invalid_recipient',
      attempt: { ...attempt, status: 'failed', failureClass: 'invalid_recipient' },
      retry: { at: t0, channel, batchSize: 2, account: null },
    });
    const [one, two] = claimed!.recipients;
    const settled = await h.store.settleBatch({
      batchId: first.id,
      leaseOwner: 'w1',
      at: t0,
      batchState: 'done',
      results: [retryOn(one!, 'channel:c'), retryOn(two!, 'channel:d')],
    });
    const stepOf = new Map(settled.followUps.map((f) => [f.id, f.step]));
    expect([...stepOf.values()].sort()).toEqual([1, 2]);
    const again = await h.store.dueBatches(t0, 10);
    expect(again.filter((r) => stepOf.has(r.id)).map((r) => [r.id, r.step])).toEqual(
      expect.arrayContaining([...stepOf]),
    );
    expect(again.filter((r) => stepOf.has(r.id))).toHaveLength(2);
  });
}
