import { compareVariants } from '../ab/comparison.js';
import type { Actor, Campaign } from '../domain/campaign.js';
import { isQunfaError, QunfaError } from '../errors.js';
import type { RestPacing } from '../ports/store.js';
import type { EngineContext } from './deps.js';
import { planChannels } from './plan.js';

/** The rest goes out from `now`, batched and paced as the campaign's own plan. */
function restPacing(ctx: EngineContext, campaign: Campaign): RestPacing {
  return {
    channels: planChannels(campaign, ctx.registry).map(({ channel, batchSize, accounts }) => ({
      channel,
      batchSize,
      accounts,
    })),
    firstDueAt: ctx.clock.now(),
    batchIntervalMs: campaign.batchIntervalMs,
    ...(campaign.sendWindowMs === null ? {} : { spreadOverMs: campaign.sendWindowMs }),
  };
}

/**
 * Decides an A/B test whose time has come: compares the variants on the test sample, records it,
 * and in `auto` mode sends the leader to the rest. Without a leader (no data), or in `confirm`
 * mode, the test waits for an operator. Returns false when another worker decided it first.
 */
export async function decideDueAbTest(
  ctx: EngineContext,
  ref: { workspaceId: string; campaignId: string },
  actor: Actor,
): Promise<boolean> {
  const campaign = await ctx.store.getCampaign(ref.campaignId);
  const test = campaign?.abTest;
  if (!campaign || !test || campaign.abState?.phase !== 'testing') return false;
  const counts = await ctx.store.abTestCounts(campaign.id);
  const comparison = compareVariants({
    metric: test.winnerMetric,
    variants: campaign.variants,
    countersByVariant: new Map(counts.variants.map((v) => [v.variantId, v.counters])),
    holdout: counts.holdout,
  });
  const recommended = comparison.leaderVariantId;
  try {
    await ctx.store.decideAbTest({
      workspaceId: campaign.workspaceId,
      campaignId: campaign.id,
      from: 'testing',
      comparison,
      recommendedVariantId: recommended,
      winner:
        test.winnerSelection === 'auto' && recommended
          ? { variantId: recommended, pacing: restPacing(ctx, campaign) }
          : null,
      actor,
      at: ctx.clock.now(),
    });
    ctx.logger.info('A/B test decided', {
      campaignId: campaign.id,
      recommendedVariantId: recommended,
      pValue: comparison.pValue,
      mode: test.winnerSelection,
    });
    return true;
  } catch (error) {
    // Another worker decided it, or the campaign was cancelled meanwhile: nothing to do.
    if (isQunfaError(error, 'ILLEGAL_TRANSITION')) return false;
    throw error;
  }
}

/** An operator's decision on a test awaiting one: the recommended variant unless `variantId` picks another. */
export async function confirmAbWinner(
  ctx: EngineContext,
  campaign: Campaign,
  actor: Actor,
  variantId: string | null,
): Promise<Campaign> {
  const state = campaign.abState;
  if (!campaign.abTest || state?.phase !== 'awaiting_decision' || !state.comparison) {
    throw new QunfaError(
      'ILLEGAL_TRANSITION',
      `the A/B test is ${state?.phase ?? (campaign.abTest ? 'not started' : 'absent')}: nothing to confirm`,
      { details: { phase: state?.phase ?? null, command: 'confirmAbWinner' } },
    );
  }
  if (campaign.state !== 'running' && campaign.state !== 'paused') {
    throw new QunfaError('ILLEGAL_TRANSITION', `a ${campaign.state} campaign sends no winner`, {
      details: { from: campaign.state, command: 'confirmAbWinner' },
    });
  }
  const chosen = variantId ?? state.recommendedVariantId;
  if (!chosen || !campaign.variants.some((v) => v.id === chosen)) {
    throw new QunfaError(
      'INVALID_INPUT',
      chosen ? `variant ${chosen} is not one of this campaign's` : 'the test has no leader: pick a variant',
      { details: { field: 'variantId' } },
    );
  }
  const { campaign: decided } = await ctx.store.decideAbTest({
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    from: 'awaiting_decision',
    comparison: state.comparison,
    recommendedVariantId: state.recommendedVariantId,
    winner: { variantId: chosen, pacing: restPacing(ctx, campaign) },
    actor,
    at: ctx.clock.now(),
  });
  return decided;
}
