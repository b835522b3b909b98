import { expect, it } from 'vitest';
import type { CampaignPlan } from '../ports/store.js';
import { claimAll, makePlan, seedCampaign, seedContacts, transition } from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

/** `channel:a` on phones, then `channel:b` on e-mail, with the capacities given. */
const plan = (campaignId: string, a: number | undefined, b: number | undefined): CampaignPlan =>
  makePlan(campaignId, {
    channels: [
      {
        channel: 'channel:a',
        identityKinds: ['phone'],
        batchSize: 10,
        accounts: [],
        ...(a === undefined ? {} : { capacity: a }),
      },
      {
        channel: 'channel:b',
        identityKinds: ['email'],
        batchSize: 10,
        accounts: [],
        ...(b === undefined ? {} : { capacity: b }),
      },
    ],
  });

/** Contacts of the claimed batches by channel, in claim order. */
async function byChannel(h: StoreHarness): Promise<Record<string, string[]>> {
  const found: Record<string, string[]> = {};
  for (const c of await claimAll(h)) {
    found[c.batch.channel] = [...(found[c.batch.channel] ?? []), ...c.recipients.map((r) => r.contactId)];
  }
  return found;
}

/** Steps with a capacity (`CampaignPlan.channels[].capacity`, a daily quota left). */
export function capacityContract(harness: () => StoreHarness): void {
  const contacts = [
    { id: '1', kinds: ['phone', 'email'] as ('phone' | 'email')[] },
    { id: '2', kinds: ['phone', 'email'] as ('phone' | 'email')[] },
    { id: '3', kinds: ['phone', 'email'] as ('phone' | 'email')[] },
    { id: '4', kinds: ['phone', 'email'] as ('phone' | 'email')[] },
    { id: '5', kinds: ['phone'] as ('phone' | 'email')[] },
    { id: '6', kinds: ['email'] as ('phone' | 'email')[] },
  ];

  it('plans recipients a step has no room for on the next step that reaches them, and says how many', async () => {
    const h = harness();
    await seedContacts(h, contacts);
    await seedCampaign(h, { id: '1' });
    const { summary } = await h.store.startCampaign(
      transition('1', 'draft', 'running'),
      plan('1', 2, undefined),
    );
    expect(summary).toMatchObject({ total: 6, queued: 6 });
    expect(summary.movedForQuota).toEqual([{ from: 'channel:a', to: 'channel:b', count: 2 }]);
    // Contact 5 has no other step: it stays on channel:a and waits for its quota.
    expect(await byChannel(h)).toEqual({ 'channel:a': ['1', '2', '5'], 'channel:b': ['3', '4', '6'] });
  });

  it('keeps a recipient on its first step when no later step has room either', async () => {
    const h = harness();
    await seedContacts(h, contacts);
    await seedCampaign(h, { id: '1' });
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), plan('1', 2, 1));
    expect(summary.movedForQuota).toEqual([{ from: 'channel:a', to: 'channel:b', count: 1 }]);
    expect(await byChannel(h)).toEqual({ 'channel:a': ['1', '2', '4', '5'], 'channel:b': ['3', '6'] });
  });

  it('moves nobody when the first step has room for everyone', async () => {
    const h = harness();
    await seedContacts(h, contacts);
    await seedCampaign(h, { id: '1' });
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), plan('1', 5, 0));
    expect(summary.movedForQuota).toBeUndefined();
    expect(await byChannel(h)).toEqual({ 'channel:a': ['1', '2', '3', '4', '5'], 'channel:b': ['6'] });
  });
}
