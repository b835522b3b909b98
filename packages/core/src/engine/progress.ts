import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { type CoalescerTimers, createProgressCoalescer } from './progress-coalescer.js';

export interface CampaignRef {
  workspaceId: string;
  campaignId: string;
}

export interface ProgressPublisher {
  /** A campaign changed: publish soon, coalesced. */
  nudge(ref: CampaignRef): void;
  /** Publish now: for state changes and final counters. */
  flush(ref: CampaignRef): Promise<void>;
  close(): Promise<void>;
}

/** Timers on the engine's clock, so that a fake clock drives coalescing in tests too. */
export function clockTimers(clock: Clock): CoalescerTimers {
  return {
    now: () => clock.now().getTime(),
    setTimeout: (callback, ms) => {
      const controller = new AbortController();
      clock.sleep(ms, controller.signal).then(callback, () => {});
      return controller;
    },
    clearTimeout: (handle) => (handle as AbortController).abort(),
  };
}

/**
 * Progress events read state and counters from the store when they go out, one after
 * another per campaign, so that an event never shows older counters than the one before.
 */
export function createProgressPublisher(deps: {
  store: Store;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}): ProgressPublisher {
  const coalescer = createProgressCoalescer<CampaignRef>({
    intervalMs: deps.intervalMs ?? 200,
    timers: clockTimers(deps.clock),
    publish: async (_key, ref) => {
      const [campaign, counters] = await Promise.all([
        deps.store.getCampaign(ref.campaignId),
        deps.store.counters(ref.campaignId),
      ]);
      if (!campaign) return;
      await deps.bus.publish('campaign.progress', ref.campaignId, {
        workspaceId: ref.workspaceId,
        campaignId: ref.campaignId,
        state: campaign.state,
        counters,
        at: deps.clock.now().toISOString(),
      });
    },
    onError: (error, key) =>
      deps.logger.warn('progress event not published', { campaignId: key, error: String(error) }),
  });
  return {
    nudge: (ref) => coalescer.push(ref.campaignId, ref),
    flush: (ref) => coalescer.flush(ref.campaignId, ref),
    async close() {
      coalescer.close();
      await coalescer.idle();
    },
  };
}
