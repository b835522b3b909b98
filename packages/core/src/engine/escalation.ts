import type { Campaign } from '../domain/campaign.js';
import type { EscalationResult, EscalationSweep } from '../ports/store.js';
import type { Registry } from '../registry/registry.js';
import type { EngineContext } from './deps.js';
import { stepBatchSize } from './plan.js';
import type { CampaignRef } from './progress.js';

/** Deliveries one sweep moves at most; the rest go on the next tick. */
const SWEEP_LIMIT = 10_000;

/** The escalation windows of a campaign's plan as a sweep, or undefined when it has none. */
export function escalationSweep(
  campaign: Campaign,
  registry: Registry,
  now: Date,
): EscalationSweep | undefined {
  const windows = campaign.channelPlan.flatMap((step, i) => {
    if (!step.escalateAfter) return [];
    const next = campaign.channelPlan.slice(i + 1).flatMap((later) => {
      const plugin = registry.get(later.channel);
      if (plugin?.kind !== 'channel') return [];
      return [
        {
          channel: later.channel,
          identityKinds: [...plugin.identityKinds],
          batchSize: stepBatchSize(later, plugin),
          account: plugin.accounts[0] ?? null,
        },
      ];
    });
    return [
      {
        channels: [step.channel, ...(step.failover ?? [])],
        afterMs: step.escalateAfter.ms,
        unless: step.escalateAfter.unless,
        next,
      },
    ];
  });
  if (windows.length === 0) return undefined;
  return { workspaceId: campaign.workspaceId, campaignId: campaign.id, now, windows, limit: SWEEP_LIMIT };
}

/** Escalates what is due in one campaign and enqueues its new batches. */
export async function sweepEscalations(
  ctx: EngineContext,
  campaign: Campaign,
): Promise<EscalationResult | undefined> {
  const sweep = escalationSweep(campaign, ctx.registry, ctx.clock.now());
  if (!sweep) return undefined;
  const result = await ctx.store.escalateUnconfirmed(sweep);
  if (result.followUps.length > 0) {
    await ctx.queue.enqueue(
      result.followUps.map((f) => ({
        batchId: f.id,
        campaignId: f.campaignId,
        workspaceId: f.workspaceId,
        dueAt: f.dueAt,
      })),
    );
    ctx.progress.nudge({ workspaceId: campaign.workspaceId, campaignId: campaign.id });
  }
  return result;
}

/**
 * Completes a running campaign with nothing left to send, unless an escalation window is still
 * open (its recipients may yet move to the next channel). Returns the completed campaign.
 */
export async function completeWhenDone(
  ctx: EngineContext,
  campaign: Campaign,
): Promise<Campaign | undefined> {
  const ref: CampaignRef = { workspaceId: campaign.workspaceId, campaignId: campaign.id };
  // The plan cannot change while the campaign runs: one without windows needs no sweep.
  const escalation = campaign.channelPlan.some((s) => s.escalateAfter)
    ? await sweepEscalations(ctx, campaign)
    : undefined;
  if (escalation && (escalation.waiting > 0 || escalation.followUps.length > 0)) return undefined;
  const done = await ctx.store.completeIfDone(campaign.id, ctx.clock.now());
  if (done) {
    ctx.logger.info('campaign completed', { ...ref, state: done.state });
    ctx.observer.campaignCompleted?.(ref);
    await ctx.progress.flush(ref);
  }
  return done;
}
