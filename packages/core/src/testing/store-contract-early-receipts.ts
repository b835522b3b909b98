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

const delivered = (pmid: string, ms = 500): ReceiptEvent => ({
  channel: 'channel:a',
  providerMessageId: pmid,
  state: 'delivered',
  at: at(ms),
  source: 'callback',
});

/** A tracked-link click on the delivery, as the link service reports it. */
const clicked = (deliveryId: string): ReceiptEvent => ({
  deliveryId,
  state: 'clicked',
  at: at(600),
  source: 'link',
  link: 0,
});

/** Campaign '1' on `channel:a`, contacts 1–3 in batches of 2, every batch claimed (submitted). */
async function claimedCampaign(h: StoreHarness) {
  await seedContacts(
    h,
    ['1', '2', '3'].map((id) => ({ id })),
  );
  await seedCampaign(h, { id: '1' });
  await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
  const claimed = await claimAll(h);
  const delivery = Object.fromEntries(
    claimed.flatMap((c) => c.recipients.map((r) => [r.contactId, r.deliveryId] as const)),
  );
  return { claimed, delivery };
}

/** Early receipts (`ReceiptStore`): kept in the store, once; applied by the settlement; expiring; bounded. */
export function earlyReceiptContract(harness: () => StoreHarness): void {
  it('keeps unknown events once each with keepUntil, and the settlement of their delivery applies them', async () => {
    const h = harness();
    const { claimed, delivery } = await claimedCampaign(h);
    const click = clicked(delivery['2']!);
    const keepUntil = at(60_000);
    const first = await h.store.applyReceipts(
      [delivered('pm-1'), delivered('pm-1'), click, delivered('pm-nobody')],
      {
        keepUntil,
      },
    );
    expect(first).toMatchObject({ applied: 0, recorded: 0, kept: 3 });
    expect([...first.unknown].sort()).toEqual(['pm-1', 'pm-1', 'pm-nobody', delivery['2']!].sort());
    // A provider's replay, and the same click request again, are kept once.
    expect(await h.store.applyReceipts([delivered('pm-1'), click], { keepUntil })).toMatchObject({ kept: 0 });
    // Without keepUntil nothing is kept.
    expect(await h.store.applyReceipts([delivered('pm-3')])).toMatchObject({ unknown: ['pm-3'], kept: 0 });

    for (const c of claimed) await settleAllSent(h, c, (r) => `pm-${r.contactId}`);
    expect(await h.store.counters('1')).toMatchObject({ sent: 1, delivered: 1, clicked: 1, submitted: 0 });
    // pm-3's receipt was not kept; pm-nobody's still is, until it expires.
    expect(await h.store.retryEarlyReceipts({ now: at(59_999), limit: 100, cap: 100 })).toMatchObject({
      applied: 0,
      unknown: ['pm-nobody'],
      expired: 0,
      overCap: 0,
    });
    expect(await h.store.retryEarlyReceipts({ now: at(60_000), limit: 100, cap: 100 })).toMatchObject({
      applied: 0,
      expired: 1,
      overCap: 0,
    });
    expect(await h.store.retryEarlyReceipts({ now: at(60_000), limit: 100, cap: 100 })).toMatchObject({
      unknown: [],
      expired: 0,
    });
    expect(await h.store.counters('1')).toMatchObject({ sent: 1, delivered: 1, clicked: 1 });
  });

  it('a retry applies what it finds settled, once; beyond the cap the oldest are dropped', async () => {
    const h = harness();
    const { claimed } = await claimedCampaign(h);
    const keepUntil = at(60_000);
    await h.store.applyReceipts([delivered('pm-old-1'), delivered('pm-old-2')], { keepUntil });
    await h.store.applyReceipts([delivered('pm-3', 700)], { keepUntil });
    expect(await h.store.retryEarlyReceipts({ now: at(1000), limit: 100, cap: 1 })).toMatchObject({
      applied: 0,
      expired: 0,
      overCap: 2,
    });
    for (const c of claimed) await settleAllSent(h, c, (r) => `pm-${r.contactId}`);
    expect(await h.store.counters('1')).toMatchObject({ sent: 2, delivered: 1 });
    expect(await h.store.retryEarlyReceipts({ now: at(1000), limit: 100, cap: 1 })).toMatchObject({
      applied: 0,
      unknown: [],
      overCap: 0,
    });
  });

  it('keeps an expired receipt while a started send on its channel is unsettled (killed mid-send): its settlement, however late, applies it', async () => {
    const h = harness();
    const { claimed, delivery } = await claimedCampaign(h);
    const click = clicked(delivery['2']!);
    const keepUntil = at(60_000);
    await h.store.applyReceipts([delivered('pm-1'), click], { keepUntil });
    // Long past its grace: the batches that may have sent pm-1 (and the clicked delivery) are still unsettled.
    expect(await h.store.retryEarlyReceipts({ now: at(600_000), limit: 100, cap: 100 })).toMatchObject({
      applied: 0,
      expired: 0,
    });
    for (const c of claimed) await settleAllSent(h, c, (r) => `pm-${r.contactId}`);
    expect(await h.store.counters('1')).toMatchObject({ sent: 1, delivered: 1, clicked: 1, submitted: 0 });
    // With no send unsettled, an unknown receipt expires at its time.
    await h.store.applyReceipts([delivered('pm-nobody')], { keepUntil });
    expect(await h.store.retryEarlyReceipts({ now: at(600_000), limit: 100, cap: 100 })).toMatchObject({
      unknown: ['pm-nobody'],
      expired: 1,
    });
  });
}
