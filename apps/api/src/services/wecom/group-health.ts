import type { GroupHealth, WecomChannel } from '@qunfa/channels';
import { type ChannelPlugin, type Contact, QunfaError } from '@qunfa/core';
import { authorize, type Principal } from '../../auth/roles.js';
import type { ServiceDeps } from '../deps.js';
import { contextOf } from './customer-tasks.js';

const hasGroupHealth = (
  c: ChannelPlugin | undefined,
): c is ChannelPlugin & Pick<WecomChannel, 'groupHealth'> =>
  typeof (c as Partial<WecomChannel> | undefined)?.groupHealth === 'function';

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * A customer group's health in a month (China time) as the WeCom channel counted it from the sync
 * and the membership callbacks: members, joins, leaves, 退群率 (leaves over the members at the
 * month's start), healthy under 5 %. Null for a person. CHANNEL_NOT_FOUND when the channel is not
 * a loaded WeCom corp; INVALID_INPUT for a month not written `YYYY-MM`.
 */
export async function wecomGroupHealth(
  deps: ServiceDeps,
  principal: Principal | null,
  contact: Contact,
  channelName: string,
  month: string | null | undefined,
): Promise<GroupHealth | null> {
  authorize(principal, 'read');
  if (month != null && !MONTH.test(month))
    throw new QunfaError('INVALID_INPUT', 'month is written YYYY-MM', { details: { field: 'month' } });
  const chat = contact.identities.find((i) => i.kind === 'wecom_chat_id');
  if (contact.kind !== 'group' || !chat) return null;
  const channel = deps.registry.channels.find((c) => c.name === channelName);
  if (!hasGroupHealth(channel)) {
    throw new QunfaError('CHANNEL_NOT_FOUND', `${channelName} is not a loaded WeCom channel`, {
      details: { channel: channelName },
    });
  }
  return channel.groupHealth(chat.value, contextOf(deps, channel), month ?? undefined);
}
