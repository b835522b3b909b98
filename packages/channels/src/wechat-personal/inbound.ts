import type { InboundMediaType, InboundMessage } from '@qunfa/core';
import type { PuppetMessage } from './puppet.js';

const mediaTypes: Record<number, InboundMediaType> = {
  1: 'file',
  2: 'voice',
  6: 'image',
  8: 'location',
  14: 'link',
  15: 'video',
};

/** Puppets differ: seconds or milliseconds since the epoch. */
function instantOf(timestamp: number): Date {
  return new Date(timestamp > 1e11 ? timestamp : timestamp * 1000);
}

/**
 * A message a friend or a group member sent the account, as an inbound message; undefined for
 * the account's own messages (puppets report what it sends too) and system messages.
 */
export function inboundFromPuppet(
  account: string,
  selfId: string,
  m: PuppetMessage,
): InboundMessage | undefined {
  if (!m.talkerId || m.talkerId === selfId) return undefined;
  const text = m.type === 7 ? (m.text ?? '') : '';
  const media = mediaTypes[m.type];
  if (m.type !== 7 && media === undefined) return undefined;
  return {
    providerMessageId: m.id,
    from: { kind: 'wxid', value: m.talkerId },
    account,
    at: instantOf(m.timestamp),
    text,
    ...(media ? { media: [{ type: media, ref: m.id }] } : {}),
    ...(m.roomId ? { groupId: m.roomId } : {}),
  };
}
