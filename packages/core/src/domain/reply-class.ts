/**
 * What a reply from a contact is about, as a classifier sorts it (seed 000, section 3):
 * a question (`consultation`), a complaint, a marketing reply — `interested` or
 * `not_interested` —, an `unsubscribe`, `noise` (only emoji, symbols, gibberish), or `other`
 * (an acknowledgement, small talk: nothing to act on).
 */
export const replyClasses = [
  'consultation',
  'complaint',
  'interested',
  'not_interested',
  'unsubscribe',
  'noise',
  'other',
] as const;
export type ReplyClass = (typeof replyClasses)[number];

export function isReplyClass(value: unknown): value is ReplyClass {
  return typeof value === 'string' && (replyClasses as readonly string[]).includes(value);
}
