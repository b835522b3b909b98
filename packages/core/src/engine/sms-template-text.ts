import { type Campaign, contentFor } from '../domain/campaign.js';
import type { Finding } from '../domain/finding.js';
import { fillSmsTemplate, findSmsTemplate, parseSmsTemplateParams } from '../domain/sms-template.js';
import type { ChannelLimits } from '../plugins/channel.js';
import type { ComplianceRule } from '../plugins/rule.js';
import type { CampaignPlan } from '../ports/store.js';
import type { ContentChecker } from './compliance.js';

/**
 * Runs the content rules over what an SMS recipient will read: the approved template's text
 * (from the channel's `limits.sms`) with the variant's parameters filled in, once per SMS
 * channel whose registry knows the template's text. A variant's `template` content is only
 * `name: value` lines; without this pass a term in the template text itself went unseen.
 * Findings name the channel; their span (about the filled text, not the variant) is dropped.
 */
export async function checkSmsTemplateTexts(
  rules: readonly ComplianceRule[],
  campaign: Campaign,
  plan: CampaignPlan,
  channelLimits: Record<string, ChannelLimits>,
  checkContent: ContentChecker,
): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const variant of campaign.variants) {
    for (const [channel, limits] of Object.entries(channelLimits)) {
      if (!limits.sms) continue;
      const content = contentFor(variant, campaign.channelPlan, channel);
      if (content.type !== 'template') continue;
      const params = parseSmsTemplateParams(content.text);
      if (typeof params === 'string') continue;
      const template = findSmsTemplate(limits.sms, content.subject?.trim() ?? '');
      if (template?.text === undefined) continue;
      const text = fillSmsTemplate(template.text, params);
      const found = await checkContent(
        rules,
        { type: 'text', text },
        { channels: [], channelLimits, workspaceId: campaign.workspaceId, campaign, plan },
      );
      for (const { span: _span, ...f } of found) {
        findings.push({
          ...f,
          channel: f.channel ?? channel,
          variantId: f.variantId ?? variant.id,
          params: { ...f.params, smsTemplate: template.id },
          message: `In the text of SMS template ${template.id} on ${channel}: ${f.message}`,
        });
      }
    }
  }
  return findings;
}
