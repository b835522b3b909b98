import { type ProgressEvent, progressEvent, settledCount } from '@qunfa/core';
import { Repeater } from '@repeaterjs/repeater';
import type { Principal } from '../auth/roles.js';
import { authorize } from '../auth/roles.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';

/**
 * A campaign's progress: first the exact counters from the database, then bus events,
 * never one that would move the settled count backwards. It listens before reading the snapshot
 * so that nothing between the two is missed, and it does not end with the campaign: receipts
 * keep moving a completed, cancelled or failed campaign's counters (a late delivery report, a
 * WeCom task's results or cancel, an OA job's totals) and a late failure may run it again, so
 * the stream lasts until the client leaves.
 */
export async function campaignProgress(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<AsyncIterable<ProgressEvent>> {
  const p = authorize(principal, 'read');
  const campaign = await requireCampaign(deps.db, p, id);
  return new Repeater<ProgressEvent>(async (push, stop) => {
    const abort = new AbortController();
    stop.then(() => abort.abort());
    const events = deps.bus.subscribe('campaign.progress', campaign.id, abort.signal);
    const snapshot = (await progressEvent(deps, {
      workspaceId: campaign.workspaceId,
      campaignId: campaign.id,
    }))!;
    await push(snapshot);
    let last = snapshot;
    try {
      for await (const event of events) {
        const stale =
          settledCount(event.counters) < settledCount(last.counters) && event.state === last.state;
        if (stale) continue;
        last = event;
        await push(event);
      }
    } finally {
      abort.abort();
    }
    stop();
  });
}
