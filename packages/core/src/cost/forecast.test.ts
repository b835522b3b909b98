import { describe, expect, it } from 'vitest';
import { fakeChannel } from '../engine/fake-channel.test-support.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import type { ChannelPrice } from './prices.js';
import { costOf, priceFor, segmentsOf, smsSegments } from './prices.js';

const ref = { workspaceId: '1', campaignId: '1' };
const contacts = (n: number) => Array.from({ length: n }, (_, i) => makeContact({ id: String(i + 1) }));

describe('prices', () => {
  const prices: ChannelPrice[] = [
    { channel: 'channel:sms', account: null, unit: 'segment', amount: 0.045, currency: 'CNY' },
    { channel: 'channel:sms', account: 'vip', unit: 'segment', amount: 0.03, currency: 'CNY' },
  ];
  it("takes an account's own price over its channel's, and none for an unpriced channel", () => {
    expect(priceFor(prices, 'channel:sms', 'vip')?.amount).toBe(0.03);
    expect(priceFor(prices, 'channel:sms', 'other')?.amount).toBe(0.045);
    expect(priceFor(prices, 'channel:sms', null)?.amount).toBe(0.045);
    expect(priceFor(prices, 'channel:mail', null)).toBeUndefined();
  });

  it('bills SMS by the segments of 【sign】 and the filled template, 70 for one and 67 each after', () => {
    // Aliyun's named placeholders, written as the provider shows them.
    const template = ['$', '{name}您好，', '$', '{body}'].join('');
    const limits = {
      maxRecipientsPerSend: 100,
      contentTypes: ['text' as const],
      receipts: true,
      recall: false,
      idempotencyKeys: false,
      sms: { signName: '群发', templates: { promo: { id: 'SMS_1', text: template } } },
    };
    // 【群发】 (4) + 张三您好， (5) + 61 characters = 70: one segment; one more character: two.
    const body = 'x'.repeat(61);
    expect(segmentsOf({ type: 'text', subject: 'promo', text: `name: 张三\nbody: ${body}` }, limits)).toBe(1);
    expect(segmentsOf({ type: 'text', subject: 'promo', text: `name: 张三\nbody: ${body}y` }, limits)).toBe(
      2,
    );
    expect(smsSegments(134)).toBe(2);
    expect(smsSegments(135)).toBe(3);
    // Off SMS a message is one unit.
    expect(segmentsOf({ type: 'text', text: 'y'.repeat(500) }, { ...limits, sms: undefined })).toBe(1);
    expect(costOf(prices[0]!, 1000, 2)).toBe(90);
    expect(costOf({ ...prices[0]!, unit: 'message' }, 1000, 2)).toBe(45);
  });
});

describe('engine: forecast', () => {
  it('writes nothing, and foresees the quota another campaign used and the batch the day end takes', async () => {
    const channel = fakeChannel({ maxSendsPerDay: 3, maxPerSend: 2 });
    // 15:00 UTC is 23:00 in Shanghai: the quota window ends an hour later.
    const t = createTestEngine({ plugins: [channel], start: '2026-01-05T15:00:00Z' });
    await t.addContacts(contacts(4));
    await t.addCampaign({ id: '1' });
    // One of today's three sends went to another campaign.
    const today = {
      limit: 3,
      start: new Date('2026-01-04T16:00:00Z'),
      end: new Date('2026-01-05T16:00:00Z'),
    };
    await t.limiter.consumeQuota('channel:test:default', 1, today);
    const prices: ChannelPrice[] = [
      { channel: 'channel:test', account: null, unit: 'message', amount: 0.1, currency: 'CNY' },
    ];
    const f = await t.engine.forecast({ ...ref, actor: t.actor, prices });
    expect(t.store.deliveries('1')).toEqual([]);
    expect((await t.store.getCampaign('1'))?.state).toBe('draft');
    expect(f).toMatchObject({
      recipients: 4,
      messages: 4,
      deferred: [{ reason: 'quota_reached', count: 2, lastUntil: new Date('2026-01-05T16:00:00Z') }],
      firstSendAt: new Date('2026-01-05T15:00:00Z'),
      finishAt: new Date('2026-01-05T16:00:00Z'),
      cost: [{ currency: 'CNY', amount: 0.4 }],
      unpriced: [],
    });
    expect(f.channels).toEqual([
      expect.objectContaining({ channel: 'channel:test', messages: 4, segments: 4, cost: 0.4 }),
    ]);
    // The dry run read the quota and took none of it: the real run meets what it foresaw.
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls.map((c) => c.messages.length)).toEqual([2]);
    expect(t.store.batches('1')[1]).toMatchObject({
      state: 'queued',
      dueAt: new Date('2026-01-05T16:00:00Z'),
    });
    await t.clock.advance(3_600_000);
    await t.drain();
    expect(channel.calls.map((c) => c.messages.length)).toEqual([2, 2]);
    await expect(t.engine.forecast({ ...ref, actor: t.actor, prices })).rejects.toMatchObject({
      code: 'ILLEGAL_TRANSITION',
    });
  });

  it('paces by the rate: a full bucket first, then a batch each time it refills', async () => {
    const channel = fakeChannel({ ratePerSecond: 2, maxPerSend: 4 });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(12));
    await t.addCampaign({ id: '1' });
    const f = await t.engine.forecast({ ...ref, actor: t.actor, prices: [] });
    const now = t.clock.now().getTime();
    expect(f.finishAt!.getTime() - now).toBe(4000);
    expect(f.unpriced).toEqual(['channel:test']);
    expect(f.cost).toEqual([]);
  });
});
