import { describe, expect, it } from 'vitest';
import { type DeliveryEvent, whenRecorded } from '../plugins/channel.js';
import { silentLogger } from '../ports/logger.js';
import type { PluginState } from '../ports/plugin-state.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const contacts = (n: number) => Array.from({ length: n }, (_, i) => makeContact({ id: String(i + 1) }));
const tracker = {
  url: ({ deliveryId, link }: { deliveryId: string; link: number }) => `https://t.cn/${deliveryId}/${link}`,
};
const variants = [
  {
    id: '101',
    key: 'A',
    weight: 1,
    content: { type: 'text' as const, text: '{{name}} 看 https://shop.cn/a' },
  },
];

describe('engine: receipts and tracked links', () => {
  it('rewrites links per delivery before rendering, unless the plan step turns it off', async () => {
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel], engine: { linkTracker: tracker } });
    await t.addContacts(contacts(2));
    await t.addCampaign({ id: '1', variants });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const [a, b] = t.store.deliveries('1');
    expect(channel.calls.flatMap((c) => c.messages.map((m) => m.content.text))).toEqual([
      `contact 1 看 https://t.cn/${a!.id}/0`,
      `contact 2 看 https://t.cn/${b!.id}/0`,
    ]);

    const off = fakeChannel();
    const u = createTestEngine({ plugins: [off], engine: { linkTracker: tracker } });
    await u.addContacts(contacts(1));
    await u.addCampaign({ id: '1', variants, channelPlan: [{ channel: 'channel:test', trackLinks: false }] });
    await u.engine.start({ ...ref, actor: u.actor });
    await u.drain();
    expect(off.calls[0]!.messages[0]!.content.text).toBe('contact 1 看 https://shop.cn/a');
  });

  it("renders {{unsubscribe}} as each delivery's own unsubscribe link, left untracked", async () => {
    const channel = fakeChannel();
    const unsubscribing = {
      ...tracker,
      unsubscribeUrl: ({ deliveryId }: { deliveryId: string }) => `https://q.cn/u/${deliveryId}`,
    };
    const t = createTestEngine({ plugins: [channel], engine: { linkTracker: unsubscribing } });
    await t.addContacts(contacts(2));
    const text = '会员日见 https://shop.cn/a 退订 {{unsubscribe}}';
    await t.addCampaign({ id: '1', variants: [{ ...variants[0]!, content: { type: 'text', text } }] });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const [a, b] = t.store.deliveries('1');
    expect(channel.calls.flatMap((c) => c.messages.map((m) => m.content.text))).toEqual([
      `会员日见 https://t.cn/${a!.id}/0 退订 https://q.cn/u/${a!.id}`,
      `会员日见 https://t.cn/${b!.id}/0 退订 https://q.cn/u/${b!.id}`,
    ]);
  });

  it('gives each message its open pixel only when the campaign tracks opens', async () => {
    const pixels = {
      ...tracker,
      openPixelUrl: ({ deliveryId }: { deliveryId: string }) => `https://q.cn/o/${deliveryId}.gif`,
    };
    const sentPixels = async (openPixel: boolean | undefined) => {
      const channel = fakeChannel();
      const t = createTestEngine({ plugins: [channel], engine: { linkTracker: pixels } });
      await t.addContacts(contacts(2));
      await t.addCampaign({ id: '1', variants, ...(openPixel === undefined ? {} : { openPixel }) });
      await t.engine.start({ ...ref, actor: t.actor });
      await t.drain();
      const ids = t.store.deliveries('1').map((d) => d.id);
      return { ids, urls: channel.calls.flatMap((c) => c.messages.map((m) => m.openPixelUrl)) };
    };
    const on = await sentPixels(true);
    expect(on.urls).toEqual(on.ids.map((id) => `https://q.cn/o/${id}.gif`));
    expect((await sentPixels(false)).urls).toEqual([undefined, undefined]);
    expect((await sentPixels(undefined)).urls).toEqual([undefined, undefined]);
  });

  it('an open by delivery id that beats the settlement of its send is applied by the settlement', async () => {
    let early: Promise<{ unknown: string[] }> | undefined;
    let t: ReturnType<typeof createTestEngine> | undefined;
    // The provider has the message (the delivery is still submitted) when the pixel is loaded.
    const channel = fakeChannel({
      outcome: (m) => {
        early ??= t!.engine.applyReceipts([
          { deliveryId: m.id, state: 'read', at: t!.clock.now(), source: 'pixel' },
        ]);
        return { status: 'sent' };
      },
    });
    t = createTestEngine({ plugins: [channel], engine: { receiptGraceMs: 60_000 } });
    await t.addContacts(contacts(1));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const [d] = t.store.deliveries('1');
    expect(await early).toMatchObject({ unknown: [d!.id], kept: 1 });
    expect(await t.store.counters('1')).toMatchObject({ sent: 0, read: 1 });
    expect(t.store.earlyReceipts()).toEqual([]);
    expect(t.store.events('1').map((e) => [e.deliveryId, e.type, e.payload.source])).toEqual([
      [d!.id, 'delivery.read', 'pixel'],
    ]);
  });

  it('polls channels for receipts, applies them and publishes progress', async () => {
    const channel = fakeChannel();
    const pending: DeliveryEvent[] = [];
    channel.pollReceipts = async () => pending.splice(0);
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(3));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const [a, b] = t.store.deliveries('1');
    const at = t.clock.now();
    pending.push(
      { providerMessageId: a!.providerMessageId!, state: 'read', at },
      { providerMessageId: b!.providerMessageId!, state: 'failed', failure: 'blocked_by_user', at },
      { providerMessageId: 'pm-nobody', state: 'delivered', at },
    );
    const published = t.bus.progress.length;
    await t.engine.pollReceipts();
    expect(pending).toEqual([]);
    expect(await t.store.counters('1')).toMatchObject({ sent: 1, read: 1, failed: 1 });
    expect(t.store.events('1').map((e) => [e.deliveryId, e.type, e.payload.source])).toEqual([
      [a!.id, 'delivery.read', 'poll'],
      [b!.id, 'delivery.failed', 'poll'],
    ]);
    await t.clock.advance(1000);
    expect(t.bus.progress.length).toBeGreaterThan(published);
    expect(t.bus.progress.at(-1)?.counters).toMatchObject({ read: 1, failed: 1 });
  });

  it("moves a poller's cursor only once its receipts are recorded: a poll whose recording failed is read again, and counts once", async () => {
    const channel = fakeChannel();
    const provider: DeliveryEvent[] = [];
    let cursor = 0;
    const reads: number[] = [];
    channel.pollReceipts = async (ctx) => {
      reads.push(cursor);
      const batch = provider.slice(cursor);
      const last = provider.length;
      await whenRecorded(ctx, async () => {
        cursor = last;
      });
      return batch;
    };
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(2));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    const [a, b] = t.store.deliveries('1');
    provider.push(
      { providerMessageId: a!.providerMessageId!, state: 'delivered', at: t.clock.now() },
      { providerMessageId: b!.providerMessageId!, state: 'delivered', at: t.clock.now() },
    );
    const store = t.store as unknown as Record<string, unknown>;
    const saved = { groups: store.applyReceiptGroups, one: store.applyReceipts };
    const down = async () => {
      throw new Error('database went away');
    };
    store.applyReceiptGroups = down;
    store.applyReceipts = down;
    await t.engine.pollReceipts();
    expect(cursor).toBe(0);
    expect(await t.store.counters('1')).toMatchObject({ sent: 2, delivered: 0 });
    store.applyReceiptGroups = saved.groups;
    store.applyReceipts = saved.one;
    await t.engine.pollReceipts();
    expect(reads).toEqual([0, 0]);
    expect(cursor).toBe(2);
    await t.engine.pollReceipts();
    expect(reads).toEqual([0, 0, 2]);
    expect(await t.store.counters('1')).toMatchObject({ sent: 0, delivered: 2 });
    // Called directly, outside the engine's poll, the step runs at once.
    cursor = 0;
    const direct = { signal: new AbortController().signal, now: () => t.clock.now(), logger: silentLogger };
    await channel.pollReceipts({ ...direct, state: {} as PluginState });
    expect(cursor).toBe(2);
  });

  it('keeps receipts that arrive before the send is settled, in the store, and drops them after the grace period', async () => {
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (message: string) => void warnings.push(message) };
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel], engine: { logger, receiptGraceMs: 60_000 } });
    await t.addContacts(contacts(1));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    const [queued] = t.store.deliveries('1');
    // The fake provider names its messages pm-<delivery id>-<n>; the receipt beats the settlement.
    const early = await t.engine.applyReceipts([
      {
        channel: 'channel:test',
        providerMessageId: `pm-${queued!.id}-0`,
        state: 'delivered',
        at: t.clock.now(),
        source: 'callback',
      },
      {
        channel: 'channel:test',
        providerMessageId: 'pm-never',
        state: 'delivered',
        at: t.clock.now(),
        source: 'callback',
      },
    ]);
    expect(early.unknown.sort()).toEqual([`pm-${queued!.id}-0`, 'pm-never']);
    expect(early.kept).toBe(2);
    expect(t.store.earlyReceipts()).toHaveLength(2);
    // The settlement of the send applies the receipt that beat it.
    await t.drain();
    expect((await t.store.counters('1')).delivered).toBe(1);
    expect(
      t.store.earlyReceipts().map((e) => ('deliveryId' in e ? e.deliveryId : e.providerMessageId)),
    ).toEqual(['pm-never']);
    await t.engine.pollReceipts();
    expect(t.store.earlyReceipts()).toHaveLength(1);
    expect(warnings).toEqual([]);
    await t.clock.advance(60_001);
    await t.engine.pollReceipts();
    expect(warnings).toEqual(['receipts for unknown deliveries were dropped']);
    expect(t.store.earlyReceipts()).toEqual([]);
    await t.engine.pollReceipts();
    expect(warnings).toHaveLength(1);
  });
});
