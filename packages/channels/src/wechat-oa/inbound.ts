import type { InboundMediaType, InboundMessage } from '@qunfa/core';
import { text, type XmlObject } from './xml.js';

const mediaTypes: Record<string, InboundMediaType> = {
  image: 'image',
  voice: 'voice',
  video: 'video',
  shortvideo: 'video',
  location: 'location',
  link: 'link',
};

/**
 * A follower's message (普通消息) as an inbound message: text as written, media by its
 * `MediaId` (never downloaded), a location by its label, a link by its URL. Voice messages keep
 * WeChat's speech recognition (`Recognition`) as their text when the account has it on.
 */
export function inboundOf(message: XmlObject, at: Date): InboundMessage | undefined {
  const from = text(message, 'FromUserName');
  const msgId = text(message, 'MsgId') || text(message, 'MsgID');
  const type = text(message, 'MsgType');
  if (from === '' || msgId === '') return undefined;
  const base = {
    providerMessageId: msgId,
    from: { kind: 'oa_openid' as const, value: from },
    account: null,
    at,
  };
  if (type === 'text') return { ...base, text: text(message, 'Content') };
  const media = mediaTypes[type];
  if (!media) return undefined;
  const ref =
    type === 'location'
      ? `${text(message, 'Location_X')},${text(message, 'Location_Y')}`
      : type === 'link'
        ? text(message, 'Url')
        : text(message, 'MediaId');
  const said =
    type === 'voice'
      ? text(message, 'Recognition')
      : type === 'location'
        ? text(message, 'Label')
        : type === 'link'
          ? text(message, 'Title')
          : '';
  return { ...base, text: said, media: [{ type: media, ref }] };
}
