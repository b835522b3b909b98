import { expect, it } from 'vitest';
import type { ReceiptEvent } from '../ports/store.js';
import {
  at,
  claimAll,
  makePlan,
  seedCampaign,
  seedContacts,
  settleAllSent,
  transition,
} from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

/**
 * Campaign '1' on `channel:a` with contacts 1–5: 1–4 sent with provider id `pm-<contact>`,
 * 5 submitted (its batch claimed, never settled). Returns each contact's delivery id.
 */
async function sentCampaign(h: StoreHarness): Promise<Record<string, string>> {
  await seedContacts(
    h,
    ['1', '2', '3', '4', '5'].map((id) => ({ id })),
  );
  await seedCampaign(h, { id: '1' });
  await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
  const delivery: Record<string, string> = {};
  for (const claimed of await claimAll(h)) {
    for (const r of claimed.recipients) delivery[r.contactId] = r.deliveryId;
    if (claimed.recipients.some((r) => r.contactId === '5')) continue;
    await settleAllSent(h, claimed, (r) => `pm-${r.contactId}`);
  }
  return delivery;
}

const receipt = (
  contact: string,
  state: ReceiptEvent['state'],
  ms: number,
  extra: Partial<ReceiptEvent> = {},
): ReceiptEvent => ({
  channel: 'channel:a',
  providerMessageId: `pm-${contact}`,
  state,
  at: at(ms),
  source: 'callback',
  ...extra,
});

