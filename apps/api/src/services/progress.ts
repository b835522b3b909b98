import { type ProgressEvent, progressEvent, settledCount } from '@qunfa/core';
import { Repeater } from 'graphql-yoga';
import type { Principal } from '../auth/roles.js';
import { authorize } from '../auth/roles.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';

const terminal = new Set(['completed', 'cancelled', 'failed']);

/**
 * A campaign's progress: first the exact counters from the database, then bus events,
 * never one that would move the settled count backwards; it ends with the campaign.
 * It listens before reading the snapshot so that nothing between the two is missed.
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
    if (terminal.has(snapshot.state)) return stop();
    let last = snapshot;
    try {
      for await (const event of events) {
        const stale =
          settledCount(event.counters) < settledCount(last.counters) && event.state === last.state;
        if (stale) continue;
        last = event;
        await push(event);
        if (terminal.has(event.state)) break;
      }
    } finally {
      abort.abort();
    }
    stop();
  });
}
