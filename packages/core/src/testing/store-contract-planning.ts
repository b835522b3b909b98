import { expect, it } from 'vitest';
import { variantBucket } from '../domain/variant-bucket.js';
import { isQunfaError } from '../errors.js';
import {
  at,
  claimAll,
  makePlan,
  seedCampaign,
  seedContacts,
  t0,
  transition,
} from './store-contract-setup.js';
import type { StoreHarness } from './store-harness.js';

/** Campaign transitions and plan execution. */
export function planningContract(harness: () => StoreHarness): void {
  it('transitions by compare-and-set', async () => {
    const h = harness();
    await seedCampaign(h, { id: '1' });
    const moved = await h.store.transitionCampaign(transition('1', 'draft', 'in_review'));
    expect(moved.state).toBe('in_review');
    expect((await h.store.getCampaign('1'))?.state).toBe('in_review');
    const stale = h.store.transitionCampaign(transition('1', 'draft', 'in_review'));
    await expect(stale).rejects.toSatisfy((e) => isQunfaError(e, 'ILLEGAL_TRANSITION'));
    expect((await h.store.getCampaign('1'))?.state).toBe('in_review');
  });

  it('does not transition another workspace’s campaign', async () => {
    const h = harness();
    await seedCampaign(h, { id: '1', workspaceId: '2' });
    const wrong = h.store.transitionCampaign(transition('1', 'draft', 'in_review'));
    await expect(wrong).rejects.toSatisfy((e) => isQunfaError(e, 'CAMPAIGN_NOT_FOUND'));
  });

  it('plans every recipient once, with suppression reasons and no_address', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1' },
      { id: '2', suppressions: ['unsubscribed'] },
      { id: '3', suppressions: ['blacklisted', 'complained'] },
      { id: '4', kinds: ['email'] },
      { id: '5' },
      { id: '6', suppressions: ['erased'] },
      { id: '7' },
    ]);
    await seedCampaign(h, { id: '1' });
    const { campaign, summary } = await h.store.startCampaign(
      transition('1', 'draft', 'running'),
      makePlan('1'),
    );
    expect(campaign.state).toBe('running');
    expect(summary.total).toBe(7);
    expect(summary.queued).toBe(3);
    expect(summary.batches).toBe(2);
    expect(Object.values(summary.suppressed).reduce((a, b) => a + (b ?? 0), 0)).toBe(4);
    expect(summary.suppressed.unsubscribed).toBe(1);
    expect(summary.suppressed.erased).toBe(1);
    expect(summary.suppressed.no_address).toBe(1);
    expect((summary.suppressed.blacklisted ?? 0) + (summary.suppressed.complained ?? 0)).toBe(1);
    const counters = await h.store.counters('1');
    expect(counters).toMatchObject({ total: 7, queued: 3, suppressed: 4, sent: 0 });
  });

  it('orders by last activity (never active last), then id; cuts, numbers and times batches', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '10', activeAt: 5 },
      { id: '9' },
      { id: '2', activeAt: 50 },
      { id: '3', activeAt: 5 },
      { id: '11', kinds: ['email'], activeAt: 1 },
      { id: '4' },
      { id: '12', kinds: ['email'] },
    ]);
    await seedCampaign(h, { id: '1' });
    const plan = makePlan('1', {
      channels: [
        { channel: 'channel:a', identityKinds: ['phone'], batchSize: 2, accounts: ['x', 'y'] },
        { channel: 'channel:b', identityKinds: ['email'], batchSize: 5, accounts: [] },
      ],
    });
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), plan);
    expect(summary).toMatchObject({ total: 7, queued: 7, batches: 4 });
    expect((await h.store.dueBatches(t0, 100)).length).toBe(1);
    const claimed = await claimAll(h);
    const shape = claimed.map((c) => ({
      seq: c.batch.seq,
      channel: c.batch.channel,
      account: c.batch.account,
      size: c.batch.size,
      dueAt: c.batch.dueAt.getTime(),
      contacts: c.recipients.map((r) => r.contactId),
    }));
    expect(shape).toEqual([
      { seq: 0, channel: 'channel:a', account: 'x', size: 2, dueAt: t0.getTime(), contacts: ['2', '3'] },
      {
        seq: 1,
        channel: 'channel:a',
        account: 'y',
        size: 2,
        dueAt: at(60_000).getTime(),
        contacts: ['10', '4'],
      },
      { seq: 2, channel: 'channel:a', account: 'x', size: 1, dueAt: at(120_000).getTime(), contacts: ['9'] },
      {
        seq: 3,
        channel: 'channel:b',
        account: null,
        size: 2,
        dueAt: at(180_000).getTime(),
        contacts: ['11', '12'],
      },
    ]);
    for (const c of claimed) {
      expect(c.batch.state).toBe('leased');
      expect(c.recipients.every((r) => r.previousState === 'queued' && r.attempts === 0)).toBe(true);
    }
  });

  it('assigns variants by variantBucket ranges', async () => {
    const h = harness();
    const ids = Array.from({ length: 60 }, (_, i) => String(1000 + i * 7919));
    await seedContacts(
      h,
      ids.map((id) => ({ id })),
    );
    await seedCampaign(h, { id: '1' });
    const variants = [
      { id: '1', fromBucket: 0, toBucket: 3000 },
      { id: '2', fromBucket: 3000, toBucket: 7000 },
      { id: '3', fromBucket: 7000, toBucket: 10_000 },
    ];
    const plan = makePlan('1', { variants, variantSeed: 987_654_321 });
    plan.channels[0]!.batchSize = 100;
    await h.store.startCampaign(transition('1', 'draft', 'running'), plan);
    const recipients = (await claimAll(h)).flatMap((c) => c.recipients);
    expect(recipients).toHaveLength(60);
    for (const r of recipients) {
      const bucket = variantBucket(r.contactId, 987_654_321);
      expect(variants.find((v) => bucket >= v.fromBucket && bucket < v.toBucket)?.id).toBe(r.variantId);
    }
  });

  it('plans an all-suppressed audience with no batch, and completes it at once', async () => {
    const h = harness();
    await seedContacts(h, [
      { id: '1', suppressions: ['unsubscribed'] },
      { id: '2', kinds: [] },
    ]);
    await seedCampaign(h, { id: '1' });
    const { summary } = await h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    expect(summary).toMatchObject({ total: 2, queued: 0, batches: 0 });
    const done = await h.store.completeIfDone('1', at(1000));
    expect(done?.state).toBe('completed');
  });

  it('writes nothing when the start transition is stale', async () => {
    const h = harness();
    await seedContacts(h, [{ id: '1' }]);
    await seedCampaign(h, { id: '1', state: 'approved' });
    const start = h.store.startCampaign(transition('1', 'draft', 'running'), makePlan('1'));
    await expect(start).rejects.toSatisfy((e) => isQunfaError(e, 'ILLEGAL_TRANSITION'));
    expect((await h.store.counters('1')).total).toBe(0);
    expect((await h.store.getCampaign('1'))?.state).toBe('approved');
  });

  it('spreads the batches evenly over a send window', async () => {
    const h = harness();
    await seedContacts(
      h,
      ['1', '2', '3', '4', '5', '6', '7'].map((id) => ({ id })),
    );
    await seedCampaign(h, { id: '1' });
    const plan = makePlan('1', { spreadOverMs: 1000 });
    await h.store.startCampaign(transition('1', 'draft', 'running'), plan);
    const due = (await claimAll(h)).map((c) => c.batch.dueAt.getTime() - t0.getTime());
    // 4 batches of 2 over 1 s: 0, 333, 666, 1000 ms.
    expect(due).toEqual([0, 333, 666, 1000]);
  });

  it('creates one run per template and key, copying the template, and lists recurring templates due', async () => {
    const h = harness();
    const schedule = { kind: 'recurring' as const, cron: '0 10 * * *', timeZone: 'Asia/Shanghai' };
    const template = await seedCampaign(h, { id: '1', state: 'scheduled', schedule, nextRunAt: at(60_000) });
    await seedCampaign(h, { id: '2', state: 'scheduled', schedule: { kind: 'triggered' }, nextRunAt: null });
    // A template is never a due scheduled campaign, whatever its scheduledAt.
    expect(await h.store.scheduledCampaignsDue(at(120_000), 10)).toEqual([]);
    expect(await h.store.recurringDue(t0, 10)).toEqual([]);
    expect(await h.store.recurringDue(at(60_000), 10)).toEqual([{ workspaceId: '1', campaignId: '1' }]);
    const actor = { kind: 'system' as const, id: 'test' };
    const input = {
      templateId: '1',
      key: 'k1',
      name: 'run k1',
      at: at(60_000),
      actor,
      nextRunAt: at(120_000),
    };
    const first = await h.store.createRun(input);
    expect(first.created).toBe(true);
    expect(first.campaign).toMatchObject({
      state: 'draft',
      name: 'run k1',
      workspaceId: '1',
      audience: template.audience,
      channelPlan: template.channelPlan,
      schedule: null,
      runOf: { campaignId: '1', key: 'k1' },
    });
    expect(first.campaign.variants.map((v) => [v.key, v.weight, v.content])).toEqual(
      template.variants.map((v) => [v.key, v.weight, v.content]),
    );
    expect(first.campaign.variants[0]!.id).not.toBe(template.variants[0]!.id);
    expect((await h.store.getCampaign('1'))?.nextRunAt).toEqual(at(120_000));
    const again = await h.store.createRun({ ...input, name: 'other' });
    expect(again).toMatchObject({ created: false, campaign: { id: first.campaign.id, name: 'run k1' } });
    expect((await h.store.createRun({ ...input, key: 'k2' })).campaign.id).not.toBe(first.campaign.id);
    await h.store.setNextRunAt('1', null);
    expect(await h.store.recurringDue(at(10_000_000), 10)).toEqual([]);
  });

  it('lists scheduled campaigns once due', async () => {
    const h = harness();
    await seedCampaign(h, { id: '1', state: 'scheduled', scheduledAt: at(60_000) });
    await seedCampaign(h, { id: '2', state: 'draft', scheduledAt: at(0) });
    expect(await h.store.scheduledCampaignsDue(t0, 10)).toEqual([]);
    expect(await h.store.scheduledCampaignsDue(at(60_000), 10)).toEqual([
      { workspaceId: '1', campaignId: '1' },
    ]);
  });
}
