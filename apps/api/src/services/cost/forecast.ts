import type { Forecast } from '@qunfa/core';
import { authorize, type Principal } from '../../auth/roles.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';
import { actorOf } from '../review-state.js';
import { channelPrices } from './channel-prices.js';

/** A dry run of the campaign's start (see `Engine.forecast`), at the workspace's prices; writes nothing. */
export async function forecastCampaign(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<Forecast> {
  const p = authorize(principal, 'read');
  const campaign = await requireCampaign(deps.db, p, campaignId);
  return deps.engine.forecast({
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    actor: actorOf(p),
    prices: await channelPrices(deps.db, p.workspaceId),
  });
}
