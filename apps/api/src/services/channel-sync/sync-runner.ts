import type { ChannelContext, ChannelPlugin } from '@qunfa/core';
import type { ChannelSyncCounts } from '../../db/schema/index.js';
import type { StoredPage, StoreOptions, SyncedRecord } from './synced-contacts.js';
import type { ProviderTag } from './synced-tags.js';

/** What a provider's sync gets from the run: where it was, how to store a page and record progress. */
export interface RunHandle {
  /** Start over instead of resuming. */
  restart: boolean;
  /** The position saved by the last stored page of the previous (failed) run; {} when none. */
  cursor: Record<string, unknown>;
  /** Provider tag id → the workspace's tag id. */
  tagIds: Map<string, number>;
  /** Waits for the page's turn under the shared rate limit. */
  pace(): Promise<void>;
  store(
    records: SyncedRecord[],
    options?: Pick<StoreOptions, 'replaceTags' | 'syncedAt'>,
  ): Promise<StoredPage>;
  /** Records progress (after the page is stored) and tells subscribers. */
  save(patch: {
    stage?: string;
    cursor?: Record<string, unknown>;
    add?: Partial<ChannelSyncCounts>;
  }): Promise<void>;
  /** A progress figure the provider reports as an absolute value (groups read so far). */
  note(patch: { stage: string; groups: number }): void;
}

/** One provider's sync: its tags first (which also proves the credentials), then its people. */
export interface SyncRunner<C extends ChannelPlugin> {
  /** The stage after the tags: what it reads. */
  stage: 'customers' | 'followers';
  /**
   * A completed run has seen every relation and every tag the provider has (OA: the whole
   * follower list): relations it did not see are marked ended (`removed_by` sync) and the
   * provider's tags it no longer lists are taken off contacts.
   */
  sweep?: boolean;
  readTags(channel: C, ctx: ChannelContext): Promise<ProviderTag[]>;
  run(channel: C, ctx: ChannelContext, run: RunHandle): Promise<void>;
}
