import type { Content, ContentType } from '@qunfa/core';

/** Media a message needs uploaded first (`media/upload`): where to fetch it and as what. */
export interface MediaRef {
  type: 'image' | 'voice' | 'video' | 'file';
  /** `https://…` (or `http:`/`data:`) to fetch, or `media:<media_id>` already uploaded. */
  source: string;
  /** File name sent with the upload; default from the URL. */
  filename?: string;
}

/** An application message's part (`msgtype` and its object); `media` filled in as `media_id` before sending. */
export interface AppBody {
  msgtype: string;
  fields: Record<string, unknown>;
  media?: MediaRef;
}

export type AppConverted = { body: AppBody } | { rejected: string };

/** The content types the channel sends as application messages. */
export const appContentTypes: ContentType[] = ['text', 'markdown', 'link', 'news', 'image', 'voice', 'video'];

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

/** Lines `key: value` for the keys given, the other lines kept as text. */
export function splitFields(
  text: string,
  keys: readonly string[],
): { fields: Record<string, string>; rest: string } {
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([a-z_]+)\s*:\s*(.+?)\s*$/.exec(line);
    if (m && keys.includes(m[1]!)) fields[m[1]!] = m[2]!;
    else rest.push(line);
  }
  return { fields, rest: rest.join('\n').trim() };
}

const URL_RE = /^(https?:\/\/\S+|data:\S+|media:[A-Za-z0-9_@.-]{1,256})$/;

/** A media source: the whole text, a URL or `media:<id>`. */
export function mediaSource(text: string): string | undefined {
  const s = text.trim();
  return URL_RE.test(s) ? s : undefined;
}

/**
 * A variant's content as an application message (`message/send`). `text` and `markdown` are sent
 * as they are (at most 2048 bytes); `link` becomes a text card and `news` one article: the subject
 * its title, `url:`, `picurl:`, `btntxt:` lines its fields, the other lines its description;
 * `image`, `voice` and `video` take a URL (uploaded once, then reused) or `media:<media_id>` as text.
 */
export function convertAppContent(content: Content): AppConverted {
  switch (content.type) {
    case 'text':
    case 'markdown': {
      if (content.text.trim() === '') return { rejected: `empty ${content.type}` };
      if (bytes(content.text) > 2048) return { rejected: `${content.type} longer than 2048 bytes` };
      return { body: { msgtype: content.type, fields: { content: content.text } } };
    }
    case 'link': {
      const { fields, rest } = splitFields(content.text, ['url', 'btntxt']);
      const title = content.subject?.trim() ?? '';
      if (title === '' || bytes(title) > 128)
        return { rejected: 'a text card needs a subject of 1–128 bytes' };
      if (!fields.url || !/^https?:\/\//.test(fields.url))
        return { rejected: 'a text card needs a "url:" line' };
      if (rest === '' || bytes(rest) > 512)
        return { rejected: 'a text card needs a description of 1–512 bytes' };
      return {
        body: {
          msgtype: 'textcard',
          fields: {
            title,
            description: rest,
            url: fields.url,
            ...(fields.btntxt ? { btntxt: fields.btntxt } : {}),
          },
        },
      };
    }
    case 'news': {
      const { fields, rest } = splitFields(content.text, ['url', 'picurl']);
      const title = content.subject?.trim() ?? '';
      if (title === '' || bytes(title) > 128)
        return { rejected: 'an article needs a subject of 1–128 bytes' };
      if (!fields.url || !/^https?:\/\//.test(fields.url))
        return { rejected: 'an article needs a "url:" line' };
      if (bytes(rest) > 512) return { rejected: 'an article description is at most 512 bytes' };
      const article = {
        title,
        url: fields.url,
        ...(rest ? { description: rest } : {}),
        ...(fields.picurl ? { picurl: fields.picurl } : {}),
      };
      return { body: { msgtype: 'news', fields: { articles: [article] } } };
    }
    case 'image':
    case 'voice':
    case 'video': {
      const source = mediaSource(content.text);
      if (!source) return { rejected: `${content.type} content takes a URL or media:<media_id> as its text` };
      const title = content.subject?.trim();
      return {
        body: {
          msgtype: content.type,
          fields: content.type === 'video' && title ? { title } : {},
          media: { type: content.type, source },
        },
      };
    }
    default:
      return { rejected: `WeCom application messages send no ${content.type} content` };
  }
}
