import { planStepOf } from '../domain/campaign.js';
import { batchWaitReasons } from '../domain/waiting.js';
import { isQunfaError, QunfaError } from '../errors.js';
import type { OutboundMessage } from '../plugins/channel.js';
import type { BatchJob } from '../ports/queue.js';
import type { ClaimedBatch, ClaimedRecipient, DeliveryResult } from '../ports/store.js';
import { chooseAccount, coolDownRestricted } from './accounts.js';
import { toJob } from './batch-job.js';
import { callPluginNow, checkRecipients } from './compliance.js';
import { contentAsSent } from './content-as-sent.js';
import type { EngineContext } from './deps.js';
import { completeWhenDone } from './escalation.js';
import { releaseBatch, withLease } from './lease.js';
import {
  type BatchScope,
  deferredResult,
  failedResult,
  failedWithoutCall,
  uncertainResult,
} from './results.js';
import { type Addressed, reconcile, sendBatch } from './send.js';
import type { LinkTracker } from './track-links.js';
import { sentContent } from './variant-links.js';

type BatchRun =
  | { status: 'settle'; results: DeliveryResult[] }
  | { status: 'release'; until: Date; reason: string }
  | { status: 'lost' };

/** Claims, paces, checks, sends and settles one batch. */
export async function processBatch(ctx: EngineContext, job: BatchJob): Promise<void> {
  const claimed = await ctx.store.claimBatch({
    batchId: job.batchId,
    owner: ctx.workerId,
    now: ctx.clock.now(),
    leaseMs: ctx.leaseMs,
  });
  if (!claimed) return;
  // A batch that crashed a worker before runs alone in this process, so that if it is poison
  // it takes no innocent batch down with it; the lease is kept while it waits its turn.
  const release = await withLease(ctx, claimed.batch, () => ctx.quarantine.acquire(claimed.batch.starts > 1));
  try {
    await processClaimed(ctx, claimed);
  } finally {
    release();
  }
}

async function processClaimed(ctx: EngineContext, claimed: ClaimedBatch): Promise<void> {
  const { batch, campaign } = claimed;
  const later = () => new Date(ctx.clock.now().getTime() + ctx.errorRetryDelayMs);
  const channel = ctx.registry.get(batch.channel);
  if (channel?.kind !== 'channel') {
    ctx.logger.error('a batch of a channel that is not loaded was given back', {
      batchId: batch.id,
      channel: batch.channel,
    });
    await releaseBatch(ctx, batch, later(), batchWaitReasons.retry);
    return;
  }
  const scope: BatchScope = { batch, campaign, channel, registry: ctx.registry, now: ctx.clock.now() };
  if (batch.starts > ctx.maxBatchStarts) {
    await settle(ctx, scope, poisonResults(ctx, scope, claimed), 'failed');
    return;
  }
  let run: BatchRun;
  try {
    run = await runBatch(ctx, scope, claimed.recipients);
  } catch (error) {
    // Only preparation can throw (rules, addressing, rendering): nothing was sent, so the batch goes back.
    ctx.logger.error('a batch was given back after an error', {
      batchId: batch.id,
      plugin: error instanceof QunfaError ? error.plugin : undefined,
      error: error instanceof Error ? error.message : String(error),
    });
    await releaseBatch(ctx, batch, later(), batchWaitReasons.retry);
    return;
  }
  if (run.status === 'release') {
    ctx.waitLog.note({
      workspaceId: batch.workspaceId,
      campaignId: batch.campaignId,
      reason: run.reason,
      until: run.until,
      count: batch.size,
      channel: batch.channel,
    });
    await releaseBatch(ctx, batch, run.until, run.reason);
  } else if (run.status === 'lost')
    ctx.logger.warn('the batch lease was lost while waiting for tokens', { batchId: batch.id });
  else await settle(ctx, scope, run.results, 'done');
}

async function runBatch(
  ctx: EngineContext,
  scope: BatchScope,
  recipients: ClaimedRecipient[],
): Promise<BatchRun> {
  const job = planStepOf(scope.campaign.channelPlan, scope.batch.channel)?.platformJob;
  if (job) return runJob(ctx, scope, recipients, job);
  const idempotent = scope.channel.limits.idempotencyKeys;
  // An idempotent channel is simply sent the whole batch again with the same key.
  const recovering = idempotent ? [] : recipients.filter((r) => r.previousState === 'submitted');
  const fresh = idempotent ? recipients : recipients.filter((r) => r.previousState !== 'submitted');
  const prepared = await prepare(ctx, scope, fresh);
  const results = [...prepared.results];
  if (recovering.length > 0) {
    const addressed = recovering.flatMap((r) => {
      try {
        return addressOf(scope, r, ctx.linkTracker) ?? [];
      } catch {
        return [];
      }
    });
    results.push(...(await reconcile(ctx, scope, recovering, addressed)));
  }
  if (prepared.items.length === 0) return { status: 'settle', results };
  const sent = await sendThroughAccount(ctx, scope, prepared.items);
  if (sent.status !== 'settle') return sent;
  results.push(...sent.results);
  return { status: 'settle', results };
}

