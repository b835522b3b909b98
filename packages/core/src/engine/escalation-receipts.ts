import type { ChannelPlanStep } from '../domain/campaign.js';
import type { ContentType } from '../domain/content.js';
import type { ChannelLimits, ReceiptState } from '../plugins/channel.js';

/** A plan step that waits for a receipt state its channel never reports for the step's content. */
export interface EscalationReceiptProblem {
  /** The step's index in the plan. */
  step: number;
  /** The provider (the step's channel or one of its failovers) that never reports it. */
  channel: string;
  contentType: ContentType;
  unless: ReceiptState;
  /** `channelPlan.<i>.escalateUnless`. */
  field: string;
  message: string;
}

/**
 * Whether `limits` report `state` per recipient for `type`: undefined when the channel does not
 * declare `receiptStates` (unknown: allowed). `read` counts when the campaign tracks opens and the
 * channel carries the open pixel in that content.
 */
export function reportsReceipt(
  limits: ChannelLimits,
  type: ContentType,
  state: ReceiptState,
  openPixel: boolean,
): boolean | undefined {
  if (!limits.receiptStates) return undefined;
  if (limits.receiptStates[type]?.includes(state)) return true;
  return state === 'read' && openPixel && (limits.openPixel?.includes(type) ?? false);
}

/**
 * Before a save and a start: each step with an escalation window must wait for a receipt its
 * providers report for the content the step sends (each variant's, for that step). A provider
 * that never reports it would leave every recipient short of it, so the window would send the next
 * step to all of them as well — a double send to the whole audience. Providers that do not declare
 * what they report are not judged. An all-channels plan escalates nothing and is not judged.
 */
export function escalationReceiptProblems(
  campaign: {
    channelPlan: readonly ChannelPlanStep[];
    channelMode?: 'first' | 'all';
    /** Each variant's content type, and its own per step (by the step's channel). */
    variants: readonly {
      content: { type: ContentType };
      channelContent?: Record<string, { type: ContentType }>;
    }[];
  },
  limitsOf: (channel: string) => ChannelLimits | undefined,
  openPixel: boolean,
): EscalationReceiptProblem[] {
  if (campaign.channelMode === 'all') return [];
  const problems: EscalationReceiptProblem[] = [];
  for (const [i, step] of campaign.channelPlan.entries()) {
    if (!step.escalateAfter) continue;
    const unless = step.escalateAfter.unless;
    const types = [
      ...new Set(campaign.variants.map((v) => (v.channelContent?.[step.channel] ?? v.content).type)),
    ];
    for (const channel of [step.channel, ...(step.failover ?? [])]) {
      const limits = limitsOf(channel);
      if (!limits) continue;
      for (const type of types) {
        if (reportsReceipt(limits, type, unless, openPixel) !== false) continue;
        const pixel =
          unless === 'read' && limits.openPixel?.includes(type)
            ? ' (it reports opens only when the campaign tracks them: turn on the open pixel)'
            : '';
        problems.push({
          step: i,
          channel,
          contentType: type,
          unless,
          field: `channelPlan.${i}.escalateUnless`,
          message: `channelPlan.${i}: ${channel} never reports ${type} messages as ${unless}${pixel}, so escalating unless ${unless.toUpperCase()} after ${Math.round(step.escalateAfter.ms / 1000)} s would send the next step to every recipient of this step`,
        });
      }
    }
  }
  return problems;
}
