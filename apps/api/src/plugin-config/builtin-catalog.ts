import { emailSmtp, sandbox, smsAliyun, smsTencent, wechatOa, wecom } from '@qunfa/channels';
import type { QunfaPlugin } from '@qunfa/core';
import {
  abTestSample,
  audienceSize,
  channelContent,
  clickThrough,
  complaintRate,
  completion,
  conversionRate,
  deliveryRate,
  groupQuitRate,
  links,
  officialAccountFrequency,
  openRate,
  replyRate,
  ruleClassifier,
  sensitiveWords,
  smsContent,
  unsubscribeRate,
  wechatPersonalSends,
} from '@qunfa/plugins';
import type { PluginServices } from '../plugins.js';
import { puppetProfiles } from './puppet-profiles.js';

type Make = (options: never) => QunfaPlugin;

/**
 * Built-in plugins a config may name with `{ "use": "<name>", "options": {…} }`; those that
 * read data get the app's services. Options are validated by each factory.
 */
export function builtinCatalog(services: PluginServices): ReadonlyMap<string, Make> {
  const entries: [string, (options: Record<string, unknown>) => QunfaPlugin][] = [
    ['channel:sandbox', (o) => sandbox(o)],
    ['channel:wechat-oa', (o) => wechatOa(o as never)],
    ['channel:email-smtp', (o) => emailSmtp(o as never)],
    ['channel:sms-aliyun', (o) => smsAliyun(o as never)],
    ['channel:sms-tencent', (o) => smsTencent(o as never)],
    ['channel:wechat-personal', (o) => puppetProfiles(o, services)],
    ['channel:wecom', (o) => wecom(o as never)],
    ['rule:sensitive-words', (o) => sensitiveWords({ ...o, index: services.lexiconIndex })],
    ['rule:links', (o) => links(o)],
    ['rule:channel-content', (o) => channelContent(o)],
    ['rule:sms-content', (o) => smsContent(o)],
    ['rule:audience-size', (o) => audienceSize(o)],
    ['rule:ab-test-sample', (o) => abTestSample(o)],
    ['rule:wechat-personal-sends', (o) => wechatPersonalSends({ ...o, facts: services.campaignFacts })],
    ['rule:oa-mass-send', (o) => officialAccountFrequency({ ...o, facts: services.campaignFacts })],
    ['metric:delivery-rate', (o) => deliveryRate(o)],
    ['metric:completion', (o) => completion(o as never)],
    ['metric:open-rate', (o) => openRate(o)],
    ['metric:click-through', (o) => clickThrough(o)],
    ['metric:reply-rate', (o) => replyRate(o)],
    ['metric:complaint-rate', (o) => complaintRate(o)],
    ['metric:unsubscribe-rate', (o) => unsubscribeRate(o)],
    ['metric:conversion-rate', (o) => conversionRate(o)],
    ['metric:group-quit-rate', (o) => groupQuitRate(o)],
    ['classifier:rules', (o) => ruleClassifier(o as never)],
  ];
  return new Map(entries as [string, Make][]);
}
