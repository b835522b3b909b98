import type { Clock } from '../ports/clock.js';
import type { EventBus, ProgressEvent } from '../ports/event-bus.js';
import type { Logger } from '../ports/logger.js';
import type { Store } from '../ports/store.js';
import { type CoalescerTimers, createProgressCoalescer } from './progress-coalescer.js';
import { describeWaiting } from './waiting.js';

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

/** A campaign's progress as the store has it now: state, exact counters and what it waits for. */
export async function progressEvent(
  deps: { store: Store; clock: Clock },
  ref: CampaignRef,
): Promise<ProgressEvent | undefined> {
  const now = deps.clock.now();
  const [campaign, counters, batches] = await Promise.all([
    deps.store.getCampaign(ref.campaignId),
    deps.store.counters(ref.campaignId),
    deps.store.waitingBatches(ref.campaignId, now),
  ]);
  if (!campaign) return undefined;
  return {
    workspaceId: ref.workspaceId,
    campaignId: ref.campaignId,
    state: campaign.state,
    counters,
    waiting: describeWaiting(campaign, counters, batches),
    at: now.toISOString(),
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
      const event = await progressEvent(deps, ref);
      if (event) await deps.bus.publish('campaign.progress', ref.campaignId, event);
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
