export const contentTypes = [
  'text',
  'markdown',
  'image',
  'link',
  'miniprogram',
  'news',
  'email',
  'voice',
  'video',
  'template',
] as const;
export type ContentType = (typeof contentTypes)[number];

/**
 * What a variant sends. `text` may interpolate `{{name}}` and `{{attributes.key}}`; `subject`
 * is used by channels that have one (email). Media types (`image`, `voice`, `video`, and `news`
 * on channels that send prepared articles) carry the provider's media id in `text`; `template`
 * is a provider template (WeChat template messages): `subject` the template id, `text` its
 * `field: value` lines.
 */
export interface Content {
  type: ContentType;
  text: string;
  subject?: string;
}