/** Picks the sender account, sends, and cools down an account the provider restricted. */
async function sendThroughAccount(
  ctx: EngineContext,
  scope: BatchScope,
  items: Addressed[],
  job?: { target: string },
): Promise<BatchRun> {
  const choice = await chooseAccount(ctx, scope.batch, scope.channel, items.length);
  if (choice.status !== 'go') return choice;
  const sending: BatchScope = { ...scope, batch: { ...scope.batch, account: choice.account } };
  const sent = await sendBatch(ctx, sending, items, job);
  const restricted = sent.filter((r) => r.failureClass === 'account_restricted');
  // The account each was tried through: the batch's, or the one the channel chose for the recipient.
  const restrictedAccounts = restricted.flatMap((r) => {
    const account = r.attempt?.account ?? choice.account;
    return account === null || account === undefined ? [] : [account];
  });
  if (restrictedAccounts.length > 0) {
    await coolDownRestricted(
      ctx,
      scope.channel,
      restrictedAccounts,
      scope.campaign.retryPolicy.accountCooldownMs,
      restricted[0]!.error ?? 'account restricted',
    );
  }
  return { status: 'settle', results: sent };
}

/**
 * A platform job: the whole batch in one call to the provider's target. The provider reaches
 * everyone in the target, so the job waits as a whole for a rule's deferral, and is refused
 * (`invalid_recipient`, which moves its recipients to the plan's next step) when Qunfa would
 * leave anyone of the audience out — suppressed when planned or by a rule now, or without an
 * address — or when the content is not the same for all.
 */
async function runJob(
  ctx: EngineContext,
  scope: BatchScope,
  recipients: ClaimedRecipient[],
  job: { target: string },
): Promise<BatchRun> {
  const prepared = await prepare(ctx, scope, recipients);
  const waits = prepared.results.flatMap((r) => (r.state === 'queued' && r.retry ? [r.retry] : []));
  if (waits.length > 0) {
    const last = waits.reduce((a, b) => (b.at > a.at ? b : a));
    return { status: 'release', until: last.at, reason: last.reason ?? batchWaitReasons.retry };
  }
  const plannedOut = (await ctx.store.counters(scope.campaign.id)).suppressed;
  const leftOut = plannedOut + prepared.results.length;
  const refuse = (failure: 'invalid_recipient' | 'content_rejected', error: string): BatchRun => ({
    status: 'settle',
    results: [
      ...prepared.results,
      ...prepared.items.map((i) => failedResult(scope, i.recipient, failure, error)),
    ],
  });
  if (leftOut > 0) {
    return refuse(
      'invalid_recipient',
      `platform job to ${job.target} refused: ${leftOut} of the audience would be left out (suppressed or without an address), and the job would reach them`,
    );
  }
  const first = JSON.stringify(prepared.items[0]?.message.content);
  if (prepared.items.some((i) => JSON.stringify(i.message.content) !== first)) {
    return refuse(
      'content_rejected',
      'a platform job carries one content: personalised text or tracked links differ per recipient (turn trackLinks off)',
    );
  }
  if (prepared.items.length === 0) return { status: 'settle', results: [] };
  return sendThroughAccount(ctx, scope, prepared.items, job);
}

/** Recipient rules, addressing and rendering: everything decided before the provider is called. */
async function prepare(
  ctx: EngineContext,
  scope: BatchScope,
  recipients: ClaimedRecipient[],
): Promise<{ results: DeliveryResult[]; items: Addressed[] }> {
  const verdicts = await checkRecipients(
    recipients.map((r) => ({
      deliveryId: r.deliveryId,
      contactId: r.contactId,
      channel: scope.channel.name,
    })),
    ctx.registry.rules,
    { campaign: scope.campaign, now: scope.now },
  );
  const results: DeliveryResult[] = [];
  const items: Addressed[] = [];
  const deferred = new Map<string, { reason: string; until: Date; rule: string; count: number }>();
  for (const recipient of recipients) {
    const verdict = verdicts.get(recipient.deliveryId) ?? { action: 'allow' };
    if (verdict.action === 'suppress') {
      results.push({
        deliveryId: recipient.deliveryId,
        state: 'suppressed',
        suppressionReason: verdict.reason,
      });
    } else if (verdict.action === 'defer') {
      results.push(deferredResult(scope, recipient, verdict.until, verdict.reason));
      noteDeferral(deferred, verdict);
    } else {
      // At once, not awaited: a promise and a suspension per recipient cost a worker ~3–7 µs of
      // CPU a recipient (bench/pipeline, 300k, alternated).
      const item = callPluginNow(scope.channel.name, 'address', () =>
        addressOf(scope, recipient, ctx.linkTracker),
      );
      if (item) items.push(item);
      else
        results.push(
          failedWithoutCall(recipient, 'invalid_recipient', `no address for ${scope.channel.name}`),
        );
    }
  }
  for (const d of deferred.values()) {
    ctx.waitLog.note({
      workspaceId: scope.batch.workspaceId,
      campaignId: scope.campaign.id,
      channel: scope.channel.name,
      ...d,
    });
  }
  return { results, items };
}

