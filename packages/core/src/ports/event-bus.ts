import type { CampaignState } from '../domain/campaign.js';
import type { Counters } from '../domain/counters.js';

/** A nudge that a campaign moved; subscribers start from the store's exact counters. */
export interface ProgressEvent {
  workspaceId: string;
  campaignId: string;
  state: CampaignState;
  counters: Counters;
  /** ISO time: events cross process boundaries as JSON. */
  at: string;
}

export interface EventMap {
  'campaign.progress': ProgressEvent;
}

export type Topic = keyof EventMap;

export interface EventBus {
  /** Publishes to every subscriber of (topic, key), in every process sharing the bus. */
  publish<T extends Topic>(topic: T, key: string, payload: EventMap[T]): Promise<void>;
  /** Events published after the call; ends when the signal aborts. */
  subscribe<T extends Topic>(topic: T, key: string, signal?: AbortSignal): AsyncIterable<EventMap[T]>;
  close(): Promise<void>;
}
