import { expect, it } from 'vitest';
import { settledCount } from '../domain/counters.js';
import type { ClaimedBatch, DeliveryResult } from '../ports/store.js';
import { at, makePlan, seedCampaign, seedContacts, t0, transition } from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

/** Six phone contacts, batches of 2 due a minute apart, campaign '1' running. */
async function running(h: StoreHarness): Promise<void> {
  await seedContacts(
    h,
    ['1', '2', '3', '4', '5', '6'].map((id) => ({ id })),
  );
  await seedCampaign(h, { id: '1' });
  await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
}

async function claimFirst(h: StoreHarness, owner = 'w1', now = t0): Promise<ClaimedBatch> {
  const [ref] = await h.store.dueBatches(now, 1);
  const claimed = await h.store.claimBatch({ batchId: ref!.id, owner, now, leaseMs: 60_000 });
  if (!claimed) throw new Error('nothing to claim');
  return claimed;
}

const retry = { at: at(7_200_000), channel: 'channel:a', batchSize: 2, account: null };

/** Nothing queued, waiting or in flight: every delivery is counted in a settled state. */
async function expectNothingLeft(h: StoreHarness): Promise<void> {
  const counters = await h.store.counters('1');
  expect(counters).toMatchObject({ queued: 0, waiting: 0, submitted: 0 });
  expect(settledCount(counters)).toBe(counters.total);
  expect(await h.store.dueBatches(at(365 * 24 * 3_600_000), 100)).toEqual([]);
  expect(await h.store.expiredLeases(at(365 * 24 * 3_600_000), 100)).toEqual([]);
}

/** Cancelling ends every unsent delivery in a settled state the counters show. */
export function cancelContract(harness: () => StoreHarness): void {
  it('ends queued deliveries suppressed as cancelled', async () => {
    const h = harness();
    await running(h);
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled'));
    expect(await h.store.counters('1')).toMatchObject({ total: 6, suppressed: 6, queued: 0 });
    await expectNothingLeft(h);
  });

  it('lets a batch in flight settle its sends, and ends its retries and deferrals instead of queuing them', async () => {
    const h = harness();
    await running(h);
    const claimed = await claimFirst(h);
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled', 500));
    const [networkFailed, deferred] = claimed.recipients;
    const results: DeliveryResult[] = [
      {
        deliveryId: networkFailed!.deliveryId,
        state: 'queued',
        failureClass: 'network',
        error: 'timeout',
        attempt: {
          channel: 'channel:a',
          account: null,
          status: 'failed',
          providerMessageId: null,
          failureClass: 'network',
          error: 'timeout',
        },
        retry: { ...retry, reason: 'retry' },
      },
      {
        deliveryId: deferred!.deliveryId,
        state: 'queued',
        error: 'deferred: quiet hours',
        retry: { ...retry, reason: 'quiet_hours' },
      },
    ];
    const settled = await h.store.settleBatch({
      batchId: claimed.batch.id,
      leaseOwner: 'w1',
      at: at(1000),
      batchState: 'done',
      results,
    });
    expect(settled.followUps).toEqual([]);
    const counters = await h.store.counters('1');
    expect(counters).toMatchObject({ total: 6, failed: 1, suppressed: 5 });
    expect(counters.failedByClass.network).toBe(1);
    await expectNothingLeft(h);
  });

  it('cancels a batch given back after the cancel, with its deliveries', async () => {
    const h = harness();
    await running(h);
    const claimed = await claimFirst(h);
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled', 500));
    await h.store.releaseBatch({ batchId: claimed.batch.id, owner: 'w1', dueAt: at(60_000) });
    expect(await h.store.counters('1')).toMatchObject({ total: 6, suppressed: 6 });
    await expectNothingLeft(h);
  });

  it('ends a batch whose worker died during the cancel, once its lease runs out', async () => {
    const h = harness();
    await running(h);
    const claimed = await claimFirst(h, 'w1', t0);
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled', 500));
    // w1 dies before settling: the engine's recovery offers the expired lease to a worker.
    const expired = await h.store.expiredLeases(at(120_000), 10);
    expect(expired.map((r) => r.id)).toEqual([claimed.batch.id]);
    const again = await h.store.claimBatch({
      batchId: claimed.batch.id,
      owner: 'w2',
      now: at(120_000),
      leaseMs: 60_000,
    });
    expect(again).toBeUndefined();
    expect(await h.store.counters('1')).toMatchObject({ total: 6, uncertain: 2, suppressed: 4 });
    await expectNothingLeft(h);
    // w1 comes back late: the batch is no longer its own to give back.
    await h.store.releaseBatch({ batchId: claimed.batch.id, owner: 'w1', dueAt: at(180_000) });
    expect(await h.store.counters('1')).toMatchObject({ total: 6, uncertain: 2, suppressed: 4 });
  });

  it('marks uncertain what an interrupted start may have sent', async () => {
    const h = harness();
    await running(h);
    const first = await claimFirst(h, 'w1', t0);
    // w1 dies; w2 takes the expired lease over and gives the batch back (a pause, a quota wait).
    const again = await h.store.claimBatch({
      batchId: first.batch.id,
      owner: 'w2',
      now: at(120_000),
      leaseMs: 60_000,
    });
    expect(again?.batch.starts).toBe(2);
    await h.store.releaseBatch({ batchId: first.batch.id, owner: 'w2', dueAt: at(180_000) });
    await h.store.transitionCampaign(transition('1', 'running', 'cancelled', 150_000));
    expect(await h.store.counters('1')).toMatchObject({ total: 6, uncertain: 2, suppressed: 4 });
    await expectNothingLeft(h);
  });
}
