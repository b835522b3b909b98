import { type ChannelPlanStep, planStepOf, type Variant } from '../domain/campaign.js';
import type { Content } from '../domain/content.js';
import { findLinks } from './track-links.js';

/**
 * Links of a plan step's own content are numbered from `STEP_LINKS × (position + 1)`, those of
 * the variant's content from 0: a tracked link then names its content, so a click on a WeCom
 * message still redirects right after the recipient moved on to SMS.
 */
export const STEP_LINKS = 1000;

/** The content a variant sends on a channel, and the number of its first link. */
export function sentContent(
  variant: Pick<Variant, 'content' | 'channelContent'>,
  channelPlan: readonly ChannelPlanStep[],
  channel: string,
): { content: Content; linkBase: number } {
  const step = planStepOf(channelPlan, channel);
  const own = step && variant.channelContent?.[step.channel];
  if (!own) return { content: variant.content, linkBase: 0 };
  return { content: own, linkBase: STEP_LINKS * (channelPlan.indexOf(step) + 1) };
}

/** The URL a tracked link number stands for in a variant's contents, or undefined. */
export function linkTarget(
  variant: Pick<Variant, 'content' | 'channelContent'>,
  channelPlan: readonly ChannelPlanStep[],
  link: number,
): string | undefined {
  const position = Math.floor(link / STEP_LINKS);
  const content =
    position === 0 ? variant.content : variant.channelContent?.[channelPlan[position - 1]?.channel ?? ''];
  return content ? findLinks(content.text)[link % STEP_LINKS]?.url : undefined;
}
