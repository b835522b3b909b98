import { type CampaignFacts, type ComplianceRule, isTimeZone, parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';
import { startOfLocal } from './local-day.js';

const name = 'rule:oa-mass-send';

const optionsSchema = z.object({
  /** Where earlier mass sends come from. Required. */
  facts: z.custom<CampaignFacts>(
    (v) => typeof v === 'object' && v !== null && typeof (v as CampaignFacts).massSendsSince === 'function',
    'a CampaignFacts port',
  ),
  /** The Official Account channel's name. Default channel:wechat-oa. */
  channel: z.string().default('channel:wechat-oa'),
  /** subscription: one mass send a day; service: each user gets at most 4 a month. Default subscription. */
  accountType: z.enum(['subscription', 'service']).default('subscription'),
  /** Time zone of days and months. Default Asia/Shanghai. */
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone').default('Asia/Shanghai'),
});

export type OfficialAccountFrequencyOptions = z.input<typeof optionsSchema>;

/**
 * An Official Account's mass-send frequency: a subscription account's second mass send of a
 * day is refused by WeChat (block); a service account's fifth of a month is filtered for users
 * who already got four (warn).
 */
export function officialAccountFrequency(options: OfficialAccountFrequencyOptions): ComplianceRule {
  const opts = parsePluginOptions(name, optionsSchema, options);
  const subscription = opts.accountType === 'subscription';
  return {
    kind: 'rule',
    name,
    async checkCampaign(campaign, ctx) {
      if (!campaign.channelPlan.some((s) => s.channel === opts.channel)) return [];
      const earlier = await opts.facts.massSendsSince({
        workspaceId: campaign.workspaceId,
        channel: opts.channel,
        since: startOfLocal(ctx.now, opts.timeZone, subscription ? 'day' : 'month'),
        excludeCampaignId: campaign.id,
      });
      if (subscription && earlier >= 1) {
        return [
          {
            rule: name,
            level: 'block',
            code: 'OA_DAILY_MASS_SEND_USED',
            channel: opts.channel,
            params: { earlier },
            message: `the subscription account already mass-sent today (${earlier}); it may mass-send once a day`,
          },
        ];
      }
      if (!subscription && earlier >= 4) {
        return [
          {
            rule: name,
            level: 'warn',
            code: 'OA_MONTHLY_CAP',
            channel: opts.channel,
            params: { earlier, max: 4 },
            message: `${earlier} mass sends this month: WeChat drops this one for users who already got 4 this month`,
          },
        ];
      }
      return [];
    },
  };
}
