import type { GroupReach, WecomChannel } from '@qunfa/channels';
import { type ChannelPlugin, QunfaError } from '@qunfa/core';
import { authorize, type Principal } from '../../auth/roles.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';
import { contextOf } from './customer-tasks.js';

/** A campaign's reach in WeCom customer groups on one channel. */
export interface WecomGroupReach extends GroupReach {
  channel: string;
}

const hasGroupReach = (c: ChannelPlugin | undefined): c is ChannelPlugin & Pick<WecomChannel, 'groupReach'> =>
  typeof (c as Partial<WecomChannel> | undefined)?.groupReach === 'function';

/**
 * The customer groups a campaign reached on a WeCom channel (result 1) and their members when
 * WeCom reported them sent, as the channel recorded it. Members are a provider fact, not a
 * counter of the campaign: one delivery is one group, whatever its size.
 */
export async function wecomGroupReach(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
  channelName: string,
): Promise<WecomGroupReach> {
  const campaign = await requireCampaign(deps.db, authorize(principal, 'read'), campaignId);
  const channel = deps.registry.channels.find((c) => c.name === channelName);
  if (!hasGroupReach(channel)) {
    throw new QunfaError('CHANNEL_NOT_FOUND', `${channelName} is not a loaded WeCom channel`, {
      details: { channel: channelName },
    });
  }
  return { channel: channel.name, ...(await channel.groupReach(campaign.id, contextOf(deps, channel))) };
}
