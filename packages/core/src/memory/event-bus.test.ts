import { describe, expect, it } from 'vitest';
import { emptyCounters } from '../domain/counters.js';
import type { ProgressEvent } from '../ports/event-bus.js';
import { MemoryEventBus } from './event-bus.js';

const event = (campaignId: string, sent: number): ProgressEvent => ({
  workspaceId: '1',
  campaignId,
  state: 'running',
  counters: { ...emptyCounters(), sent },
  waiting: [],
  at: '2026-01-01T00:00:00.000Z',
});

describe('MemoryEventBus', () => {
  it('delivers events published after subscribing, per key, until aborted', async () => {
    const bus = new MemoryEventBus();
    await bus.publish('campaign.progress', '1', event('1', 0));
    const controller = new AbortController();
    const stream = bus.subscribe('campaign.progress', '1', controller.signal);
    const received: number[] = [];
    const reading = (async () => {
      for await (const e of stream) received.push(e.counters.sent);
    })();
    await bus.publish('campaign.progress', '1', event('1', 1));
    await bus.publish('campaign.progress', '2', event('2', 9));
    await bus.publish('campaign.progress', '1', event('1', 2));
    await new Promise((r) => setTimeout(r, 0));
    controller.abort();
    await reading;
    expect(received).toEqual([1, 2]);
    await bus.publish('campaign.progress', '1', event('1', 3));
    expect(received).toEqual([1, 2]);
  });

  it('ends every subscription on close', async () => {
    const bus = new MemoryEventBus();
    const stream = bus.subscribe('campaign.progress', '1');
    const reading = (async () => {
      for await (const _ of stream) return 'event';
      return 'ended';
    })();
    await bus.close();
    expect(await reading).toBe('ended');
  });
});