/** Receipts and engagement: monotonic states, idempotence, unknown ids, counters. */
export function receiptContract(harness: () => StoreHarness): void {
  it('moves deliveries forward only and counts each move once', async () => {
    const h = harness();
    await sentCampaign(h);
    const first = await h.store.applyReceipts([
      receipt('1', 'delivered', 2000),
      receipt('2', 'read', 3000),
      receipt('2', 'delivered', 2000),
      receipt('3', 'clicked', 4000),
    ]);
    expect(first).toMatchObject({ applied: 4, recorded: 4, ignored: 0, unknown: [] });
    expect(first.campaigns).toEqual([{ workspaceId: '1', campaignId: '1' }]);
    expect(await h.store.counters('1')).toMatchObject({
      sent: 1,
      delivered: 1,
      read: 1,
      clicked: 1,
      submitted: 1,
    });

    // Replays (a provider's click too), a stale receipt behind the state, a read after the click:
    // nothing moves and nothing is recorded.
    const again = await h.store.applyReceipts([
      receipt('1', 'delivered', 2000),
      receipt('2', 'delivered', 2500),
      receipt('3', 'read', 3500),
      receipt('3', 'clicked', 4000),
    ]);
    expect(again).toMatchObject({ applied: 0, recorded: 0, ignored: 4, unknown: [], campaigns: [] });
    // A provider's later click of a clicked delivery is an event, not a count.
    expect(await h.store.applyReceipts([receipt('3', 'clicked', 6000)])).toMatchObject({
      applied: 0,
      recorded: 1,
      campaigns: [],
    });
    expect(await h.store.counters('1')).toMatchObject({ sent: 1, delivered: 1, read: 1, clicked: 1 });

    const later = await h.store.applyReceipts([receipt('1', 'read', 5000), receipt('1', 'read', 5000)]);
    expect(later).toMatchObject({ applied: 1, recorded: 1, ignored: 1 });
    expect(await h.store.counters('1')).toMatchObject({
      sent: 1,
      delivered: 0,
      read: 2,
      clicked: 1,
      total: 5,
    });
  });

  it('fails a sent delivery on a failure receipt, never one that arrived', async () => {
    const h = harness();
    await sentCampaign(h);
    await h.store.applyReceipts([receipt('2', 'delivered', 2000)]);
    const result = await h.store.applyReceipts([
      receipt('1', 'failed', 3000, { failure: 'invalid_recipient', error: 'empty number' }),
      receipt('2', 'failed', 3000, { failure: 'invalid_recipient' }),
      receipt('3', 'filtered', 3000),
      receipt('4', 'failed', 3000),
      receipt('4', 'delivered', 3100),
    ]);
    expect(result).toMatchObject({ applied: 3, recorded: 3, ignored: 2 });
    const c = await h.store.counters('1');
    expect(c).toMatchObject({ sent: 0, delivered: 2, failed: 1, filtered: 1 });
    expect(c.failedByClass.invalid_recipient).toBe(1);
    // A failed delivery stays failed: later receipts do not revive it.
    await h.store.applyReceipts([receipt('1', 'delivered', 4000), receipt('3', 'read', 4000)]);
    expect(await h.store.counters('1')).toMatchObject({ delivered: 2, read: 0, failed: 1, filtered: 1 });
  });

  it('sends a delivery held for confirmation on a sent receipt, and nothing else', async () => {
    const h = harness();
    await seedContacts(
      h,
      ['1', '2', '3', '4'].map((id) => ({ id })),
    );
    await seedCampaign(h, { id: '1' });
    await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    for (const claimed of await claimAll(h)) {
      await h.store.settleBatch({
        batchId: claimed.batch.id,
        leaseOwner: 'w1',
        at: at(1000),
        batchState: 'done',
        results: claimed.recipients.map((r) => {
          const held = r.contactId !== '4';
          return {
            deliveryId: r.deliveryId,
            state: held ? 'awaiting_confirmation' : 'sent',
            attempt: {
              channel: 'channel:a',
              account: null,
              status: held ? 'awaiting_confirmation' : 'sent',
              providerMessageId: `pm-${r.contactId}`,
              failureClass: null,
              error: null,
            },
          };
        }),
      });
    }
    expect(await h.store.counters('1')).toMatchObject({ awaitingConfirmation: 3, sent: 1 });
    // Every batch is done, but three sends wait for a person: the campaign is not complete.
    expect(await h.store.completeIfDone('1', at(1500))).toBeUndefined();
    const result = await h.store.applyReceipts([
      receipt('1', 'sent', 2000),
      // A failure with it wins: the provider reported both, the message did not go out.
      receipt('2', 'sent', 2000),
      receipt('2', 'failed', 2100, { failure: 'unconfirmed' }),
      // Already sent: a confirmation says nothing new.
      receipt('4', 'sent', 2000),
    ]);
    expect(result).toMatchObject({ applied: 2, recorded: 2, ignored: 2, unknown: [] });
    expect(await h.store.counters('1')).toMatchObject({ awaitingConfirmation: 1, sent: 2, failed: 1 });
    // A replay, and a confirmation after the delivery was failed: nothing moves.
    expect(
      await h.store.applyReceipts([receipt('1', 'sent', 2000), receipt('2', 'sent', 3000)]),
    ).toMatchObject({ applied: 0, recorded: 0, ignored: 2 });
    // Delivered after the confirmation moves on as usual.
    await h.store.applyReceipts([receipt('3', 'sent', 2000), receipt('1', 'delivered', 4000)]);
    expect(await h.store.counters('1')).toMatchObject({
      awaitingConfirmation: 0,
      sent: 2,
      delivered: 1,
      failed: 1,
    });
    // The last result is in: now it completes.
    expect((await h.store.completeIfDone('1', at(5000)))?.state).toBe('completed');
  });

  it('reports unknown ids and writes nothing for them', async () => {
    const h = harness();
    const ids = await sentCampaign(h);
    const before = await h.store.counters('1');
    const result = await h.store.applyReceipts([
      receipt('9', 'delivered', 2000),
      { ...receipt('1', 'delivered', 2000), channel: 'channel:b' },
      { deliveryId: '999999999', state: 'clicked', at: at(2000), source: 'link', link: 0 },
      { deliveryId: 'not-a-number', state: 'clicked', at: at(2000), source: 'link', link: 0 },
      // A click (or an open) proves a submitted delivery went out: it beat the settlement, and is
      // reported back to be tried again once the delivery is settled, not dropped.
      { deliveryId: ids['5']!, state: 'clicked', at: at(2000), source: 'link', link: 0 },
    ]);
    expect(result).toMatchObject({ applied: 0, recorded: 0, ignored: 0, campaigns: [] });
    expect(result.unknown.sort()).toEqual(['999999999', ids['5']!, 'not-a-number', 'pm-1', 'pm-9'].sort());
    expect(await h.store.counters('1')).toEqual(before);
  });

  it('counts the first tracked click and keeps later ones as events only', async () => {
    const h = harness();
    const ids = await sentCampaign(h);
    const click = (ms: number): ReceiptEvent => ({
      deliveryId: ids['1']!,
      state: 'clicked',
      at: at(ms),
      source: 'link',
      link: 0,
    });
    expect(await h.store.applyReceipts([click(2000)])).toMatchObject({ applied: 1, recorded: 1 });
    expect(await h.store.applyReceipts([click(3000), click(3000)])).toMatchObject({
      applied: 0,
      recorded: 2,
      ignored: 0,
      campaigns: [],
    });
    expect(await h.store.counters('1')).toMatchObject({ sent: 3, clicked: 1, read: 0 });
  });
}
