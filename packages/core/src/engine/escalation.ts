import { type Campaign, planEscalates } from '../domain/campaign.js';
import type { EscalationResult, EscalationSweep, EscalationWindow } from '../ports/store.js';
import type { Registry } from '../registry/registry.js';
import { toJob } from './batch-job.js';
import { confirmationDeadlineOf } from './confirmation-deadline.js';
import type { EngineContext } from './deps.js';
import { stepBatchSize } from './plan.js';
import type { CampaignRef } from './progress.js';
import type { ReceiptsRead } from './receipts-read.js';

/** Deliveries one sweep moves at most; the rest go on the next tick. */
const SWEEP_LIMIT = 10_000;

/** The steps after step `i` that a recipient may move to, in plan order. */
function laterSteps(campaign: Campaign, registry: Registry, i: number): EscalationWindow['next'] {
  return campaign.channelPlan.slice(i + 1).flatMap((later) => {
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
}

/**
 * The escalation windows of a campaign's plan, and the permanent failures a receipt reported
 * on a step with a later one, as a sweep; undefined when the plan has neither.
 */
export function escalationSweep(
  campaign: Campaign,
  registry: Registry,
  now: Date,
  receiptsRead?: ReceiptsRead,
): EscalationSweep | undefined {
  // Every step of an all-channels plan sends at once: nothing moves to a later one.
  if (campaign.channelMode === 'all') return undefined;
  const plan = campaign.channelPlan;
  const providers = (i: number) => [plan[i]!.channel, ...(plan[i]!.failover ?? [])];
  // Providers of a step with a later one whose unconfirmed messages the channel withdraws at a deadline.
  const heldProviders = (i: number) =>
    i === plan.length - 1
      ? []
      : providers(i).filter((name) => {
          const plugin = registry.get(name);
          return plugin?.kind === 'channel' && confirmationDeadlineOf(plan[i]!, plugin) !== undefined;
        });
  const held = (i: number) => heldProviders(i).length > 0;
  const heldChannels = plan.flatMap((_, i) => heldProviders(i));
  const windows = plan.flatMap((step, i) => {
    if (!step.escalateAfter) return [];
    const readUntil = receiptsRead?.until(providers(i), now);
    return [
      {
        channels: providers(i),
        afterMs: step.escalateAfter.ms,
        ...(readUntil ? { receiptsReadUntil: readUntil } : {}),
        unless: step.escalateAfter.unless,
        next: laterSteps(campaign, registry, i),
        ...(held(i) ? { confirmationHeld: true } : {}),
      },
    ];
  });
  // A withdrawn message reached nobody: handing it on is what the confirmation deadline is for.
  const classes = [...new Set([...campaign.retryPolicy.escalateOn, 'unconfirmed' as const])];
  const failed = plan.slice(0, -1).map((_, i) => ({
    channels: providers(i),
    classes,
    next: laterSteps(campaign, registry, i),
  }));
  if (windows.length === 0 && failed.length === 0) return undefined;
  return {
    workspaceId: campaign.workspaceId,
    campaignId: campaign.id,
    now,
    windows,
    ...(failed.length > 0 ? { failed } : {}),
    ...(heldChannels.length > 0 ? { held: heldChannels } : {}),
    limit: SWEEP_LIMIT,
  };
}

/** Escalates what is due in one campaign and enqueues its new batches. */
export async function sweepEscalations(
  ctx: EngineContext,
  campaign: Campaign,
): Promise<EscalationResult | undefined> {
  const sweep = escalationSweep(campaign, ctx.registry, ctx.clock.now(), ctx.receiptsRead);
  if (!sweep) return undefined;
  const result = await ctx.store.escalateUnconfirmed(sweep);
  if (result.followUps.length > 0) {
    await ctx.queue.enqueue(result.followUps.map(toJob));
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
  // The plan cannot change while the campaign runs: one with a single step and no window needs no sweep.
  if (planEscalates(campaign)) {
    // Swept a moment ago, slowly (a large campaign): the next sweep, when due, decides for it.
    if (!ctx.sweepPacer.due(campaign.id)) return undefined;
    const began = performance.now();
    const escalation = await sweepEscalations(ctx, campaign);
    ctx.sweepPacer.swept(campaign.id, performance.now() - began);
    if (escalation && (escalation.waiting > 0 || escalation.followUps.length > 0)) return undefined;
  }
  const done = await ctx.store.completeIfDone(campaign.id, ctx.clock.now());
  if (done) {
    ctx.logger.info('campaign completed', { ...ref, state: done.state });
    ctx.observer.campaignCompleted?.(ref);
    await ctx.progress.flush(ref);
  }
  return done;
}

/**
 * Failures a receipt reported after their campaign completed (a late delivery report): they are
 * counted already (the receipt moved the counters); here each completed campaign of `refs` whose
 * plan escalates them sends them on to the next step that reaches the contact, running again
 * until that is done. Why one is not sent on is logged: its campaign was stopped, sends on all
 * channels, or no later step reaches the contact.
 */
export async function escalateLateFailures(ctx: EngineContext, refs: readonly CampaignRef[]): Promise<void> {
  for (const ref of refs) {
    const campaign = await ctx.store.getCampaign(ref.campaignId);
    if (!campaign || campaign.workspaceId !== ref.workspaceId) continue;
    if (campaign.state === 'running' || campaign.state === 'paused') continue; // the sweep of its ticks
    const sweep = escalationSweep(campaign, ctx.registry, ctx.clock.now());
    const why =
      campaign.state !== 'completed'
        ? `the campaign is ${campaign.state}`
        : campaign.channelMode === 'all'
          ? 'the campaign sent on all channels'
          : !sweep?.failed
            ? 'the plan has no later step for these failures'
            : undefined;
    const result = why
      ? undefined
      : await ctx.store.escalateUnconfirmed({ ...sweep!, windows: [], reopenCompleted: true });
    if (!result || result.escalated === 0) {
      ctx.logger.info('a late failure receipt was counted and not escalated', {
        ...ref,
        reason: why ?? 'no later step reaches the contact, or its class does not escalate',
      });
      continue;
    }
    ctx.logger.info('late failures escalated: the completed campaign runs again', {
      ...ref,
      escalated: result.escalated,
    });
    await ctx.queue.enqueue(result.followUps.map(toJob));
    // Completed → running is a state change: published now, not coalesced behind the fallback's
    // sends, so a page shows the campaign running again before it completes again.
    await ctx.progress.flush(ref);
  }
}
