import type { Content } from '../domain/content.js';
import { needsPersonalisation, renderContent } from './render.js';
import { type LinkTracker, tracksLinks, withTrackedLinks } from './track-links.js';

/** Who a message goes to, as rendering needs them. */
export interface SentTo {
  deliveryId: string;
  name: string | null;
  attributes: Record<string, unknown>;
}

const unpersonalised = new WeakMap<Content, boolean>();

/**
 * A variant's content as one recipient gets it: links swapped for the delivery's tracked ones
 * (unless the plan step turns tracking off), then placeholders filled. The send path and the
 * complaint evidence bundle both use it, so the bundle shows what was sent.
 */
export function contentAsSent(
  content: Content,
  to: SentTo,
  trackLinks: boolean | undefined,
  tracker: LinkTracker | undefined,
  /** The number of the content's first link (`sentContent`). Default 0. */
  linkBase = 0,
): Content {
  // Links are swapped before rendering: a link a placeholder makes is personal and stays as it is.
  const template =
    tracker && tracksLinks(content, trackLinks)
      ? withTrackedLinks(content, to.deliveryId, tracker, linkBase)
      : content;
  let plain = unpersonalised.get(content);
  if (plain === undefined) {
    plain = !needsPersonalisation(content);
    unpersonalised.set(content, plain);
  }
  return plain
    ? template
    : renderContent(template, {
        ...to,
        unsubscribeUrl: tracker?.unsubscribeUrl?.({ deliveryId: to.deliveryId }),
      });
}
