import { expect, it } from 'vitest';
import type { EscalationSweep } from '../ports/store.js';
import { sentWithWindow, sweep, window } from './store-contract-escalation-setup.js';
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

export function escalationContract(harness: () => StoreHarness): void {
  it('lists running campaigns with an escalation window or a later step', async () => {
    const h = harness();
    await sentWithWindow(h);
    expect(await h.store.campaignsWithEscalation(10)).toEqual([{ workspaceId: '1', campaignId: '1' }]);
    await h.store.transitionCampaign(transition('1', 'running', 'paused'));
    expect(await h.store.campaignsWithEscalation(10)).toEqual([]);
    expect(await h.store.escalateUnconfirmed(sweep(120_000))).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 0,
    });
  });

  it('escalates once the window has passed, to a step that can address the contact', async () => {
    const h = harness();
    await sentWithWindow(h);
    expect(await h.store.escalateUnconfirmed(sweep(60_999))).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 3,
    });
    const result = await h.store.escalateUnconfirmed(sweep(61_000));
    expect(result).toMatchObject({ escalated: 2, waiting: 0 });
    expect(result.followUps.map((f) => [f.campaignId, f.dueAt.getTime(), f.step])).toEqual([
      ['1', at(61_000).getTime(), 1],
    ]);
    expect(await h.store.counters('1')).toMatchObject({ total: 4, delivered: 1, sent: 1, queued: 2 });
    const [claimed] = await claimAll(h);
    expect(claimed?.batch).toMatchObject({ id: result.followUps[0]!.id, channel: 'channel:b', size: 2 });
    expect(claimed?.recipients.map((r) => [r.contactId, r.attempts, r.previousState])).toEqual([
      ['2', 0, 'queued'],
      ['3', 0, 'queued'],
    ]);
    // Nothing left to move: the contact without an email stays sent.
    expect(await h.store.escalateUnconfirmed(sweep(200_000))).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 0,
    });
    expect((await h.store.counters('2')).sent).toBe(4);
  });

  it("judges a window where its channels' receipts are read, when that is before now", async () => {
    const h = harness();
    await sentWithWindow(h);
    const readUntil = (nowMs: number, readMs: number): EscalationSweep => {
      const s = sweep(nowMs);
      return { ...s, windows: s.windows.map((w) => ({ ...w, receiptsReadUntil: at(readMs) })) };
    };
    // Read further than now: judged at now (sent at +1 s, a 60 s window).
    expect(await h.store.escalateUnconfirmed(readUntil(60_999, 600_000))).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 3,
    });
    // Receipts read up to +60.999 s cannot judge it, however late the sweep.
    expect(await h.store.escalateUnconfirmed(readUntil(600_000, 60_999))).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 3,
    });
    expect(await h.store.escalateUnconfirmed(readUntil(600_000, 61_000))).toMatchObject({
      escalated: 2,
      waiting: 0,
    });
  });

  it('counts deliveries not sent yet on a watched channel as waiting', async () => {
    const h = harness();
    await seedContacts(h, [{ id: '1' }, { id: '2' }]);
    await seedCampaign(h, {
      id: '1',
      channelPlan: [{ channel: 'channel:a', escalateAfter: window }, { channel: 'channel:b' }],
    });
    await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    expect(await h.store.escalateUnconfirmed(sweep(600_000))).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 2,
    });
    await claimAll(h);
    expect(await h.store.escalateUnconfirmed(sweep(600_000))).toEqual({
      escalated: 0,
      followUps: [],
      waiting: 2,
    });
  });

  it('plans and escalates no one onto a channel whose relations with them all ended', async () => {
    const h = harness();
    if (!h.addReach) return;
    await seedContacts(h, [
      { id: '1', kinds: ['phone', 'email'] },
      { id: '2', kinds: ['phone', 'email'] },
      { id: '3', kinds: ['phone', 'email'] },
    ]);
    // 1 unfollowed channel:a: planned on b at once. On b, 2's only relation ended (never sent
    // there), 3 has one ended and one live (still reachable).
    await h.addReach({ contactId: '1', channel: 'channel:a', account: 'acc-1', ended: true });
    await h.addReach({ contactId: '2', channel: 'channel:b', account: 'acc-1', ended: true });
    await h.addReach({ contactId: '3', channel: 'channel:b', account: 'acc-1', ended: true });
    await h.addReach({ contactId: '3', channel: 'channel:b', account: 'acc-2', ended: false });
    await seedCampaign(h, {
      id: '1',
      channelPlan: [{ channel: 'channel:a', escalateAfter: window }, { channel: 'channel:b' }],
    });
    await h.store.startCampaign(
      transition('1', 'draft', 'running'),
      makePlan('1', {
        channels: [
          { channel: 'channel:a', identityKinds: ['phone'], batchSize: 2, accounts: [] },
          { channel: 'channel:b', identityKinds: ['email'], batchSize: 2, accounts: [] },
        ],
      }),
    );
    const claimed = await claimAll(h);
    expect(claimed.map((c) => [c.batch.channel, c.recipients.map((r) => r.contactId)])).toEqual([
      ['channel:a', ['2', '3']],
      ['channel:b', ['1']],
    ]);
    // A claim says where every relation ended, so a retry or a failover at settle goes there neither.
    expect(claimed.flatMap((c) => c.recipients.map((r) => [r.contactId, r.endedOn ?? []]))).toEqual([
      ['2', ['channel:b']],
      ['3', []],
      ['1', ['channel:a']],
    ]);
    for (const c of claimed) await settleAllSent(h, c, (r) => `pm-${r.contactId}`);
    const result = await h.store.escalateUnconfirmed(sweep(200_000));
    expect(result).toMatchObject({ escalated: 1, waiting: 0 });
    const [moved] = await claimAll(h);
    expect(moved?.recipients.map((r) => r.contactId)).toEqual(['3']);
  });

  it('a held window leaves deliveries awaiting confirmation; their unconfirmed failure moves them at once', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1', kinds: ['phone', 'email'] },
      { id: '2', kinds: ['phone', 'email'] },
      { id: '3', kinds: ['phone', 'email'] },
    ]);
    await seedCampaign(h, {
      id: '1',
      channelPlan: [{ channel: 'channel:a', escalateAfter: window }, { channel: 'channel:b' }],
    });
    await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    // 1 and 2 wait for their sender's confirmation; 3 was sent (a member's message, no confirmation).
    for (const claimed of await claimAll(h)) {
      await h.store.settleBatch({
        batchId: claimed.batch.id,
        leaseOwner: 'w1',
        at: at(1000),
        batchState: 'done',
        results: claimed.recipients.map((r) => {
          const awaiting = r.contactId !== '3';
          return {
            deliveryId: r.deliveryId,
            state: awaiting ? 'awaiting_confirmation' : 'sent',
            attempt: {
              channel: 'channel:a',
              account: null,
              status: awaiting ? 'awaiting_confirmation' : 'sent',
              providerMessageId: `pm-${r.contactId}`,
              failureClass: null,
              error: null,
            },
          };
        }),
      });
    }
    const held = (ms: number) =>
      sweep(ms, {
        windows: [{ ...sweep(0).windows[0]!, confirmationHeld: true }],
        failed: [
          {
            channels: ['channel:a'],
            classes: ['invalid_recipient', 'unconfirmed'],
            next: [{ channel: 'channel:b', identityKinds: ['email'], batchSize: 10, account: null }],
          },
        ],
        held: ['channel:a'],
      });
    // Long past the window: only the sent one moves; the two awaiting may still be confirmed, and
    // keep the campaign from being done.
    expect(await h.store.escalateUnconfirmed(held(600_000))).toMatchObject({ escalated: 1, waiting: 2 });
    expect(await h.store.counters('1')).toMatchObject({ awaitingConfirmation: 2, queued: 1 });
    // The channel withdrew 2's message (its sender did not confirm): it moves now; 1 stays.
    await h.store.applyReceipts([
      {
        channel: 'channel:a',
        providerMessageId: 'pm-2',
        state: 'failed',
        failure: 'unconfirmed',
        error: 'not confirmed before the deadline',
        at: at(2000),
        source: 'poll',
      },
    ]);
    expect(await h.store.escalateUnconfirmed(held(600_000))).toMatchObject({ escalated: 1, waiting: 1 });
    expect(await h.store.counters('1')).toMatchObject({ awaitingConfirmation: 1, queued: 2, failed: 0 });
  });

  it('moves at most the limit and reports the rest as waiting', async () => {
    const h = harness();
    await sentWithWindow(h);
    expect(await h.store.escalateUnconfirmed(sweep(61_000, { limit: 1 }))).toMatchObject({
      escalated: 1,
      waiting: 1,
    });
    expect(await h.store.escalateUnconfirmed(sweep(61_000, { limit: 1 }))).toMatchObject({
      escalated: 1,
      waiting: 0,
    });
  });
}
