import { type CampaignFacts, type ComplianceRule, isTimeZone, parsePluginOptions } from '@qunfa/core';
import { z } from 'zod';
import { startOfLocal } from './local-day.js';

const name = 'rule:wechat-personal-sends';

const optionsSchema = z.object({
  /** Where today's earlier mass sends come from. Required. */
  facts: z.custom<CampaignFacts>(
    (v) => typeof v === 'object' && v !== null && typeof (v as CampaignFacts).massSendsSince === 'function',
    'a CampaignFacts port',
  ),
  /** The personal WeChat channel's name. Default channel:wechat-personal. */
  channel: z.string().default('channel:wechat-personal'),
  /** Mass sends an account makes a day. Default 5. */
  maxPerDay: z.number().int().min(1).default(5),
  /** Recipients of one mass send. Default 200. */
  recipientsPerSend: z.number().int().min(1).default(200),
  /** Sender accounts the sends spread over. Default 1. */
  accounts: z.number().int().min(1).default(1),
  /** Time zone of the day. Default Asia/Shanghai. */
  timeZone: z.string().refine(isTimeZone, 'an IANA time zone').default('Asia/Shanghai'),
});

export type WechatPersonalSendsOptions = z.input<typeof optionsSchema>;

/** A personal WeChat account's 5 mass sends a day: flags a campaign that would go over today. */
export function wechatPersonalSends(options: WechatPersonalSendsOptions): ComplianceRule {
  const opts = parsePluginOptions(name, optionsSchema, options);
  return {
    kind: 'rule',
    name,
    async checkCampaign(campaign, ctx) {
      if (!campaign.channelPlan.some((s) => s.channel === opts.channel)) return [];
      const earlier = await opts.facts.massSendsSince({
        workspaceId: campaign.workspaceId,
        channel: opts.channel,
        since: startOfLocal(ctx.now, opts.timeZone, 'day'),
        excludeCampaignId: campaign.id,
      });
      // Each earlier campaign cost each account at least one send; this one needs its batches.
      const needed = Math.ceil(ctx.audienceSize / (opts.recipientsPerSend * opts.accounts));
      const perAccount = earlier + needed;
      if (perAccount <= opts.maxPerDay) return [];
      return [
        {
          rule: name,
          level: 'revise',
          code: 'WECHAT_PERSONAL_DAILY_SENDS',
          channel: opts.channel,
          params: { perAccount, earlier, max: opts.maxPerDay },
          message: `${perAccount} mass sends per account today (${earlier} already): a personal WeChat account makes at most ${opts.maxPerDay} a day; spread the campaign over days or add accounts`,
        },
      ];
    },
  };
}
