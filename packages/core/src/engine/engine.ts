import { validateAbTest } from '../ab/split.js';
import { type CampaignCommand, transitionFor } from '../campaign/state-machine.js';
import { forecastCampaign } from '../cost/forecast.js';
import type { Actor, Campaign } from '../domain/campaign.js';
import { isQunfaError, QunfaError } from '../errors.js';
import { MemoryPluginState } from '../memory/plugin-state.js';
import { silentLogger } from '../ports/logger.js';
import type { BatchRef } from '../ports/store.js';
import { confirmAbWinner, decideDueAbTest } from './ab-decision.js';
import { toJob } from './batch-job.js';
import { DEFAULT_QUOTA_TIME_ZONE } from './calendar-day.js';
import { handleCallback } from './callbacks.js';
import { channelContext } from './channel-context.js';
import { checkBeforeStart, defaultContentChecker } from './compliance.js';
import type { CampaignCommandInput, Engine, EngineContext, EngineDeps } from './deps.js';
import { completeWhenDone, escalateLateFailures } from './escalation.js';
import { buildPlan, withAbSplit } from './plan.js';
import { processBatch } from './process-batch.js';
import { createProgressPublisher } from './progress.js';
import { createQuarantine } from './quarantine.js';
import { withQuotaCapacity } from './quota-capacity.js';
import { applyReceipts, createReceiptCommits, pollReceipts, retryEarly } from './receipts.js';
import { createReceiptsRead } from './receipts-read.js';
import { fireRecurring, followUpRun, nextRunOf, triggerRun } from './runs.js';
import { sendReply } from './send-reply.js';
import { createSweepPacer } from './sweep-pacer.js';
import { createWaitLog } from './wait-log.js';
import { runWorker } from './worker.js';

/** How many due batches, leases or scheduled campaigns one look takes. */
const SCAN_LIMIT = 1000;
const schedulerActor: Actor = { kind: 'system', id: 'scheduler' };
/** States a dry run is for: nothing planned yet. */
const unstarted: ReadonlySet<Campaign['state']> = new Set(['draft', 'in_review', 'approved', 'scheduled']);

/** The campaign engine: commands on campaigns, batch processing and the worker loop, over the ports. */
/** First delay before a failed scheduled start is tried again; doubles up to the maximum. */
const START_RETRY_BASE_MS = 10_000;
const START_RETRY_MAX_MS = 15 * 60_000;

