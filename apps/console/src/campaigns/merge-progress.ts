import type {
  CampaignDetail,
  CampaignProgress,
  CampaignState,
  Counters,
  Metric,
  WaitReason,
} from '../graphql/types.js';

/** What the campaign page shows live, and the server time it describes. */
export interface ProgressSnapshot {
  state: CampaignState;
  counters: Counters;
  metrics: Metric[];
  /** What the campaign waits for now (empty once it ended). */
  waiting: WaitReason[];
  /** ISO-8601 server time: a progress event's `at`, or a campaign's `updatedAt`. */
  at: string;
}

export function snapshotFromCampaign(campaign: CampaignDetail): ProgressSnapshot {
  const { state, counters, metrics, waiting, updatedAt } = campaign;
  return { state, counters, metrics, waiting, at: updatedAt };
}

export function snapshotFromEvent(event: CampaignProgress): ProgressSnapshot {
  const { state, counters, metrics, waiting, at } = event;
  return { state, counters, metrics, waiting, at };
}

function time(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
}

/**
 * Keeps whichever snapshot is newer by server time, so an event that arrives late never
 * moves a counter backwards. Counters are not merged field by field: `queued` falls as
 * `sent` rises, and a resend moves failed recipients back to the queue, so only a whole
 * snapshot is consistent. On a tie the one with more settled recipients wins; a duplicate
 * returns `current` itself, so React can skip the render.
 */
export function mergeProgress(
  current: ProgressSnapshot | null,
  incoming: ProgressSnapshot,
): ProgressSnapshot {
  if (current === null) return incoming;
  const difference = time(incoming.at) - time(current.at);
  if (difference > 0) return incoming;
  if (difference < 0) return current;
  return incoming.counters.settled > current.counters.settled ? incoming : current;
}

/**
 * Applies a campaign read from the database (the page's query, a re-query after a reconnect,
 * a mutation's result). It is the truth, but its `updatedAt` may be older than the last
 * event when the API does not touch the campaign row for every counter change: it then
 * still wins unless a newer event has already seen more settled recipients, and it keeps
 * that event's time so older events stay rejected.
 */
export function mergeCampaignRead(
  current: ProgressSnapshot | null,
  read: ProgressSnapshot,
): ProgressSnapshot {
  if (current === null || time(read.at) >= time(current.at)) return read;
  if (read.counters.settled >= current.counters.settled) return { ...read, at: current.at };
  return current;
}
