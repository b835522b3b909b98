import type { OutboundBatch, SendContext } from '@qunfa/core';
import { testChannelContext } from '@qunfa/core/testing';
import { describe, expect, it } from 'vitest';
import { sandbox } from './channel.js';

const T0 = new Date('2025-03-01T02:00:00Z');
const ctx = (ms = 0): SendContext => testChannelContext({ now: () => new Date(T0.getTime() + ms) });
const batch = (ids: string[], key = 'k-1'): OutboundBatch => ({
  batchId: 'b-1',
  campaignId: 'c-1',
  account: null,
  idempotencyKey: key,
  messages: ids.map((id) => ({ id, address: `addr-${id}`, content: { type: 'text', text: 'hi' } })),
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `d-${i}`);
const fast = { latencyMs: { min: 0, max: 0 }, maxRecipientsPerSend: 5000 };
const engagement = {
  delivered: 0.9,
  read: 0.5,
  clicked: 0.4,
  deliveredAfterMs: { min: 10, max: 100 },
  readAfterMs: { min: 100, max: 1000 },
  clickedAfterMs: { min: 10, max: 50 },
};

describe('channel:sandbox engagement', () => {
  it('has no receipts unless asked, and the demo preset engages', () => {
    expect(sandbox().pollReceipts).toBeUndefined();
    expect(sandbox().limits.receipts).toBe(false);
    const demo = sandbox({ preset: 'demo' });
    expect(demo.limits.receipts).toBe(true);
    expect(demo.pollReceipts).toBeTypeOf('function');
  });

  it('reports delivered, read and clicked at the configured rates once due, each once', async () => {
    const channel = sandbox({ ...fast, seed: 7, engagement });
    const outcomes = await channel.send(batch(ids(2000)), ctx());
    expect(await channel.pollReceipts!(ctx(5))).toEqual([]);
    const events = await channel.pollReceipts!(ctx(10_000));
    expect(await channel.pollReceipts!(ctx(20_000))).toEqual([]);
    expect(channel.provider.pendingReceipts()).toBe(0);
    const count = (state: string) => events.filter((e) => e.state === state).length;
    expect(count('delivered') / 2000).toBeCloseTo(0.9, 1);
    expect(count('read') / count('delivered')).toBeCloseTo(0.5, 1);
    expect(count('clicked') / count('read')).toBeCloseTo(0.4, 1);
    const pmids = new Set(outcomes.map((o) => o.providerMessageId));
    expect(events.every((e) => pmids.has(e.providerMessageId))).toBe(true);
    // Each step after the one before, within its delay range.
    for (const r of channel.provider.receipts()) {
      const sentAt = T0.getTime();
      if (r.state !== 'delivered') continue;
      expect(r.at.getTime() - sentAt).toBeGreaterThanOrEqual(10);
      expect(r.at.getTime() - sentAt).toBeLessThanOrEqual(100);
    }
    expect(channel.provider.receipts()).toHaveLength(events.length);
  });

  it('draws the same engagement from seed and delivery id, whatever the batching; none for a replay', async () => {
    const one = sandbox({ ...fast, seed: 3, engagement });
    await one.send(batch(ids(300)), ctx());
    const other = sandbox({ ...fast, seed: 3, engagement });
    await other.send(batch(ids(300).slice(150), 'k-2'), ctx());
    await other.send(batch(ids(300).slice(0, 150), 'k-3'), ctx());
    await other.send(batch(ids(300).slice(0, 150), 'k-3'), ctx());
    const shape = (events: { messageId: string; state: string }[]) =>
      events.map((e) => `${e.messageId}:${e.state}`).sort();
    await one.pollReceipts!(ctx(60_000));
    await other.pollReceipts!(ctx(60_000));
    expect(shape(other.provider.receipts())).toEqual(shape(one.provider.receipts()));
    const differentSeed = sandbox({ ...fast, seed: 4, engagement });
    await differentSeed.send(batch(ids(300)), ctx());
    await differentSeed.pollReceipts!(ctx(60_000));
    expect(shape(differentSeed.provider.receipts())).not.toEqual(shape(one.provider.receipts()));
  });

  it('gives the demo preset an open rate near 34 % and a click-through near 8.5 %, within a minute', async () => {
    const channel = sandbox({ preset: 'demo', ...fast, maxRecipientsPerSend: 20_000 });
    const outcomes = await channel.send(batch(ids(20_000)), ctx());
    const reached = outcomes.filter((o) => o.status === 'sent').length;
    const events = await channel.pollReceipts!(ctx(30_000));
    expect(channel.provider.pendingReceipts()).toBe(0);
    const opened = new Set(events.filter((e) => e.state === 'read').map((e) => e.providerMessageId)).size;
    const clicked = events.filter((e) => e.state === 'clicked').length;
    expect(opened / reached).toBeCloseTo(0.97 * 0.35, 2);
    expect(clicked / reached).toBeCloseTo(0.97 * 0.35 * 0.25, 2);
  });

  it('refuses rates outside 0–1 and inverted delays', () => {
    expect(() => sandbox({ engagement: { read: 1.5 } })).toThrow(/engagement/);
    expect(() => sandbox({ engagement: { readAfterMs: { min: 5, max: 1 } } })).toThrow(/engagement/);
  });
});
