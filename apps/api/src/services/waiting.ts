import { type Campaign, describeWaiting, type WaitReason } from '@qunfa/core';
import type { ServiceDeps } from './deps.js';

/** What a campaign the caller may read waits for now: schedule, deferrals, confirmations, with counts. */
export async function campaignWaiting(deps: ServiceDeps, campaign: Campaign): Promise<WaitReason[]> {
  const [counters, batches] = await Promise.all([
    deps.store.counters(campaign.id),
    deps.store.waitingBatches(campaign.id, deps.clock.now()),
  ]);
  return describeWaiting(campaign, counters, batches);
}
