import { expect, it } from 'vitest';
import type { DeliveryResult } from '../ports/store.js';
import { at, makePlan, seedCampaign, seedContacts, t0, transition } from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

const lease = { owner: 'w1', leaseMs: 60_000 };
const night = at(7 * 3_600_000);

/** Five contacts of workspace '1' in campaign '1' (batches of 2, a minute apart), and one of workspace '2' in campaign '2'. */
async function seed(h: StoreHarness): Promise<void> {
  await seedContacts(h, [...['1', '2', '3', '4', '5'].map((id) => ({ id })), { id: '6', workspaceId: '2' }]);
  await seedCampaign(h, { id: '1' });
  await seedCampaign(h, { id: '2', workspaceId: '2' });
  await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
  await h.store.startCampaign(
    { ...transition('2', 'draft', 'running'), workspaceId: '2' },
    makePlan('2', { workspaceId: '2' }),
  );
}

/** Claims the first due batch of campaign `campaignId` and defers all of it until `until` for `reason`. */
async function deferFirst(h: StoreHarness, campaignId: string, until: Date, reason: string) {
  const refs = await h.store.dueBatches(t0, 100);
  const ref = refs.find((r) => r.campaignId === campaignId)!;
  const claimed = await h.store.claimBatch({ batchId: ref.id, now: t0, ...lease });
  const results: DeliveryResult[] = claimed!.recipients.map((r) => ({
    deliveryId: r.deliveryId,
    state: 'queued',
    error: `deferred: ${reason}`,
    retry: { at: until, channel: 'channel:a', batchSize: 2, account: null, reason },
  }));
  const settled = await h.store.settleBatch({
    batchId: claimed!.batch.id,
    leaseOwner: 'w1',
    at: t0,
    batchState: 'done',
    results,
  });
  return { ids: claimed!.recipients.map((r) => r.deliveryId), followUp: settled.followUps[0]! };
}

/** `waitingBatches` and `rescheduleWaiting`: what a campaign waits for, and deferrals judged again. */
export function waitingContract(harness: () => StoreHarness): void {
  it('groups the batches not due yet by their wait reason and channel, with recipients and times', async () => {
    const h = harness();
    await seed(h);
    expect(await h.store.waitingBatches('1', t0)).toEqual([
      { reason: null, channel: 'channel:a', recipients: 3, firstDueAt: at(60_000), lastDueAt: at(120_000) },
    ]);
    await deferFirst(h, '1', night, 'quiet_hours');
    const [second] = (await h.store.dueBatches(at(60_000), 10)).filter((r) => r.campaignId === '1');
    await h.store.claimBatch({ batchId: second!.id, now: at(60_000), ...lease });
    await h.store.releaseBatch({
      batchId: second!.id,
      owner: 'w1',
      dueAt: at(86_400_000),
      reason: 'quota_reached',
    });
    const waiting = await h.store.waitingBatches('1', at(60_000));
    expect(waiting.sort((a, b) => String(a.reason).localeCompare(String(b.reason)))).toEqual([
      { reason: null, channel: 'channel:a', recipients: 1, firstDueAt: at(120_000), lastDueAt: at(120_000) },
      { reason: 'quiet_hours', channel: 'channel:a', recipients: 2, firstDueAt: night, lastDueAt: night },
      {
        reason: 'quota_reached',
        channel: 'channel:a',
        recipients: 2,
        firstDueAt: at(86_400_000),
        lastDueAt: at(86_400_000),
      },
    ]);
    // Due is not waiting.
    expect(await h.store.waitingBatches('1', at(86_400_000))).toEqual([]);
  });

  it('brings one workspace deferrals of a reason forward in new batches, with the same deliveries', async () => {
    const h = harness();
    await seed(h);
    const one = await deferFirst(h, '1', night, 'quiet_hours');
    await deferFirst(h, '2', night, 'quiet_hours');
    const now = at(1000);
    expect(await h.store.rescheduleWaiting({ workspaceId: '1', reason: 'frequency_cap', now })).toEqual([]);
    const moved = await h.store.rescheduleWaiting({ workspaceId: '1', reason: 'quiet_hours', now });
    expect(moved).toEqual([
      { id: expect.any(String), workspaceId: '1', campaignId: '1', dueAt: now, step: 0 },
    ]);
    expect(moved[0]!.id).not.toBe(one.followUp.id);
    // The old batch is gone for good: a queue's job for it finds nothing to claim, even at its time.
    expect(await h.store.claimBatch({ batchId: one.followUp.id, now: night, ...lease })).toBeUndefined();
    expect((await h.store.dueBatches(now, 100)).map((r) => r.id)).toContain(moved[0]!.id);
    const claimed = await h.store.claimBatch({ batchId: moved[0]!.id, now, ...lease });
    expect(claimed?.recipients.map((r) => r.deliveryId).sort()).toEqual([...one.ids].sort());
    expect(claimed?.batch.waitReason).toBeNull();
    expect(await h.store.waitingBatches('1', now)).not.toContainEqual(
      expect.objectContaining({ reason: 'quiet_hours' }),
    );
    // Workspace 2's deferral waits on; without a workspace, every one is brought forward.
    expect(await h.store.waitingBatches('2', now)).toContainEqual(
      expect.objectContaining({ reason: 'quiet_hours', recipients: 1 }),
    );
    expect(await h.store.rescheduleWaiting({ reason: 'quiet_hours', now })).toEqual([
      { id: expect.any(String), workspaceId: '2', campaignId: '2', dueAt: now, step: 0 },
    ]);
  });

  it('leaves the deferrals of a campaign that ended alone', async () => {
    const h = harness();
    await seed(h);
    await deferFirst(h, '1', night, 'quiet_hours');
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled', 1000));
    expect(await h.store.rescheduleWaiting({ reason: 'quiet_hours', now: at(2000) })).toEqual([]);
  });
}
