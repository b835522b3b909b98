import { type AbComparison, type Campaign, compareVariants } from '@qunfa/core';
import { authorize, type Principal } from '../auth/roles.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { parseId } from './validate.js';

/**
 * The comparison of a campaign's A/B test: the one recorded at the decision, or, while the test
 * runs, one computed now from the per-variant counts. Null before the campaign starts.
 */
export async function abComparison(deps: ServiceDeps, campaign: Campaign): Promise<AbComparison | null> {
  const test = campaign.abTest;
  const state = campaign.abState;
  if (!test || !state) return null;
  if (state.comparison) return state.comparison;
  const counts = await deps.store.abTestCounts(campaign.id);
  return compareVariants({
    metric: test.winnerMetric,
    variants: campaign.variants,
    countersByVariant: new Map(counts.variants.map((v) => [v.variantId, v.counters])),
    holdout: counts.holdout,
  });
}

/**
 * An operator confirms the winner of a test awaiting its decision, or picks another variant:
 * it goes to the rest at once. A test not awaiting a decision is ILLEGAL_TRANSITION, a variant
 * of another campaign INVALID_INPUT; either way nothing changes.
 */
export async function confirmAbTestWinner(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  variantId: string | null | undefined,
): Promise<Campaign> {
  const p = authorize(principal, 'write');
  const campaign = await requireCampaign(deps.db, p, id);
  return deps.engine.confirmAbWinner({
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    actor: { kind: 'api_key', id: String(p.keyId) },
    // A malformed id can match no variant: the engine reports it as INVALID_INPUT.
    variantId: variantId == null ? null : String(parseId(variantId) ?? variantId),
  });
}
