import type { EscalationSweep } from '../ports/store.js';
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

export const window = { ms: 60_000, unless: 'delivered' as const };

/**
 * Campaign '1' with a 60 s window on `channel:a`: contacts 1–4 sent at +1 s (2 and 3 also have
 * an email), contact 1 delivered. Campaign '2' has one step and no window.
 */
export async function sentWithWindow(h: StoreHarness): Promise<void> {
  await seedContacts(h, [
    { id: '1' },
    { id: '2', kinds: ['phone', 'email'] },
    { id: '3', kinds: ['phone', 'email'] },
    { id: '4' },
  ]);
  await seedCampaign(h, {
    id: '1',
    channelPlan: [{ channel: 'channel:a', escalateAfter: window }, { channel: 'channel:b' }],
  });
  await seedCampaign(h, { id: '2', channelPlan: [{ channel: 'channel:a' }] });
  await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
  await h.store.startCampaign(
    transition('2', 'draft', 'running'),
    makePlan('2', { audience: { all: true } }),
  );
  for (const claimed of await claimAll(h)) {
    await settleAllSent(h, claimed, (r) => `pm-${claimed.campaign.id}-${r.contactId}`);
  }
  await h.store.applyReceipts([
    { channel: 'channel:a', providerMessageId: 'pm-1-1', state: 'delivered', at: at(2000), source: 'poll' },
  ]);
}

export const sweep = (ms: number, overrides: Partial<EscalationSweep> = {}): EscalationSweep => ({
  workspaceId: '1',
  campaignId: '1',
  now: at(ms),
  windows: [
    {
      channels: ['channel:a'],
      afterMs: window.ms,
      unless: 'delivered',
      next: [{ channel: 'channel:b', identityKinds: ['email'], batchSize: 2, account: null }],
    },
  ],
  limit: 100,
  ...overrides,
});

/** Channel escalation after a delay. */
