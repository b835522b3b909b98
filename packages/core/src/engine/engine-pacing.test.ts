import { describe, expect, it } from 'vitest';
import { createTestEngine } from '../testing/engine-harness.js';
import { makeContact } from '../testing/fixtures.js';
import { fakeChannel } from './fake-channel.test-support.js';

const ref = { workspaceId: '1', campaignId: '1' };
const contacts = (n: number) => Array.from({ length: n }, (_, i) => makeContact({ id: String(i + 1) }));

describe('engine: pacing', () => {
  it('gives a batch short of rate tokens back, due when its reserved tokens are, and sends it then', async () => {
    const channel = fakeChannel({ ratePerSecond: 2, maxPerSend: 4 });
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(8));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    const [first, second] = t.queue.takeDue();
    await t.engine.processBatch(first!);
    expect(channel.calls).toHaveLength(1);
    const started = t.clock.now().getTime();
    // The bucket (burst 4) is empty: 4 tokens at 2 a second are reserved, due in 2 s. The batch is
    // given back at once (its worker slot free for other work), not slept on.
    await t.engine.processBatch(second!);
    expect(channel.calls).toHaveLength(1);
    const released = t.store.batches('1').find((b) => b.id === second!.batchId);
    expect(released).toMatchObject({
      state: 'queued',
      dueAt: new Date(started + 2000),
      waitReason: 'pacing',
    });
    // Claimed again when due, it sends on the tokens it reserved, without taking more.
    await t.clock.advance(2000);
    await t.engine.processBatch({ ...second!, dueAt: new Date(started + 2000) });
    expect(channel.calls).toHaveLength(2);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });

  it('gives a batch back until the next Shanghai day when the daily quota is short', async () => {
    const channel = fakeChannel({ maxSendsPerDay: 3, maxPerSend: 2 });
    // 15:00 UTC is 23:00 in Shanghai: the quota window ends an hour later.
    const t = createTestEngine({ plugins: [channel], start: '2026-01-05T15:00:00Z' });
    await t.addContacts(contacts(4));
    await t.addCampaign({ id: '1' });
    await t.engine.start({ ...ref, actor: t.actor });
    await t.drain();
    expect(channel.calls.map((c) => c.messages.length)).toEqual([2]);
    const released = t.store.batches('1')[1];
    expect(released).toMatchObject({ state: 'queued', dueAt: new Date('2026-01-05T16:00:00Z') });
    expect(t.store.deliveries('1').map((d) => d.state)).toEqual(['sent', 'sent', 'queued', 'queued']);
    await t.clock.advance(3_600_000);
    await t.drain();
    expect(channel.calls.map((c) => c.messages.length)).toEqual([2, 2]);
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
  });
});

describe('engine: worker', () => {
  it('consumes the queue and ticks until stopped', async () => {
    const channel = fakeChannel();
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(10));
    await t.addCampaign({ id: '1', batchIntervalMs: 1000 });
    const worker = t.engine.runWorker({ concurrency: 2, tickIntervalMs: 500 });
    await t.engine.start({ ...ref, actor: t.actor });
    for (let i = 0; i < 20 && (await t.store.getCampaign('1'))?.state !== 'completed'; i++) {
      await t.clock.advance(500);
    }
    await worker.stop();
    expect((await t.store.getCampaign('1'))?.state).toBe('completed');
    expect(channel.calls).toHaveLength(5);
  });

  it('calls onTick after every pass of the tick loop, at the clock time, and no more once stopped', async () => {
    const t = createTestEngine({ plugins: [fakeChannel()] });
    const ticks: number[] = [];
    const started = t.clock.now().getTime();
    const worker = t.engine.runWorker({
      concurrency: 1,
      tickIntervalMs: 500,
      onTick: (at) => ticks.push(at.getTime() - started),
    });
    for (let i = 0; i < 4; i++) await t.clock.advance(500);
    await worker.stop();
    const seen = ticks.length;
    await t.clock.advance(2000);
    expect(ticks).toEqual([0, 500, 1000, 1500, 2000].slice(0, seen));
    expect(seen).toBeGreaterThanOrEqual(4);
  });

  it('keeps its loop going when a step of it throws (onTick here): the next passes still run', async () => {
    const t = createTestEngine({ plugins: [fakeChannel()] });
    const ticks: number[] = [];
    const worker = t.engine.runWorker({
      concurrency: 1,
      tickIntervalMs: 500,
      onTick: (at) => {
        ticks.push(at.getTime());
        if (ticks.length === 1) throw new Error('heartbeat store away');
      },
    });
    for (let i = 0; i < 3; i++) await t.clock.advance(500);
    await worker.stop();
    expect(ticks.length).toBeGreaterThanOrEqual(3);
  });

  it('reads receipts before it sends or sweeps anything, and before every tick', async () => {
    const inner = fakeChannel();
    const order: string[] = [];
    const channel = {
      ...inner,
      pollReceipts: async () => {
        order.push('poll');
        return [];
      },
      send: (...args: Parameters<typeof inner.send>) => {
        order.push('send');
        return inner.send(...args);
      },
    };
    const t = createTestEngine({ plugins: [channel] });
    await t.addContacts(contacts(4));
    await t.addCampaign({ id: '1' });
    // Work is waiting when the worker starts, as after a restart of the whole fleet.
    await t.engine.start({ ...ref, actor: t.actor });
    await t.engine.tick();
    const dueBatches = t.store.dueBatches.bind(t.store);
    t.store.dueBatches = (...args) => {
      order.push('tick');
      return dueBatches(...args);
    };
    const worker = t.engine.runWorker({ concurrency: 1, tickIntervalMs: 500, receiptPollIntervalMs: 500 });
    for (let i = 0; i < 4; i++) await t.clock.advance(500);
    await worker.stop();
    expect(order[0]).toBe('poll');
    expect(order).toContain('send');
    // Every tick comes right after a poll (the interval is the tick's).
    const ticks = order.map((o, i) => [o, order[i - 1]]).filter(([o]) => o === 'tick');
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.every(([, before]) => before === 'poll')).toBe(true);
  });
});
