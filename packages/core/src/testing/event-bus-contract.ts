import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { emptyCounters } from '../domain/counters.js';
import type { EventBus, ProgressEvent } from '../ports/event-bus.js';
import { eventually, type PortHarness } from './port-harness.js';

const event = (campaignId: string, sent: number): ProgressEvent => ({
  workspaceId: '1',
  campaignId,
  state: 'running',
  counters: { ...emptyCounters(), sent },
  // ISO strings and nulls: what a bus carrying JSON gives back unchanged.
  waiting: [
    {
      reason: 'quiet_hours',
      count: sent,
      until: '2026-01-01T00:00:00.000Z',
      lastUntil: '2026-01-01T08:00:00.000Z',
      detail: null,
    },
  ],
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, sent)).toISOString(),
});

/** Reads a subscription into an array until it ends. */
function read(stream: AsyncIterable<ProgressEvent>): { events: ProgressEvent[]; ended: Promise<void> } {
  const events: ProgressEvent[] = [];
  const ended = (async () => {
    for await (const e of stream) events.push(e);
  })();
  return { events, ended };
}

const sentOf = (events: ProgressEvent[]) => events.map((e) => e.counters.sent);

/**
 * The `EventBus` contract. Handles from one harness must reach each other (separate
 * connections for a networked bus): an event published by a worker reaches a subscriber in
 * an API process. An event still in flight when `subscribe` is called may or may not arrive
 * (subscribers start from the store's state and drop stale events), so none is asserted
 * either way. Keys are unique per test.
 */
export function describeEventBusContract(
  name: string,
  makeHarness: () => Promise<PortHarness<EventBus>>,
): void {
  describe(`EventBus contract: ${name}`, () => {
    let harness: PortHarness<EventBus>;
    let n = 0;
    const unique = () => `c-${process.pid}-${Date.now()}-${n++}`;

    beforeEach(async () => {
      harness = await makeHarness();
    });
    afterEach(async () => {
      await harness.close();
    });

    it('delivers events published on another handle after subscribing, in order, for its key only', async () => {
      const [publisher, listener] = [await harness.open(), await harness.open()];
      const [key, other] = [unique(), unique()];
      const controller = new AbortController();
      const reader = read(listener.subscribe('campaign.progress', key, controller.signal));
      for (let i = 1; i <= 20; i++) {
        await publisher.publish('campaign.progress', key, event(key, i));
        await publisher.publish('campaign.progress', other, event(other, 100 + i));
      }
      await eventually(() => reader.events.length >= 20, 'twenty events');
      controller.abort();
      await reader.ended;
      expect(sentOf(reader.events)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('carries a copy equal to what was published', async () => {
      const [publisher, listener] = [await harness.open(), await harness.open()];
      const key = unique();
      const controller = new AbortController();
      const reader = read(listener.subscribe('campaign.progress', key, controller.signal));
      const sent = event(key, 7);
      await publisher.publish('campaign.progress', key, sent);
      await eventually(() => reader.events.length === 1, 'the event');
      expect(reader.events[0]).toEqual(sent);
      expect(reader.events[0]).not.toBe(sent);
      controller.abort();
      await reader.ended;
    });

    it('gives every subscriber of a key every event', async () => {
      const [publisher, a, b] = [await harness.open(), await harness.open(), await harness.open()];
      const key = unique();
      const controller = new AbortController();
      const readers = [a, a, b].map((bus) =>
        read(bus.subscribe('campaign.progress', key, controller.signal)),
      );
      for (let i = 1; i <= 3; i++) await publisher.publish('campaign.progress', key, event(key, i));
      await eventually(() => readers.every((r) => r.events.length === 3), 'three events each');
      controller.abort();
      await Promise.all(readers.map((r) => r.ended));
      for (const r of readers) expect(sentOf(r.events)).toEqual([1, 2, 3]);
    });

    it('ends a subscription when its signal aborts, and delivers nothing after', async () => {
      const [publisher, listener] = [await harness.open(), await harness.open()];
      const key = unique();
      const controller = new AbortController();
      const stopped = read(listener.subscribe('campaign.progress', key, controller.signal));
      const still = read(listener.subscribe('campaign.progress', key));
      await publisher.publish('campaign.progress', key, event(key, 1));
      await eventually(() => stopped.events.length === 1 && still.events.length === 1, 'the first event');
      controller.abort();
      await stopped.ended;
      await publisher.publish('campaign.progress', key, event(key, 2));
      await eventually(() => still.events.length === 2, 'the second event elsewhere');
      expect(sentOf(stopped.events)).toEqual([1]);
    });

    it('ends every subscription of a handle when it closes', async () => {
      const listener = await harness.open();
      const reader = read(listener.subscribe('campaign.progress', unique()));
      await listener.close();
      await reader.ended;
      expect(reader.events).toEqual([]);
    });
  });
}
