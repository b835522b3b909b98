import type { Content, ContentType } from '@qunfa/core';

/** A mass send's message part (`msgtype` and its object), as `mass/send` and `mass/sendall` take it. */
export type MassBody = Record<string, unknown> & { msgtype: string };

/** A template message (`message/template/send`) or a subscription notice (`message/subscribe/bizsend`). */
export interface TemplateBody {
  api: 'template' | 'subscribe';
  templateId: string;
  /** `url`, `miniprogram`, `page`…: the call's own fields. */
  fields: Record<string, unknown>;
  data: Record<string, { value: string }>;
}

export type Converted = { mass: MassBody } | { template: TemplateBody } | { rejected: string };

/** The content types the channel sends. */
export const oaContentTypes: ContentType[] = ['text', 'news', 'image', 'voice', 'video', 'template'];

const MEDIA_ID = /^[A-Za-z0-9_-]{1,128}$/;
const SUBSCRIBE_PREFIX = 'subscribe:';

/** A media id taken from the whole text (a draft's, a permanent or a mass-video media id). */
function mediaId(content: Content): string | undefined {
  const id = content.text.trim();
  return MEDIA_ID.test(id) ? id : undefined;
}

/**
 * A variant's content as WeChat takes it. `text` is sent as it is; `news` takes the `media_id`
 * of a draft (草稿箱) as its text; `image` one or more permanent image media ids (whitespace
 * between them) and the subject as the recommendation; `voice` a media id; `video` the media
 * id `media/uploadvideo` gave, the subject as the title. `template` is sent per follower.
 */
export function convertContent(content: Content): Converted {
  switch (content.type) {
    case 'text':
      if (content.text.trim() === '') return { rejected: 'empty text' };
      return { mass: { msgtype: 'text', text: { content: content.text } } };
    case 'news': {
      const id = mediaId(content);
      if (!id) return { rejected: 'news content takes the media_id of a draft as its text' };
      return { mass: { msgtype: 'mpnews', mpnews: { media_id: id } } };
    }
    case 'image': {
      const ids = content.text.split(/\s+/).filter((s) => s !== '');
      if (ids.length === 0 || !ids.every((id) => MEDIA_ID.test(id))) {
        return { rejected: 'image content takes permanent image media ids as its text' };
      }
      const recommend = content.subject?.trim();
      return {
        mass: { msgtype: 'image', images: { media_ids: ids, ...(recommend ? { recommend } : {}) } },
      };
    }
    case 'voice': {
      const id = mediaId(content);
      if (!id) return { rejected: 'voice content takes a media id as its text' };
      return { mass: { msgtype: 'voice', voice: { media_id: id } } };
    }
    case 'video': {
      const id = mediaId(content);
      if (!id) return { rejected: 'video content takes the media id of media/uploadvideo as its text' };
      const title = content.subject?.trim();
      return { mass: { msgtype: 'mpvideo', mpvideo: { media_id: id, ...(title ? { title } : {}) } } };
    }
    case 'template':
      return templateBody(content);
    default:
      return { rejected: `an Official Account sends no ${content.type} content` };
  }
}

/**
 * `subject`: the template id (`subscribe:<id>` for a subscription notice); `text`: one
 * `field: value` per line. `url`, `miniprogram.appid`, `miniprogram.pagepath` (template) and
 * `page`, `miniprogram_state`, `lang` (notice) are the call's own fields; every other line is
 * a data field (`first`, `keyword1`, `thing1`…).
 */
function templateBody(content: Content): Converted {
  const subject = content.subject?.trim() ?? '';
  const api = subject.startsWith(SUBSCRIBE_PREFIX) ? 'subscribe' : 'template';
  const templateId = api === 'subscribe' ? subject.slice(SUBSCRIBE_PREFIX.length).trim() : subject;
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(templateId)) {
    return { rejected: 'template content takes the template id as its subject' };
  }
  const fields: Record<string, unknown> = {};
  const miniprogram: Record<string, string> = {};
  const data: Record<string, { value: string }> = {};
  for (const line of content.text.split('\n')) {
    if (line.trim() === '') continue;
    const colon = line.indexOf(':');
    if (colon <= 0) return { rejected: `template line without "field:": ${line.slice(0, 40)}` };
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (!/^[A-Za-z][A-Za-z0-9_.]{0,63}$/.test(key)) return { rejected: `bad template field name: ${key}` };
    if (key === 'miniprogram.appid' || key === 'miniprogram.pagepath') miniprogram[key.slice(12)] = value;
    else if (api === 'template' && key === 'url') fields.url = value;
    else if (api === 'subscribe' && (key === 'page' || key === 'miniprogram_state' || key === 'lang'))
      fields[key] = value;
    else data[key] = { value };
  }
  if (Object.keys(data).length === 0) return { rejected: 'template content has no data field' };
  if (Object.keys(miniprogram).length > 0) fields.miniprogram = miniprogram;
  return { template: { api, templateId, fields, data } };
}
