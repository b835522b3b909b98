import { describe, expect, it } from 'vitest';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };

describe('engine: escalation after a delay', () => {
  it('moves recipients not delivered within the window to the next channel, then completes', async () => {
    const first = fakeChannel({ name: 'channel:first' });
    const second = fakeChannel({ name: 'channel:second' });
    const t = createTestEngine({ plugins: [first, second] });
    await t.addContacts([1, 2, 3].map((i) => makeContact({ id: String(i) })));
    await t.addCampaign({
      id: '1',
      channelPlan: [
        { channel: 'channel:first', escalateAfter: { ms: 60_000, unless: 'delivered' } },
        { channel: 'channel:second' },
      ],
    });
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
});
