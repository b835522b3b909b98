import type { CampaignState } from '../domain/campaign.js';
import type { Counters } from '../domain/counters.js';
import type { WaitReason } from '../domain/waiting.js';

/** A nudge that a campaign moved; subscribers start from the store's exact counters. */
export interface ProgressEvent {
  workspaceId: string;
  campaignId: string;
  state: CampaignState;
  counters: Counters;
  /** What the campaign waits for, with counts and until when (`describeWaiting`). */
  waiting: WaitReason[];
  /** ISO time: events cross process boundaries as JSON. */
  at: string;
}

/** A workspace's operator lexicons changed: every process rebuilds its index from the database. */
export interface LexiconsChangedEvent {
  workspaceId: string;
  /** The workspace's lexicon revision after the change. */
  revision: number;
}

/** A campaign entered or left review, or a step was decided: the review queue changed. */
export interface ReviewEvent {
  workspaceId: string;
  campaignId: string;
  /** ISO time. */
  at: string;
}

/** An inbound message (a reply) was recorded; subscribers read it from the database by id. */
export interface InboundMessageEvent {
  workspaceId: string;
  /** The stored message's id. */
  id: string;
  channel: string;
  campaignId: string | null;
  contactId: string;
  /** ISO time it was recorded. */
  at: string;
}

/** A triage item (an inbound message to answer) was created or changed; subscribers read it by id. */
export interface TriageItemEvent {
  workspaceId: string;
  /** The item's id. */
  id: string;
  /** What happened: created, assigned, unassigned, replied, resolved, reopened. */
  change: string;
  /** ISO time. */
  at: string;
}

/** A sync from a provider (WeCom customers, OA followers) moved; subscribers read it by id. */
export interface ChannelSyncEvent {
  workspaceId: string;
  /** The sync run's id. */
  id: string;
  /** ISO time. */
  at: string;
}

export interface EventMap {
  'campaign.progress': ProgressEvent;
  /** Key: `all`. */
  'compliance.lexicons': LexiconsChangedEvent;
  /** Key: the workspace id. */
  'compliance.review': ReviewEvent;
  /** Key: the workspace id. */
  'inbound.message': InboundMessageEvent;
  /** Key: the workspace id. */
  'triage.item': TriageItemEvent;
  /** Key: the sync run's id. */
  'channel.sync': ChannelSyncEvent;
}

export type Topic = keyof EventMap;

export interface EventBus {
  /** Publishes to every subscriber of (topic, key), in every process sharing the bus. */
  publish<T extends Topic>(topic: T, key: string, payload: EventMap[T]): Promise<void>;
  /** Events published after the call; ends when the signal aborts. */
  subscribe<T extends Topic>(topic: T, key: string, signal?: AbortSignal): AsyncIterable<EventMap[T]>;
  close(): Promise<void>;
}
