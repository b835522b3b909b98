import { abSplit } from '../ab/split.js';
import { type Campaign, type ChannelPlanStep, channelModeProblem } from '../domain/campaign.js';
import type { SuppressionReason } from '../domain/contact.js';
import { variantRanges } from '../domain/variant-bucket.js';
import { QunfaError } from '../errors.js';
import type { ChannelPlugin } from '../plugins/channel.js';
import type { CampaignPlan } from '../ports/store.js';
import type { Registry } from '../registry/registry.js';

/** Suppressions that keep a contact out of every marketing campaign. */
export const marketingSuppressions: readonly SuppressionReason[] = [
  'unsubscribed',
  'blacklisted',
  'complained',
  'erased',
];

/** FNV-1a (32 bit) of a campaign id, reduced below 2^31: the stable seed of its A/B split. */
export function variantSeedFor(campaignId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < campaignId.length; i++) {
    hash ^= campaignId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % 2 ** 31;
}

/** The batch size of a platform job step: every recipient of the step in one batch (a 32-bit int for the stores). */
export const JOB_BATCH_SIZE = 2_147_483_647;

/**
 * Recipients per batch of a plan step: the step's own size, capped by what one send may carry
 * and by the daily quota (a batch larger than a day's quota could never be sent).
 */
export function stepBatchSize(step: ChannelPlanStep | undefined, channel: ChannelPlugin): number {
  // A platform job covers the provider's whole target in one call: one batch, however many.
  if (step?.platformJob) return JOB_BATCH_SIZE;
  const { maxRecipientsPerSend, maxSendsPerDay } = channel.limits;
  const size = Math.min(step?.batchSize ?? maxRecipientsPerSend, maxRecipientsPerSend);
  return Math.max(1, maxSendsPerDay === undefined ? size : Math.min(size, maxSendsPerDay));
}

/** The channel plan as a store executes it: names, address kinds, batch sizes and accounts. */
export function planChannels(campaign: Campaign, registry: Registry): CampaignPlan['channels'] {
  return campaign.channelPlan.map((step) => {
    const channel = registry.channel(step.channel);
    return {
      channel: channel.name,
      identityKinds: [...channel.identityKinds],
      batchSize: stepBatchSize(step, channel),
      accounts: [...channel.accounts],
      ...(step.failover?.length ? { failover: [...step.failover] } : {}),
    };
  });
}

/**
 * The plan with the campaign's A/B split for `sendable` recipients: variants on the test sample,
 * hold-out and rest beside them, the decision `decisionDelayMs` after the first batch is due.
 * A resend run keeps each recipient's variant instead, and a campaign without a test is unchanged.
 */
export function withAbSplit(plan: CampaignPlan, campaign: Campaign, sendable: number): CampaignPlan {
  if (!campaign.abTest || campaign.resendOf) return plan;
  const split = abSplit(campaign.abTest, campaign.variants, sendable);
  return {
    ...plan,
    variants: split.variants,
    abTest: {
      holdout: split.holdout,
      rest: split.rest,
      decideAt: new Date(plan.firstDueAt.getTime() + campaign.abTest.decisionDelayMs),
    },
  };
}

/** A resend's variants are the source's, copied in order: source variant id → copy's id. */
function keptVariants(campaign: Campaign, source: Campaign | undefined) {
  if (!source || source.variants.length !== campaign.variants.length) return {};
  return {
    variants: source.variants.map((v, i) => ({
      sourceVariantId: v.id,
      variantId: campaign.variants[i]?.id ?? v.id,
    })),
  };
}

/**
 * A platform job sends one content to a provider-side audience: its channel must offer jobs, and
 * the campaign must have one content for everyone there (one variant, no A/B test) and nothing to
 * wait for per person (no escalation window).
 */
export function checkPlatformJobs(campaign: Campaign, registry: Registry): void {
  campaign.channelPlan.forEach((step, i) => {
    if (!step.platformJob) return;
    const field = `channelPlan.${i}.platformJob`;
    const refuse = (why: string) =>
      new QunfaError('INVALID_INPUT', `${field}: ${why}`, { details: { campaignId: campaign.id, field } });
    const { limits } = registry.channel(step.channel);
    if (!limits.platformJobs) throw refuse(`${step.channel} cannot send a platform job`);
    // A job is re-sent whole after a crash: only a provider that drops the repeat may carry one.
    if (!limits.idempotencyKeys)
      throw refuse(`${step.channel} has no idempotency keys, so a job could go twice`);
    if (step.platformJob.target.trim() === '') throw refuse('the job needs a target');
    if (step.failover?.length) throw refuse('a platform job has no failover provider');
    if (step.escalateAfter) throw refuse('a platform job reports no one to escalate after a delay');
    if (campaign.variants.length !== 1 || campaign.abTest)
      throw refuse('a platform job sends one content: one variant, no A/B test');
    // The provider reaches its whole target: a run meant for a few of the audience cannot use it.
    if (campaign.resendOf || campaign.runOf?.contactIds)
      throw refuse('a resend or follow-up run covers part of the audience, and a job reaches all of it');
  });
}

/**
 * The declarative plan the store executes to start a campaign. For a resend run, `source` (the
 * campaign it resends) maps each variant to its copy, so every recipient keeps its variant.
 */
export function buildPlan(
  campaign: Campaign,
  registry: Registry,
  now: Date,
  source?: Campaign,
): CampaignPlan {
  if (campaign.variants.length === 0) {
    throw new QunfaError('INVALID_INPUT', 'the campaign has no variant', {
      details: { campaignId: campaign.id, field: 'variants' },
    });
  }
  if (campaign.channelPlan.length === 0) {
    throw new QunfaError('INVALID_INPUT', 'the campaign has no channel plan', {
      details: { campaignId: campaign.id, field: 'channelPlan' },
    });
  }
  checkPlatformJobs(campaign, registry);
  const problem = channelModeProblem(campaign);
  if (problem) {
    throw new QunfaError('INVALID_INPUT', `${problem.field}: ${problem.message}`, {
      details: { campaignId: campaign.id, field: problem.field },
    });
  }
  const channels = planChannels(campaign, registry);
  const scheduledAt = campaign.scheduledAt;
  const resend = campaign.resendOf;
  return {
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    audience: campaign.audience,
    suppress: campaign.excludeDormant ? [...marketingSuppressions, 'dormant'] : [...marketingSuppressions],
    // A resend keeps each recipient's variant: same seed, same ranges (variants are copied in order).
    variantSeed: variantSeedFor(resend ? resend.campaignId : campaign.id),
    variants: variantRanges(campaign.variants),
    channels,
    ...(campaign.channelMode === 'all' ? { channelMode: 'all' as const } : {}),
    firstDueAt: scheduledAt && scheduledAt > now ? scheduledAt : now,
    batchIntervalMs: campaign.batchIntervalMs,
    ...(campaign.sendWindowMs === null ? {} : { spreadOverMs: campaign.sendWindowMs }),
    ...(campaign.runOf?.contactIds ? { onlyContacts: [...campaign.runOf.contactIds] } : {}),
    ...(resend
      ? {
          restrictTo: {
            campaignId: resend.campaignId,
            states: [...resend.states],
            ...(resend.failureClasses ? { failureClasses: [...resend.failureClasses] } : {}),
            ...keptVariants(campaign, source),
          },
        }
      : {}),
  };
}