/** Counts a batch's deferrals by rule, reason and time, for one log line each. */
function noteDeferral(
  deferred: Map<string, { reason: string; until: Date; rule: string; count: number }>,
  verdict: { reason: string; until: Date; rule: string },
): void {
  const key = `${verdict.rule}\u0000${verdict.reason}\u0000${verdict.until.getTime()}`;
  const entry = deferred.get(key);
  if (entry) entry.count++;
  else deferred.set(key, { reason: verdict.reason, until: verdict.until, rule: verdict.rule, count: 1 });
}

/** The recipient's message, or undefined when the channel has no address for it. */
function addressOf(
  scope: BatchScope,
  recipient: ClaimedRecipient,
  tracker?: LinkTracker,
): Addressed | undefined {
  const address = scope.channel.address(recipient.identities);
  if (address === undefined) return undefined;
  const variant = scope.campaign.variants.find((v) => v.id === recipient.variantId);
  if (!variant) {
    throw new QunfaError('INTERNAL', 'a delivery names a variant the campaign does not have', {
      details: { deliveryId: recipient.deliveryId, variantId: recipient.variantId },
    });
  }
  const plan = scope.campaign.channelPlan;
  const step = planStepOf(plan, scope.batch.channel);
  const own = sentContent(variant, plan, scope.batch.channel);
  const content = contentAsSent(own.content, recipient, step?.trackLinks, tracker, own.linkBase);
  const message: OutboundMessage = { id: recipient.deliveryId, address, content };
  // For e-mail's List-Unsubscribe header (RFC 8058), whether or not the text has {{unsubscribe}}.
  // Signed when a channel reads it: most (SMS, WeChat) never do, and a signature is an HMAC per message.
  if (tracker?.unsubscribeUrl) lazyUnsubscribeUrl(message, tracker, recipient.deliveryId);
  if (scope.campaign.openPixel === true && tracker?.openPixelUrl) {
    message.openPixelUrl = tracker.openPixelUrl({ deliveryId: recipient.deliveryId });
  }
  return { recipient, message };
}

/** `message.unsubscribeUrl` as a property computed at its first read and kept (enumerable, so a copy or JSON has it). */
function lazyUnsubscribeUrl(message: OutboundMessage, tracker: LinkTracker, deliveryId: string): void {
  let url: string | undefined;
  let signed = false;
  Object.defineProperty(message, 'unsubscribeUrl', {
    enumerable: true,
    configurable: true,
    get() {
      if (!signed) {
        url = tracker.unsubscribeUrl?.({ deliveryId });
        signed = true;
      }
      return url;
    },
    set(value: string | undefined) {
      url = value;
      signed = true;
    },
  });
}

/** A batch claimed too often is given up on; what may have been sent is left for an operator. */
function poisonResults(ctx: EngineContext, scope: BatchScope, claimed: ClaimedBatch): DeliveryResult[] {
  const error = `poison batch: claimed ${claimed.batch.starts} times (limit ${ctx.maxBatchStarts})`;
  ctx.logger.error('poison batch given up on', {
    batchId: claimed.batch.id,
    plugin: scope.channel.name,
    error,
  });
  // A recipient submitted by an earlier start may have been delivered, idempotent channel or
  // not: failing it would invite a resend under a new key, so an operator decides.
  return claimed.recipients.map((r) =>
    r.previousState === 'submitted'
      ? uncertainResult(scope, r, error)
      : failedWithoutCall(r, 'unknown', error),
  );
}

/** Writes the results, enqueues the follow-ups and publishes progress. */
async function settle(
  ctx: EngineContext,
  scope: BatchScope,
  results: DeliveryResult[],
  batchState: 'done' | 'failed',
): Promise<void> {
  const { batch } = scope;
  let followUps: Awaited<ReturnType<EngineContext['store']['settleBatch']>>['followUps'];
  try {
    ({ followUps } = await ctx.store.settleBatch({
      batchId: batch.id,
      leaseOwner: ctx.workerId,
      at: ctx.clock.now(),
      batchState,
      results,
    }));
  } catch (error) {
    if (!isQunfaError(error, 'LEASE_LOST')) throw error;
    ctx.logger.warn('the batch lease was lost before settling; another worker has it', { batchId: batch.id });
    return;
  }
  if (followUps.length > 0) {
    await ctx.queue.enqueue(followUps.map(toJob));
  }
  const settledAt = ctx.clock.now();
  ctx.observer.batchSettled?.({
    workspaceId: batch.workspaceId,
    campaignId: batch.campaignId,
    batchId: batch.id,
    channel: batch.channel,
    account: results.find((r) => r.attempt)?.attempt?.account ?? batch.account,
    attempt: batch.starts,
    claimedAt: scope.now,
    durationMs: Math.max(0, settledAt.getTime() - scope.now.getTime()),
    results,
  });
  const ref = { workspaceId: batch.workspaceId, campaignId: batch.campaignId };
  ctx.progress.nudge(ref);
  await completeWhenDone(ctx, scope.campaign);
}
