import { describe, expect, it } from 'vitest';
import type { ReceiptEvent } from '../ports/store.js';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { createEngine } from './engine.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const WINDOW = 60_000;

/**
 * Issue 12's double send: a receipt that beats the settlement of its send was kept in the memory
 * of the process that took it and applied only by that process's next poll, while any process's
 * escalation sweep could move the delivery — still `sent` — to the next channel first.
 */
describe('engine: receipts that beat their settlement and the escalation sweep', () => {
  const cases: {
    name: string;
    unless: 'delivered' | 'read';
    receipt: (deliveryId: string, at: Date) => ReceiptEvent;
    state: string;
  }[] = [
    {
      name: "a provider's delivery report",
      unless: 'delivered',
      // The fake provider names its messages pm-<delivery id>-<n>.
      receipt: (id, at) => ({
        channel: 'channel:first',
        providerMessageId: `pm-${id}-0`,
        state: 'delivered',
        at,
        source: 'callback',
      }),
      state: 'delivered',
    },
    {
      name: 'an open (pixel)',
      unless: 'read',
      receipt: (id, at) => ({ deliveryId: id, state: 'read', at, source: 'pixel' }),
      state: 'read',
    },
    {
      name: 'a tracked click',
      unless: 'read',
      receipt: (id, at) => ({ deliveryId: id, state: 'clicked', at, source: 'link', link: 0 }),
      state: 'clicked',
    },
  ];

  it.each(cases)(
    '$name during the send, then a sweep after the window and before any retry: no second channel',
    async ({ unless, receipt, state }) => {
      let t: ReturnType<typeof createTestEngine> | undefined;
      const early: Promise<unknown>[] = [];
      const first = fakeChannel({
        name: 'channel:first',
        // The provider has the message, and reports it, before the send's settlement is written.
        outcome: (m) => {
          early.push(t!.engine.applyReceipts([receipt(m.id, t!.clock.now())]));
          return { status: 'sent' };
        },
      });
      const second = fakeChannel({ name: 'channel:second' });
      t = createTestEngine({ plugins: [first, second], engine: { receiptGraceMs: 10 * WINDOW } });
      await t.addContacts([makeContact({ id: '1' }), makeContact({ id: '2' })]);
      await t.addCampaign({
        id: '1',
        channelPlan: [
          { channel: 'channel:first', escalateAfter: { ms: WINDOW, unless } },
          { channel: 'channel:second' },
        ],
      });
      await t.engine.start({ ...ref, actor: t.actor });
      await t.drain();
      await Promise.all(early);
      // The window ends; the sweep (a tick) runs before any poll retries early receipts.
      await t.clock.advance(WINDOW);
      await t.engine.tick();
      await t.drain();
      const escalatedTo = second.calls.flatMap((c) => c.messages.map((m) => m.address));
      expect(escalatedTo).toEqual([]);
      expect(t.store.deliveries('1').map((d) => [d.channel, d.state])).toEqual([
        ['channel:first', state],
        ['channel:first', state],
      ]);
      expect(t.store.earlyReceipts()).toEqual([]);
    },
  );

  it('a process that dies holding an early receipt loses nothing: another settles and applies it', async () => {
    const first = fakeChannel({ name: 'channel:first' });
    const second = fakeChannel({ name: 'channel:second' });
    // The API process: takes callbacks, runs no worker; it dies after taking the receipt.
    const api = createTestEngine({ plugins: [first, second], engine: { receiptGraceMs: 10 * WINDOW } });
    await api.addContacts([makeContact({ id: '1' }), makeContact({ id: '2' })]);
    await api.addCampaign({
      id: '1',
      channelPlan: [
        { channel: 'channel:first', escalateAfter: { ms: WINDOW, unless: 'delivered' } },
        { channel: 'channel:second' },
      ],
    });
    await api.engine.start({ ...ref, actor: api.actor });
    const [a, b] = api.store.deliveries('1');
    const taken = await api.engine.applyReceipts([
      {
        channel: 'channel:first',
        providerMessageId: `pm-${a!.id}-0`,
        state: 'delivered',
        at: api.clock.now(),
        source: 'callback',
      },
    ]);
    expect(taken.unknown).toEqual([`pm-${a!.id}-0`]);
    // A worker process over the same store and queue; the API is gone.
    const worker = createEngine({
      store: api.store,
      queue: api.queue,
      bus: api.bus,
      limiter: api.limiter,
      clock: api.clock,
      registry: api.registry,
      workerId: 'worker-2',
      receiptGraceMs: 10 * WINDOW,
    });
    for (let i = 0; i < 5; i++) {
      await worker.tick();
      for (const job of api.queue.takeDue()) await worker.processBatch(job);
    }
    await api.clock.advance(WINDOW);
    await worker.tick();
    for (const job of api.queue.takeDue()) await worker.processBatch(job);
    await worker.tick();
    expect(second.calls.flatMap((c) => c.messages.map((m) => m.address))).toEqual(['+8613800000002']);
    expect(api.store.deliveries('1').map((d) => [d.id, d.channel, d.state])).toEqual([
      [a!.id, 'channel:first', 'delivered'],
      [b!.id, 'channel:second', 'sent'],
    ]);
    expect(await api.store.counters('1')).toMatchObject({ delivered: 1, sent: 1 });
    expect((await api.store.getCampaign('1'))?.state).toBe('completed');
  });
});
