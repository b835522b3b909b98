import type { Content, ContentType } from '@qunfa/core';
import { type MediaRef, mediaSource, splitFields } from './content.js';

/** An `add_msg_template` message: its `text` and `attachments`, media uploaded before the call. */
export interface CustomerBody {
  text?: { content: string };
  attachments: { msgtype: string; part: Record<string, unknown>; media?: MediaRef }[];
}

export type CustomerConverted = { body: CustomerBody } | { rejected: string };

/** The content types a customer mass send takes. */
export const customerContentTypes: ContentType[] = ['text', 'link', 'news', 'image', 'video'];

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * A variant's content as a customer mass message (创建企业群发): `text` (at most 4000 bytes);
 * `link`/`news` a link attachment (subject the title, `url:`, `picurl:` lines, the rest its
 * description); `image` and `video` an attachment uploaded from a URL (or `media:<id>`), the
 * subject sent as the text beside it.
 */
export function convertCustomerContent(content: Content): CustomerConverted {
  switch (content.type) {
    case 'text':
      if (content.text.trim() === '') return { rejected: 'empty text' };
      if (bytes(content.text) > 4000) return { rejected: 'text longer than 4000 bytes' };
      return { body: { text: { content: content.text }, attachments: [] } };
    case 'link':
    case 'news': {
      const { fields, rest } = splitFields(content.text, ['url', 'picurl']);
      const title = content.subject?.trim() ?? '';
      if (title === '' || bytes(title) > 128) return { rejected: 'a link needs a subject of 1–128 bytes' };
      if (!fields.url || !/^https?:\/\//.test(fields.url)) return { rejected: 'a link needs a "url:" line' };
      const link = {
        title,
        url: fields.url,
        ...(rest ? { desc: rest } : {}),
        ...(fields.picurl ? { picurl: fields.picurl } : {}),
      };
      return { body: { attachments: [{ msgtype: 'link', part: link }] } };
    }
    case 'image':
    case 'video': {
      const source = mediaSource(content.text);
      if (!source) return { rejected: `${content.type} content takes a URL or media:<media_id> as its text` };
      const said = content.subject?.trim();
      return {
        body: {
          ...(said ? { text: { content: said } } : {}),
          attachments: [{ msgtype: content.type, part: {}, media: { type: content.type, source } }],
        },
      };
    }
    default:
      return { rejected: `a WeCom customer mass send takes no ${content.type} content` };
  }
}