export function createEngine(deps: EngineDeps): Engine {
  const logger = deps.logger ?? silentLogger;
  const ctx: EngineContext = {
    store: deps.store,
    queue: deps.queue,
    bus: deps.bus,
    limiter: deps.limiter,
    clock: deps.clock,
    registry: deps.registry,
    logger,
    workerId: deps.workerId,
    leaseMs: deps.leaseMs ?? 60_000,
    maxBatchStarts: deps.maxBatchStarts ?? 5,
    timeZone: deps.timeZone ?? DEFAULT_QUOTA_TIME_ZONE,
    errorRetryDelayMs: deps.errorRetryDelayMs ?? 60_000,
    contentChecker: deps.contentChecker ?? defaultContentChecker,
    linkTracker: deps.linkTracker,
    receiptGraceMs: deps.receiptGraceMs ?? 120_000,
    pluginState: deps.pluginState ?? new MemoryPluginState(deps.clock),
    inbound: deps.inbound,
    reach: deps.reach,
    observer: deps.observer ?? {},
    // Set just below: its commits follow up in the context it is part of.
    receiptCommits: undefined as unknown as EngineContext['receiptCommits'],
    quarantine: createQuarantine(),
    waitLog: createWaitLog(logger),
    receiptLagLimitMs: deps.receiptLagLimitMs ?? 600_000,
    sweepPacer: createSweepPacer(),
    receiptsRead: createReceiptsRead({
      registry: deps.registry,
      logger,
      lagLimitMs: deps.receiptLagLimitMs ?? 600_000,
    }),
    progress: createProgressPublisher({
      store: deps.store,
      bus: deps.bus,
      clock: deps.clock,
      logger,
      ...(deps.progressIntervalMs === undefined ? {} : { intervalMs: deps.progressIntervalMs }),
    }),
  };

  ctx.receiptCommits = createReceiptCommits(ctx);

  const load = async (input: CampaignCommandInput): Promise<Campaign> => {
    const campaign = await ctx.store.getCampaign(input.campaignId);
    // Another workspace's campaign is reported as missing, not as forbidden: its existence is not ours to reveal.
    if (!campaign || campaign.workspaceId !== input.workspaceId) {
      throw new QunfaError('CAMPAIGN_NOT_FOUND', 'no such campaign', {
        details: { campaignId: input.campaignId },
      });
    }
    return campaign;
  };

  // Due batches this engine put on the queue, by batch and due time, with when it did. A job
  // waits in the queue until a worker is free: offering it again on every tick (up to 1,000
  // batches, four times a second) only costs the queue a refused duplicate each. It is offered
  // again after a lease's length, in case the queue lost it; a batch given back has a new due time.
  const offered = new Map<string, number>();
  const offerKey = (ref: BatchRef) => `${ref.id}@${ref.dueAt.getTime()}`;
  const remember = (refs: BatchRef[], at: number) => {
    for (const ref of refs) offered.set(offerKey(ref), at);
  };

  const enqueueDue = async () => {
    const due = await ctx.store.dueBatches(ctx.clock.now(), SCAN_LIMIT);
    if (due.length > 0) await ctx.queue.enqueue(due.map(toJob));
    remember(due, ctx.clock.now().getTime());
  };

  const command = async (input: CampaignCommandInput, name: CampaignCommand, reason?: string) => {
    const campaign = await load(input);
    const to = transitionFor(campaign.state, name);
    const updated = await ctx.store.transitionCampaign({
      workspaceId: input.workspaceId,
      campaignId: input.campaignId,
      from: campaign.state,
      to,
      actor: input.actor,
      at: ctx.clock.now(),
      ...(reason ? { reason } : {}),
    });
    await ctx.progress.flush(input);
    return updated;
  };

  /** The plan a start executes now and the findings of its checks. */
  const planAndCheck = async (campaign: Campaign, now: Date) => {
    const source = campaign.resendOf ? await ctx.store.getCampaign(campaign.resendOf.campaignId) : undefined;
    const fullPlan = await withQuotaCapacity(ctx, buildPlan(campaign, ctx.registry, now, source));
    const audienceSize = (await ctx.store.countAudience?.(fullPlan)) ?? 0;
    // A template's A/B split is made for each run, on the audience it has then; its settings are checked now.
    if (campaign.schedule && campaign.abTest) validateAbTest(campaign.abTest, campaign.variants.length);
    const plan = campaign.schedule ? fullPlan : withAbSplit(fullPlan, campaign, audienceSize);
    const findings = await checkBeforeStart(
      campaign,
      plan,
      ctx.registry,
      { audienceSize, now },
      ctx.contentChecker,
    );
    return { plan, findings };
  };

  const forecast: Engine['forecast'] = async ({ prices, ...input }) => {
    const campaign = await load(input);
    if (!unstarted.has(campaign.state)) {
      throw new QunfaError(
        'ILLEGAL_TRANSITION',
        `a ${campaign.state} campaign has started: its cost is actual`,
        {
          details: { campaignId: campaign.id, state: campaign.state },
        },
      );
    }
    if (!ctx.store.previewPlan) throw new QunfaError('INTERNAL', 'this store cannot preview a plan');
    const now = ctx.clock.now();
    // A template forecasts one run started now; a scheduled campaign its start at the time set.
    const { plan, findings } = await planAndCheck({ ...campaign, schedule: null }, now);
    const preview = await ctx.store.previewPlan(plan);
    return forecastCampaign({
      campaign,
      preview,
      registry: ctx.registry,
      limiter: ctx.limiter,
      timeZone: ctx.timeZone,
      prices,
      findings,
      now,
    });
  };

  const start: Engine['start'] = async (input) => {
    const campaign = await load(input);
    const now = ctx.clock.now();
    // A template is scheduled, never sent: its runs are.
    const later = campaign.schedule !== null || (campaign.scheduledAt !== null && campaign.scheduledAt > now);
    const to = transitionFor(campaign.state, later ? 'schedule' : 'start');
    const { plan, findings } = await planAndCheck(campaign, now);
    const blocking = findings.filter((f) => f.level === 'block');
    if (blocking.length > 0) {
      throw new QunfaError('COMPLIANCE_BLOCKED', `${blocking.length} finding(s) block this campaign`, {
        details: { findings },
      });
    }
    const transition = {
      workspaceId: input.workspaceId,
      campaignId: input.campaignId,
      from: campaign.state,
      to,
      actor: input.actor,
      at: now,
    };
    if (later) {
      if (campaign.schedule) await ctx.store.setNextRunAt(campaign.id, nextRunOf(campaign, now));
      const scheduled = await ctx.store.transitionCampaign(transition);
      await ctx.progress.flush(input);
      return { campaign: scheduled };
    }
    const started = await ctx.store.startCampaign(transition, plan);
    ctx.logger.info('campaign started', {
      workspaceId: input.workspaceId,
      campaignId: input.campaignId,
      recipients: started.summary.total,
      queued: started.summary.queued,
      suppressed: started.summary.suppressed,
      batches: started.summary.batches,
      ...(started.summary.movedForQuota ? { movedForQuota: started.summary.movedForQuota } : {}),
    });
    ctx.observer.campaignStarted?.({
      workspaceId: input.workspaceId,
      campaignId: input.campaignId,
      recipients: started.summary.total,
    });
    await enqueueDue();
    await ctx.progress.flush(input);
    const completed = await completeWhenDone(ctx, started.campaign);
    return { campaign: completed ?? started.campaign, summary: started.summary };
  };

  /**
   * Scheduled starts that failed for a reason a retry may cure (a channel this process does
   * not load yet, a plugin or database failing): tried again after a growing delay, not on
   * every tick — a tick is 250 ms, and each failure is logged.
   */
  const failedStarts = new Map<string, { failures: number; retryAt: number }>();

  const startScheduled = async (ref: { workspaceId: string; campaignId: string }) => {
    const now = ctx.clock.now().getTime();
    const failed = failedStarts.get(ref.campaignId);
    if (failed && now < failed.retryAt) return;
    try {
      await start({ ...ref, actor: schedulerActor });
      failedStarts.delete(ref.campaignId);
    } catch (error) {
      logger.error('a scheduled campaign could not start', {
        campaignId: ref.campaignId,
        code: isQunfaError(error) ? error.code : undefined,
        error: error instanceof Error ? error.message : String(error),
      });
      // What its rules now block, or what is invalid as it stands (a scheduled campaign cannot
      // be edited), would fail on every try: it is cancelled, with the reason.
      const hopeless = isQunfaError(error, 'COMPLIANCE_BLOCKED') || isQunfaError(error, 'INVALID_INPUT');
      if (hopeless) {
        failedStarts.delete(ref.campaignId);
        const reason = isQunfaError(error, 'COMPLIANCE_BLOCKED') ? 'compliance_blocked' : 'invalid_campaign';
        await command({ ...ref, actor: schedulerActor }, 'cancel', reason).catch(() => {});
        return;
      }
      const failures = (failed?.failures ?? 0) + 1;
      const delay = Math.min(START_RETRY_MAX_MS, START_RETRY_BASE_MS * 2 ** (failures - 1));
      failedStarts.set(ref.campaignId, { failures, retryAt: now + delay });
    }
  };

  /** The rest's batches go out, and a test with no rest completes its campaign. */
  const afterDecision = async (ref: { workspaceId: string; campaignId: string }) => {
    await enqueueDue();
    await ctx.progress.flush(ref);
    if (await ctx.store.completeIfDone(ref.campaignId, ctx.clock.now())) await ctx.progress.flush(ref);
  };

  const engine: Engine = {
    start,
    forecast,
    async confirmAbWinner(input) {
      const decided = await confirmAbWinner(ctx, await load(input), input.actor, input.variantId ?? null);
      await afterDecision(input);
      return (await ctx.store.getCampaign(input.campaignId)) ?? decided;
    },
    async dropUncertain(input) {
      await load(input);
      const count = await ctx.store.dropUncertain({ ...input, at: ctx.clock.now() });
      await ctx.progress.flush(input);
      return count;
    },
    pause: (input) => command(input, 'pause'),
    async resume(input) {
      const campaign = await command(input, 'resume');
      await enqueueDue();
      return campaign;
    },
    cancel: (input) => command(input, 'cancel'),
    async reconsiderDeferrals(input) {
      const refs = await ctx.store.rescheduleWaiting({ ...input, now: ctx.clock.now() });
      if (refs.length > 0) await ctx.queue.enqueue(refs.map(toJob));
      const campaigns = new Map(refs.map((r) => [r.campaignId, r]));
      for (const ref of campaigns.values()) ctx.progress.nudge(ref);
      if (refs.length > 0) {
        logger.info('deferred deliveries brought forward to be judged again', {
          reason: input.reason,
          workspaceId: input.workspaceId,
          batches: refs.length,
          campaigns: campaigns.size,
        });
      }
      return refs.length;
    },
    processBatch: (job) => processBatch(ctx, job),
    async trigger(input) {
      return triggerRun(ctx, start, await load(input), input.idempotencyKey, input.actor);
    },
    async followUp(input) {
      return followUpRun(ctx, start, await load(input), input, input.actor);
    },
    async tick() {
      const now = ctx.clock.now();
      for (const ref of await ctx.store.recurringDue(now, SCAN_LIMIT)) {
        const template = await ctx.store.getCampaign(ref.campaignId);
        if (template) await fireRecurring(ctx, start, template, schedulerActor);
      }
      for (const ref of await ctx.store.scheduledCampaignsDue(now, SCAN_LIMIT)) await startScheduled(ref);
      for (const ref of await ctx.store.abTestsDue(now, SCAN_LIMIT)) {
        if (await decideDueAbTest(ctx, ref, schedulerActor)) await afterDecision(ref);
      }
      const staleBefore = now.getTime() - ctx.leaseMs;
      for (const [key, at] of offered) if (at <= staleBefore) offered.delete(key);
      const due = (await ctx.store.dueBatches(now, SCAN_LIMIT)).filter((ref) => !offered.has(offerKey(ref)));
      const expired = await ctx.store.expiredLeases(now, SCAN_LIMIT);
      const jobs = [...due, ...expired].map(toJob);
      if (jobs.length > 0) await ctx.queue.enqueue(jobs);
      remember(due, now.getTime());
      for (const ref of await ctx.store.campaignsWithEscalation(SCAN_LIMIT)) {
        if (!ctx.sweepPacer.due(ref.campaignId)) continue;
        const campaign = await ctx.store.getCampaign(ref.campaignId);
        if (campaign?.state === 'running') await completeWhenDone(ctx, campaign);
      }
      // Late failures a receipt counted whose escalation did not run (the process died in between).
      const late = await ctx.store.campaignsWithLateFailures(SCAN_LIMIT);
      if (late.length > 0) await escalateLateFailures(ctx, late);
    },
    applyReceipts: (events) => applyReceipts(ctx, events),
    pollReceipts: () => pollReceipts(ctx),
    retryEarlyReceipts: () => retryEarly(ctx),
    handleCallback: (channel, request) => handleCallback(ctx, channel, request),
    async reply(channel, message, signal) {
      const plugin = ctx.registry.channel(channel);
      return sendReply(plugin, message, channelContext(ctx, plugin, signal ?? new AbortController().signal));
    },
    runWorker: (options) => runWorker(ctx, engine, options),
    close: () => ctx.progress.close(),
  };
  return engine;
}
