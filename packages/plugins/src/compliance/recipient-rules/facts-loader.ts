import type { Campaign, RecipientCheck, RecipientFact, RecipientFacts } from '@qunfa/core';

/** Loads the facts of a batch's contacts; rules sharing a loader share its one query per batch. */
export type RecipientFactsLoader = (
  batch: RecipientCheck[],
  ctx: { campaign: Campaign; now: Date },
) => Promise<Map<string, RecipientFact>>;

/**
 * Memoises by the batch array: the kernel hands every rule the same array for a batch, so
 * the suppression, frequency-cap and quiet-hours rules together make one call to the port.
 */
export function createRecipientFactsLoader(facts: RecipientFacts, windowMs: number): RecipientFactsLoader {
  const cache = new WeakMap<RecipientCheck[], Promise<Map<string, RecipientFact>>>();
  return (batch, ctx) => {
    let loading = cache.get(batch);
    if (!loading) {
      loading = facts.recipientFacts({
        workspaceId: ctx.campaign.workspaceId,
        campaignId: ctx.campaign.id,
        contactIds: [...new Set(batch.map((c) => c.contactId))],
        sentSince: new Date(ctx.now.getTime() - windowMs),
      });
      cache.set(batch, loading);
    }
    return loading;
  };
}
