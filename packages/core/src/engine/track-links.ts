import type { Content } from '../domain/content.js';

/** Turns a link of a delivery's message into its tracked URL (`<PUBLIC_URL>/l/<token>`). */
export interface LinkTracker {
  url(ref: { deliveryId: string; link: number }): string;
  /**
   * The delivery's own unsubscribe link (`<PUBLIC_URL>/u/<token>`), which `{{unsubscribe}}`
   * renders as; without it the placeholder renders empty.
   */
  unsubscribeUrl?(ref: { deliveryId: string }): string;
  /**
   * The delivery's open pixel (`<PUBLIC_URL>/o/<token>.gif`), given to channels as
   * `OutboundMessage.openPixelUrl` for campaigns with `openPixel` on; without it no pixel is sent.
   */
  openPixelUrl?(ref: { deliveryId: string }): string;
}

/** A link in a message: where it is and what it points to. */
export interface FoundLink {
  index: number;
  start: number;
  end: number;
  url: string;
}

// Ends at white space, quotes, angle brackets, CJK text and full-width punctuation.
const linkPattern = /https?:\/\/[^\s<>"'`{}|\\^\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+/g;
const trailing = /[.,;:!?)\]]+$/;

/**
 * The http(s) links of a text, in order; the index is what a tracked link refers to. A link
 * that runs into a placeholder (`https://x.cn/{{attributes.code}}`) is personal: left out.
 */
export function findLinks(text: string): FoundLink[] {
  const links: FoundLink[] = [];
  for (const match of text.matchAll(linkPattern)) {
    const url = match[0].replace(trailing, '');
    const start = match.index;
    const end = start + url.length;
    if (end === start + match[0].length && text.startsWith('{{', end)) continue;
    if (url.length <= 'https://'.length) continue;
    links.push({ index: links.length, start, end, url });
  }
  return links;
}

/** Content types whose text is sent as written (e-mail: its HTML or text body), where a link can be swapped for a tracked one. */
const trackable: ReadonlySet<Content['type']> = new Set(['text', 'markdown', 'email']);

/** Whether links of this content are rewritten, given the plan step's `trackLinks` (default on). */
export function tracksLinks(content: Content, option: boolean | undefined): boolean {
  return option !== false && trackable.has(content.type) && findLinks(content.text).length > 0;
}

/**
 * The content with each link of its text replaced by the delivery's tracked URL; links are
 * numbered from `linkBase` (a plan step's own content: `STEP_LINKS` × its position + 1).
 */
export function withTrackedLinks(
  content: Content,
  deliveryId: string,
  tracker: LinkTracker,
  linkBase = 0,
): Content {
  const links = findLinks(content.text);
  if (links.length === 0) return content;
  let text = '';
  let from = 0;
  for (const link of links) {
    text += content.text.slice(from, link.start) + tracker.url({ deliveryId, link: linkBase + link.index });
    from = link.end;
  }
  return { ...content, text: text + content.text.slice(from) };
}
