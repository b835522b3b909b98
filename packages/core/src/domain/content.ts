export const contentTypes = ['text', 'markdown', 'image', 'link', 'miniprogram', 'news', 'email'] as const;
export type ContentType = (typeof contentTypes)[number];

/**
 * What a variant sends. `text` may interpolate `{{name}}` and `{{attributes.key}}`;
 * `subject` is used by channels that have one (email).
 */
export interface Content {
  type: ContentType;
  text: string;
  subject?: string;
}
