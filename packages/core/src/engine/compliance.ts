import type { Campaign } from '../domain/campaign.js';
import type { Content } from '../domain/content.js';
import type { Finding } from '../domain/finding.js';
import { QunfaError } from '../errors.js';
import type {
  ComplianceRule,
  ContentCheckContext,
  RecipientCheck,
  RecipientVerdict,
} from '../plugins/rule.js';
import type { CampaignPlan } from '../ports/store.js';
import type { Registry } from '../registry/registry.js';
import { checkConfirmationDeadlines } from './confirmation-deadline.js';
import { checkSmsTemplateTexts } from './sms-template-text.js';

/** Runs a plugin hook, stamping the plugin's name onto whatever it throws. */
export async function callPlugin<T>(plugin: string, hook: string, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw stampedError(plugin, hook, error);
  }
}

/** `callPlugin` for a hook that answers at once (a channel's `address`): no promise per call. */
export function callPluginNow<T>(plugin: string, hook: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw stampedError(plugin, hook, error);
  }
}

function stampedError(plugin: string, hook: string, error: unknown): unknown {
  if (error instanceof QunfaError && error.plugin) return error;
  return new QunfaError(
    'PLUGIN_FAILED',
    `${hook} failed: ${error instanceof Error ? error.message : String(error)}`,
    {
      plugin,
      details: { hook },
      cause: error,
    },
  );
}

/**
 * Checks one variant's content with the rules. The default asks each rule once; the API
 * passes one that also checks each distinct value the template interpolates (`checkTemplate`).
 */
export type ContentChecker = (
  rules: readonly ComplianceRule[],
  content: Content,
  ctx: ContentCheckContext & { campaign: Campaign; plan: CampaignPlan },
) => Promise<Finding[]>;

/** Each rule's `checkContent` on the content as it is. */
export const defaultContentChecker: ContentChecker = async (rules, content, ctx) => {
  const { campaign: _campaign, plan: _plan, ...check } = ctx;
  const findings: Finding[] = [];
  for (const rule of rules)
    if (rule.checkContent) findings.push(...(await rule.checkContent(content, check)));
  return findings;
};

/** The rule with its hooks' errors stamped with its name. */
function stamped(rule: ComplianceRule): ComplianceRule {
  const { checkContent } = rule;
  if (!checkContent) return rule;
  return {
    ...rule,
    checkContent: (content, ctx) => callPlugin(rule.name, 'checkContent', () => checkContent(content, ctx)),
  };
}

/** Every rule's findings on the content of each variant and on the campaign, before a start. */
export async function checkBeforeStart(
  campaign: Campaign,
  plan: CampaignPlan,
  registry: Registry,
  ctx: { audienceSize: number; now: Date },
  checkContent: ContentChecker = defaultContentChecker,
): Promise<Finding[]> {
  const rules = registry.rules.map(stamped);
  // Every provider a recipient may get the content from: the steps' channels and their failovers.
  const steps = campaign.channelPlan.map((s) => [s.channel, ...(s.failover ?? [])]);
  const channelLimits = Object.fromEntries(
    steps.flat().flatMap((name) => {
      const plugin = registry.get(name);
      return plugin?.kind === 'channel' ? [[name, plugin.limits]] : [];
    }),
  );
  const findings: Finding[] = [];
  for (const variant of campaign.variants) {
    // The variant's own content goes to the steps without content of their own; each step's
    // content is judged against that step's providers, and its findings name the step.
    const groups = new Map<Content, { channels: string[]; step?: string }>();
    campaign.channelPlan.forEach((step, i) => {
      const own = variant.channelContent?.[step.channel];
      const content = own ?? variant.content;
      const group = groups.get(content) ?? { channels: [], ...(own ? { step: step.channel } : {}) };
      group.channels.push(...(steps[i] ?? []));
      groups.set(content, group);
    });
    for (const [content, group] of groups) {
      const found = await checkContent(rules, content, {
        channels: group.channels,
        channelLimits,
        workspaceId: campaign.workspaceId,
        campaign,
        plan,
      });
      for (const f of found) {
        findings.push({
          ...f,
          variantId: f.variantId ?? variant.id,
          ...(group.step && !f.channel ? { channel: group.step } : {}),
        });
      }
    }
  }
  findings.push(...(await checkSmsTemplateTexts(rules, campaign, plan, channelLimits, checkContent)));
  findings.push(...checkConfirmationDeadlines(campaign, registry));
  for (const rule of rules) {
    if (rule.checkCampaign) {
      const found = await callPlugin(rule.name, 'checkCampaign', () => rule.checkCampaign?.(campaign, ctx));
      findings.push(...(found ?? []));
    }
  }
  return findings;
}

export type MergedVerdict =
  | { action: 'allow' }
  | { action: 'suppress'; reason: string; rule: string }
  | { action: 'defer'; until: Date; reason: string; rule: string };

/**
 * Every rule's verdict on a batch's recipients at send time, merged per delivery: a suppression
 * wins over a deferral, and the latest deferral over earlier ones.
 */
export async function checkRecipients(
  checks: RecipientCheck[],
  rules: readonly ComplianceRule[],
  ctx: { campaign: Campaign; now: Date },
): Promise<Map<string, MergedVerdict>> {
  const merged = new Map<string, MergedVerdict>(checks.map((c) => [c.deliveryId, { action: 'allow' }]));
  if (checks.length === 0) return merged;
  for (const rule of rules) {
    if (!rule.checkRecipients) continue;
    const verdicts: RecipientVerdict[] =
      (await callPlugin(rule.name, 'checkRecipients', () => rule.checkRecipients?.(checks, ctx))) ?? [];
    for (const v of verdicts) {
      const current = merged.get(v.deliveryId);
      if (!current || current.action === 'suppress' || v.action === 'allow') continue;
      if (v.action === 'suppress')
        merged.set(v.deliveryId, { action: 'suppress', reason: v.reason, rule: rule.name });
      else if (current.action === 'allow' || v.until > current.until) {
        merged.set(v.deliveryId, { action: 'defer', until: v.until, reason: v.reason, rule: rule.name });
      }
    }
  }
  return merged;
}
