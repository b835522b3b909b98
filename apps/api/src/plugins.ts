import { sandbox } from '@qunfa/channels';
import type { CampaignFacts, PluginState, QunfaPlugin, RateLimiter, RecipientFacts } from '@qunfa/core';
import {
  abTestSample,
  audienceSize,
  builtinGroupMetrics,
  builtinMetrics,
  channelContent,
  links,
  officialAccountFrequency,
  recipientRules,
  ruleClassifier,
  type SensitiveWordIndex,
  sensitiveWords,
  smsContent,
  wechatPersonalSends,
} from '@qunfa/plugins';
import { emailChannelFromEnv } from './email-channel.js';
import { assemblePlugins } from './plugin-config/assemble-plugins.js';
import { smsChannelsFromEnv } from './sms-channels.js';
import { wecomChannelFromEnv } from './wecom-channel.js';

/** What the app gives plugins that need data: they read it through these, never a driver. */
export interface PluginServices {
  /** The current sensitive-word index of a workspace (shipped lexicons plus its own). */
  lexiconIndex(workspaceId: string | undefined): SensitiveWordIndex;
  recipientFacts: RecipientFacts;
  campaignFacts: CampaignFacts;
  /** Daily quiet period in the contact's time zone, or off, for workspaces that set none. Default 22:00–08:00. */
  quietHours: { start: string; end: string } | 'off';
  /** The rate limiter every worker shares (Redis when configured): for plugins that count their own budgets. */
  limiter: RateLimiter;
  /** The shared plugin state (SQL or Redis), scoped to the plugin's name as the engine scopes it. */
  pluginState(pluginName: string): PluginState;
}

/** The compliance rules of the default set: content, campaign and send-time recipient rules. */
export function complianceRules(services: PluginServices): QunfaPlugin[] {
  // Loaded even when the default is off: a workspace or a campaign may set quiet hours of its own.
  const quiet = services.quietHours;
  const recipients = recipientRules({
    facts: services.recipientFacts,
    quietHours: quiet === 'off' ? { enabled: false } : { enabled: true, ...quiet },
  });
  return [
    sensitiveWords({ index: services.lexiconIndex }),
    links(),
    channelContent(),
    smsContent(),
    audienceSize(),
    abTestSample(),
    wechatPersonalSends({ facts: services.campaignFacts }),
    officialAccountFrequency({ facts: services.campaignFacts }),
    ...recipients,
  ];
}

/**
 * The embedded default: the sandbox channel with its demo failure mix, the SMS channels the
 * environment configures (`ALIYUN_SMS_*`, `TENCENT_SMS_*`, see sms-channels.ts; `WECOM_*`, see
 * wecom-channel.ts; `EMAIL_SMTP_*`, see email-channel.ts), the campaign and customer-group metrics, the
 * compliance rules and the reply classifier.
 */
export function defaultPlugins(
  services: PluginServices,
  env: Record<string, string | undefined> = process.env,
): QunfaPlugin[] {
  return [
    sandbox({ preset: 'demo' }),
    ...smsChannelsFromEnv(env),
    ...wecomChannelFromEnv(env),
    ...emailChannelFromEnv(env),
    ...builtinMetrics(),
    ...builtinGroupMetrics(),
    ...complianceRules(services),
    ruleClassifier(),
  ];
}

/**
 * The plugins to run: the default set plus what the project config at `configPath` adds
 * (see plugin-config/assemble-plugins.ts); the registry then rejects duplicates and bad names.
 */
export async function loadConfiguredPlugins(
  configPath: string | undefined,
  services: PluginServices,
): Promise<QunfaPlugin[]> {
  return (await assemblePlugins(defaultPlugins(services), configPath, services)).plugins;
}
