import { expect, it } from 'vitest';
import { sweep } from './store-contract-escalation-setup.js';
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

/** Permanent failures a receipt reported after the send: moved on, and a completed campaign reopened for them. */
export function lateFailureContract(harness: () => StoreHarness): void {
  it('moves a permanent failure a receipt reported to the next step that can address the contact', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1' },
      { id: '2', kinds: ['phone', 'email'] },
      { id: '3', kinds: ['phone', 'email'] },
      { id: '4' },
    ]);
    await seedCampaign(h, { id: '1', channelPlan: [{ channel: 'channel:a' }, { channel: 'channel:b' }] });
    await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    for (const claimed of await claimAll(h)) await settleAllSent(h, claimed, (r) => `pm-${r.contactId}`);
    const failed = (id: string, failure: 'invalid_recipient' | 'unknown') => ({
      channel: 'channel:a',
      providerMessageId: `pm-${id}`,
      state: 'failed' as const,
      failure,
      error: 'MK:0001',
      at: at(2000),
      source: 'callback' as const,
    });
    // 2: moves; 3: a class that does not escalate; 4: no later step can address them.
    await h.store.applyReceipts([
      failed('2', 'invalid_recipient'),
      failed('3', 'unknown'),
      failed('4', 'invalid_recipient'),
    ]);
    const failedSweep = sweep(3000, {
      windows: [],
      failed: [
        {
          channels: ['channel:a'],
          classes: ['invalid_recipient', 'blocked_by_user'],
          next: [{ channel: 'channel:b', identityKinds: ['email'], batchSize: 10, account: null }],
        },
      ],
    });
    const result = await h.store.escalateUnconfirmed(failedSweep);
    expect(result).toMatchObject({ escalated: 1, waiting: 0 });
    const counters = await h.store.counters('1');
    expect(counters).toMatchObject({ total: 4, sent: 1, failed: 2, queued: 1 });
    expect(counters.failedByClass).toMatchObject({ invalid_recipient: 1, unknown: 1 });
    const [claimed] = await claimAll(h);
    expect(claimed?.batch).toMatchObject({ channel: 'channel:b', size: 1 });
    expect(claimed?.recipients.map((r) => [r.contactId, r.attempts])).toEqual([['2', 0]]);
    expect(await h.store.escalateUnconfirmed(failedSweep)).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 0,
    });
  });

  it('reopens a completed campaign for a late failure only when asked, and only when one moves', async () => {
    const h = harness();
    await seedContacts(h, [{ id: '1', kinds: ['phone', 'email'] }, { id: '2' }]);
    await seedCampaign(h, { id: '1', channelPlan: [{ channel: 'channel:a' }, { channel: 'channel:b' }] });
    await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    for (const claimed of await claimAll(h)) await settleAllSent(h, claimed, (r) => `pm-${r.contactId}`);
    expect((await h.store.completeIfDone('1', at(1500)))?.state).toBe('completed');
    const late = (id: string) => ({
      channel: 'channel:a',
      providerMessageId: `pm-${id}`,
      state: 'failed' as const,
      failure: 'invalid_recipient' as const,
      error: 'MK:0001',
      at: at(2000),
      source: 'callback' as const,
    });
    expect(await h.store.campaignsWithLateFailures(10)).toEqual([]);
    // Counted however late: contact 2 has no later step, and the campaign stays completed.
    await h.store.applyReceipts([late('2')]);
    expect(await h.store.counters('1')).toMatchObject({ total: 2, sent: 1, failed: 1 });
    // Marked with the receipt, for the tick to sweep should the escalation after it never run.
    expect(await h.store.campaignsWithLateFailures(10)).toEqual([{ workspaceId: '1', campaignId: '1' }]);
    const lateSweep = sweep(3000, {
      windows: [],
      failed: [
        {
          channels: ['channel:a'],
          classes: ['invalid_recipient'],
          next: [{ channel: 'channel:b', identityKinds: ['email'], batchSize: 10, account: null }],
        },
      ],
    });
    expect((await h.store.escalateUnconfirmed({ ...lateSweep, reopenCompleted: true })).escalated).toBe(0);
    expect((await h.store.getCampaign('1'))?.state).toBe('completed');
    // Swept (nothing to move): the mark is gone.
    expect(await h.store.campaignsWithLateFailures(10)).toEqual([]);
    await h.store.applyReceipts([late('1')]);
    // Not asked to reopen: a completed campaign is left alone, and stays marked.
    expect((await h.store.escalateUnconfirmed(lateSweep)).escalated).toBe(0);
    expect(await h.store.campaignsWithLateFailures(10)).toEqual([{ workspaceId: '1', campaignId: '1' }]);
    const result = await h.store.escalateUnconfirmed({ ...lateSweep, reopenCompleted: true });
    expect(result).toMatchObject({ escalated: 1, waiting: 0 });
    const campaign = await h.store.getCampaign('1');
    expect(campaign).toMatchObject({ state: 'running', finishedAt: null });
    expect(await h.store.counters('1')).toMatchObject({ total: 2, failed: 1, queued: 1 });
    expect(await h.store.campaignsWithLateFailures(10)).toEqual([]);
    const [claimed] = await claimAll(h);
    expect(claimed?.recipients.map((r) => r.contactId)).toEqual(['1']);
  });

  it('marks no late failure of a one-step or all-channels campaign, nor of a running one', async () => {
    const h = harness();
    await seedContacts(h, [{ id: '1', kinds: ['phone', 'email'] }]);
    await seedCampaign(h, { id: '1', channelPlan: [{ channel: 'channel:a' }] });
    await seedCampaign(h, {
      id: '2',
      channelMode: 'all',
      channelPlan: [{ channel: 'channel:a' }, { channel: 'channel:b' }],
    });
    await seedCampaign(h, { id: '3', channelPlan: [{ channel: 'channel:a' }, { channel: 'channel:b' }] });
    for (const id of ['1', '2', '3']) {
      await h.store.startCampaign(
        transition(id, 'draft', 'running'),
        makePlan(id, { audience: { all: true } }),
      );
    }
    for (const claimed of await claimAll(h)) {
      await settleAllSent(
        h,
        claimed,
        (r) => `pm-${claimed.campaign.id}-${r.contactId}-${claimed.batch.channel}`,
      );
    }
    for (const id of ['1', '2'])
      expect((await h.store.completeIfDone(id, at(1500)))?.state).toBe('completed');
    await h.store.applyReceipts(
      ['1-1-channel:a', '2-1-channel:a', '3-1-channel:a'].map((pm) => ({
        channel: 'channel:a',
        providerMessageId: `pm-${pm}`,
        state: 'failed' as const,
        failure: 'invalid_recipient' as const,
        at: at(2000),
        source: 'callback' as const,
      })),
    );
    expect(await h.store.counters('3')).toMatchObject({ failed: 1 });
    expect(await h.store.campaignsWithLateFailures(10)).toEqual([]);
  });
}
