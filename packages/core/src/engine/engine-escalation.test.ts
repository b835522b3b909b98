import { describe, expect, it } from 'vitest';
import type { DeliveryEvent } from '../plugins/channel.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';
import { recordingLogger } from './recording-logger.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };

/** Contacts 1–3 and campaign '1': `channel:first`, escalating after 60 s unless delivered, then `channel:second`. */
async function threeContactsFirstThenSecond(t: ReturnType<typeof createTestEngine>): Promise<void> {
  await t.addContacts([1, 2, 3].map((i) => makeContact({ id: String(i) })));
  await t.addCampaign({
    id: '1',
    channelPlan: [
      { channel: 'channel:first', escalateAfter: { ms: 60_000, unless: 'delivered' } },
      { channel: 'channel:second' },
    ],
  });
}

describe('engine: escalation after a delay', () => {
  it('moves recipients not delivered within the window to the next channel, then completes', async () => {
    const first = fakeChannel({ name: 'channel:first' });
    const second = fakeChannel({ name: 'channel:second' });
    const t = createTestEngine({ plugins: [first, second] });
    await threeContactsFirstThenSecond(t);
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect((await t.store.getCampaign('1'))?.state).toBe('running');
    const [a] = t.store.deliveries('1');
    await t.engine.applyReceipts([
      {
        channel: 'channel:first',
        providerMessageId: a!.providerMessageId!,
        state: 'delivered',
        at: t.clock.now(),
        source: 'callback',
      },
    ]);
    await t.clock.advance(59_000);
    await t.drain();
    expect(second.calls).toHaveLength(0);
    await t.clock.advance(1_000);
    await t.drain();
    expect(second.calls.flatMap((c) => c.messages.map((m) => m.address)).sort()).toEqual([
      '+8613800000002',
      '+8613800000003',
    ]);
    expect(t.store.deliveries('1').map((d) => [d.channel, d.state])).toEqual([
      ['channel:first', 'delivered'],
      ['channel:second', 'sent'],
      ['channel:second', 'sent'],
    ]);
    expect(await t.store.counters('1')).toMatchObject({ total: 3, delivered: 1, sent: 2, queued: 0 });
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    expect(t.store.attempts(t.store.deliveries('1')[1]!.id).map((x) => x.channel)).toEqual([
      'channel:first',
      'channel:second',
    ]);
  });

  it('waits for a read when asked, and leaves recipients no later step can address', async () => {
    const first = fakeChannel({ name: 'channel:first' });
    const email = fakeChannel({ name: 'channel:email', kinds: ['email'] });
    const t = createTestEngine({ plugins: [first, email] });
    await t.addContacts([
      makeContact({ id: '1' }, [
        { kind: 'phone', value: '+8613800000001' },
        { kind: 'email', value: 'a@example.com' },
      ]),
      makeContact({ id: '2' }),
    ]);
    await t.addCampaign({
      id: '1',
      channelPlan: [
        { channel: 'channel:first', escalateAfter: { ms: 1000, unless: 'read' } },
        { channel: 'channel:email' },
      ],
    });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    for (const d of t.store.deliveries('1')) {
      await t.engine.applyReceipts([
        {
          channel: 'channel:first',
          providerMessageId: d.providerMessageId!,
          state: 'delivered',
          at: t.clock.now(),
          source: 'poll',
        },
      ]);
    }
    await t.clock.advance(1000);
    await t.drain();
    expect(email.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['a@example.com']);
    expect(t.store.deliveries('1').map((d) => [d.channel, d.state])).toEqual([
      ['channel:email', 'sent'],
      ['channel:first', 'delivered'],
    ]);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  /**
   * A channel whose receipts are polled, with the provider's reports waiting to be read; its
   * polls fail while `down` is set.
   */
  function polledChannel() {
    const channel = fakeChannel({ name: 'channel:first' });
    const provider = { reports: [] as DeliveryEvent[], down: false, polls: 0 };
    channel.pollReceipts = async () => {
      provider.polls++;
      if (provider.down) throw new Error('provider answered 502');
      return provider.reports.splice(0);
    };
    return { channel, provider };
  }

  async function sentOnPolledChannel(lagLimitMs?: number) {
    const { channel, provider } = polledChannel();
    const second = fakeChannel({ name: 'channel:second' });
    const { logger, lines } = recordingLogger();
    const t = createTestEngine({
      plugins: [channel, second],
      engine: { logger, ...(lagLimitMs === undefined ? {} : { receiptLagLimitMs: lagLimitMs }) },
    });
    await threeContactsFirstThenSecond(t);
    await t.engine.pollReceipts();
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    return { t, provider, second, lines };
  }

  const addresses = (c: ReturnType<typeof fakeChannel>) =>
    c.calls.flatMap((call) => call.messages.map((m) => m.address)).sort();

  it('judges a polled channel where its receipts were read: a report the poll has not read yet moves no one', async () => {
    const { t, provider, second } = await sentOnPolledChannel();
    // The provider reports contact 1 delivered a second after the send; no poll reads it before
    // the window ends (a busy process): the sweep must not take that for "not delivered".
    const [a] = t.store.deliveries('1');
    provider.reports.push({
      providerMessageId: a!.providerMessageId!,
      state: 'delivered',
      at: new Date(t.clock.now().getTime() + 1_000),
    });
    await t.clock.advance(90_000);
    await t.drain();
    expect(second.calls).toHaveLength(0);
    expect((await t.store.getCampaign('1'))?.state).toBe('running');
    // A poll that began after the window ended reads it: the two others move on, contact 1 never.
    await t.engine.pollReceipts();
    await t.drain();
    expect(addresses(second)).toEqual(['+8613800000002', '+8613800000003']);
    expect(t.store.deliveries('1').map((d) => [d.channel, d.state])).toEqual([
      ['channel:first', 'delivered'],
      ['channel:second', 'sent'],
      ['channel:second', 'sent'],
    ]);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('judges at the lag limit when the receipts cannot be read, and says so', async () => {
    const { t, provider, second, lines } = await sentOnPolledChannel(300_000);
    provider.down = true;
    await t.clock.advance(60_000 + 299_000);
    await t.engine.pollReceipts();
    await t.drain();
    expect(second.calls).toHaveLength(0);
    expect(lines.filter((l) => l.level === 'warn' && l.message.startsWith('receipts not read'))).toEqual([
      expect.objectContaining({
        fields: expect.objectContaining({ plugin: 'channel:first', lagLimitMs: 300_000 }),
      }),
    ]);
    await t.clock.advance(1_000);
    await t.engine.pollReceipts();
    await t.drain();
    expect(addresses(second)).toEqual(['+8613800000001', '+8613800000002', '+8613800000003']);
    expect(provider.polls).toBeGreaterThanOrEqual(3);
  });
});
