import type { InboundMediaType, InboundMessage } from '@qunfa/core';
import { text, type XmlObject } from '../wechat-oa/xml.js';

const mediaTypes: Record<string, InboundMediaType> = {
  image: 'image',
  voice: 'voice',
  video: 'video',
  location: 'location',
  link: 'link',
};

/**
 * A member's message to an app (接收普通消息) as an inbound message: from the member's userid,
 * received by the app (`AgentID`), text as written, media by `MediaId` (never downloaded).
 */
export function inboundOf(message: XmlObject, at: Date): InboundMessage | undefined {
  const from = text(message, 'FromUserName');
  const msgId = text(message, 'MsgId');
  const type = text(message, 'MsgType');
  if (from === '' || msgId === '') return undefined;
  const agent = text(message, 'AgentID');
  const base = {
    providerMessageId: msgId,
    from: { kind: 'wecom_userid' as const, value: from },
    account: agent === '' ? null : agent,
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
  const said = type === 'location' ? text(message, 'Label') : type === 'link' ? text(message, 'Title') : '';
  return { ...base, text: said, media: [{ type: media, ref }] };
}
