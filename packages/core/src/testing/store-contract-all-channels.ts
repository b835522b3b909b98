import { expect, it } from 'vitest';
import type { CampaignPlan, ClaimedRecipient, DeliveryResult } from '../ports/store.js';
import { at, claimAll, makePlan, seedCampaign, seedContacts, transition } from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

/** `channel:a` on phones (failing over to `channel:a2`), `channel:b` on e-mail, every step that reaches. */
const allChannels = (campaignId: string, overrides: Partial<CampaignPlan> = {}) =>
  makePlan(campaignId, {
    channelMode: 'all',
    channels: [
      {
        channel: 'channel:a',
        identityKinds: ['phone'],
        batchSize: 2,
        accounts: [],
        failover: ['channel:a2'],
      },
      { channel: 'channel:b', identityKinds: ['email'], batchSize: 5, accounts: [] },
    ],
    ...overrides,
  });

/** Contacts of a campaign's claimed batches, by channel. */
async function recipientsByChannel(h: StoreHarness): Promise<Record<string, string[]>> {
  const byChannel: Record<string, string[]> = {};
  for (const c of await claimAll(h)) {
    byChannel[c.batch.channel] = [
      ...(byChannel[c.batch.channel] ?? []),
      ...c.recipients.map((r) => r.contactId),
    ];
  }
  for (const list of Object.values(byChannel)) list.sort();
  return byChannel;
}

/** Plans of an all-channels campaign (`CampaignPlan.channelMode: 'all'`). */
export function allChannelsContract(harness: () => StoreHarness): void {
  it('plans a delivery on every channel that reaches a recipient, one for a suppressed or unaddressable one', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1', kinds: ['phone', 'email'] },
      { id: '2', kinds: ['phone'] },
      { id: '3', kinds: ['email'] },
      { id: '4', kinds: ['phone', 'email'], suppressions: ['unsubscribed'] },
      { id: '5', kinds: ['phone', 'email'] },
    ]);
    await seedCampaign(h, { id: '1', channelMode: 'all' });
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), allChannels('1'));
    // Three people on phones (2 batches of 2 at most), three on e-mail (1 batch), one suppressed.
    expect(summary).toMatchObject({ total: 7, queued: 6, waiting: 0, batches: 3 });
    expect(summary.suppressed).toEqual({ unsubscribed: 1 });
    const counters = await h.store.counters('1');
    // Counters count deliveries, and add up.
    expect(counters).toMatchObject({ total: 7, queued: 6, suppressed: 1 });
    expect(await recipientsByChannel(h)).toEqual({
      'channel:a': ['1', '2', '5'],
      'channel:b': ['1', '3', '5'],
    });
  });

  it('plans as the first-channel mode does when a plan has one step', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1', kinds: ['phone', 'email'] },
      { id: '2', kinds: ['email'] },
    ]);
    await seedCampaign(h, { id: '1', channelMode: 'all' });
    const plan = allChannels('1');
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), {
      ...plan,
      channels: plan.channels.slice(0, 1),
    });
    expect(summary).toMatchObject({ total: 2, queued: 1, suppressed: { no_address: 1 } });
  });

  it('resends each recipient on the channels whose message failed, found on a failover provider too', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1', kinds: ['phone', 'email'] },
      { id: '2', kinds: ['phone', 'email'] },
      { id: '3', kinds: ['phone', 'email'] },
    ]);
    await seedCampaign(h, { id: '1', channelMode: 'all' });
    await h.store.startCampaign(transition('1', 'draft', 'running'), allChannels('1'));
    // Contact 1's SMS fails over to channel:a2 and fails there; contact 2's e-mail fails; the rest are sent.
    const failed = (r: ClaimedRecipient, channel: string) => ({
      deliveryId: r.deliveryId,
      state: 'failed' as const,
      failureClass: 'invalid_recipient' as const,
      error: 'refused',
      attempt: {
        channel,
        account: null,
        status: 'failed' as const,
        providerMessageId: null,
        failureClass: 'invalid_recipient' as const,
        error: 'refused',
      },
    });
    for (let round = 0; round < 2; round++) {
      for (const c of await claimAll(h)) {
        const channel = c.batch.channel;
        await h.store.settleBatch({
          batchId: c.batch.id,
          leaseOwner: 'w1',
          at: at(1000),
          batchState: 'done',
          results: c.recipients.map((r): DeliveryResult => {
            if (r.contactId === '1' && channel === 'channel:a')
              return {
                ...failed(r, channel),
                failureClass: 'network',
                state: 'queued',
                retry: { at: at(1000), channel: 'channel:a2', batchSize: 2, account: null },
              };
            if (r.contactId === '1' && channel === 'channel:a2') return failed(r, channel);
            if (r.contactId === '2' && channel === 'channel:b') return failed(r, channel);
            return { deliveryId: r.deliveryId, state: 'sent' };
          }),
        });
      }
    }
    expect(await h.store.counters('1')).toMatchObject({ total: 6, sent: 4, failed: 2, queued: 0 });
    await seedCampaign(h, { id: '2', channelMode: 'all', resendOf: { campaignId: '1', states: ['failed'] } });
    const { summary } = await h.store.startCampaign(
      transition('2', 'draft', 'running'),
      allChannels('2', { restrictTo: { campaignId: '1', states: ['failed'] } }),
    );
    expect(summary).toMatchObject({ total: 2, queued: 2 });
    expect(await recipientsByChannel(h)).toEqual({ 'channel:a': ['1'], 'channel:b': ['2'] });
  });
}
