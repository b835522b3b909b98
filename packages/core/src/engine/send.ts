import { planStepOf } from '../domain/campaign.js';
import { isQunfaError } from '../errors.js';
import type { OutboundBatch, OutboundMessage, SendOutcome } from '../plugins/channel.js';
import type { ClaimedRecipient, DeliveryResult } from '../ports/store.js';
import { channelContext } from './channel-context.js';
import { confirmationDeadlineOf } from './confirmation-deadline.js';
import type { EngineContext } from './deps.js';
import { withLease } from './lease.js';
import { type BatchScope, failedResult, outcomeResult, uncertainResult } from './results.js';

/** A recipient with its message, ready for the channel. */
export interface Addressed {
  recipient: ClaimedRecipient;
  message: OutboundMessage;
}

function outbound(scope: BatchScope, items: readonly Addressed[], job?: { target: string }): OutboundBatch {
  const step = planStepOf(scope.campaign.channelPlan, scope.channel.name);
  const deadline = step && confirmationDeadlineOf(step, scope.channel);
  return {
    ...(job ? { job: { target: job.target } } : {}),
    batchId: scope.batch.id,
    campaignId: scope.campaign.id,
    account: scope.batch.account,
    // The batch id: a repeated call for the same batch (recovery, retry) carries the same key.
    idempotencyKey: scope.batch.id,
    messages: items.map((i) => i.message),
    ...(deadline === undefined ? {} : { confirmationDeadlineMs: deadline }),
  };
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One result per item from what the channel reported; a missing or extra outcome is the channel's bug. */
function matchOutcomes(
  ctx: EngineContext,
  scope: BatchScope,
  items: readonly Addressed[],
  outcomes: unknown,
  missing: (recipient: ClaimedRecipient) => DeliveryResult,
  /** `queryStatus` may leave ids out ("unknown"); `send` may not. */
  partialAllowed = false,
): DeliveryResult[] {
  const expected = new Set(items.map((i) => i.message.id));
  const byId = new Map<string, SendOutcome>();
  let extra = 0;
  for (const outcome of Array.isArray(outcomes) ? (outcomes as SendOutcome[]) : []) {
    if (!expected.has(outcome?.id) || byId.has(outcome.id)) extra++;
    else byId.set(outcome.id, outcome);
  }
  if (extra > 0 || (!partialAllowed && byId.size < items.length)) {
    ctx.logger.warn('the channel did not return exactly one outcome per message', {
      plugin: scope.channel.name,
      batchId: scope.batch.id,
      messages: items.length,
      matched: byId.size,
      extra,
    });
  }
  return items.map(({ recipient, message }) => {
    const outcome = byId.get(message.id);
    return outcome ? outcomeResult(scope, recipient, outcome) : missing(recipient);
  });
}

/** Sends the messages; never throws, and never lets a possibly sent message be sent again blindly. */
export async function sendBatch(
  ctx: EngineContext,
  scope: BatchScope,
  items: readonly Addressed[],
  /** A platform job: one call to the provider's target for all the items. */
  job?: { target: string },
): Promise<DeliveryResult[]> {
  const { channel } = scope;
  const idempotent = channel.limits.idempotencyKeys;
  let outcomes: unknown;
  try {
    outcomes = await withLease(ctx, scope.batch, (signal) =>
      channel.send(outbound(scope, items, job), channelContext(ctx, channel, signal)),
    );
  } catch (error) {
    ctx.logger.error('send failed', {
      plugin: channel.name,
      batchId: scope.batch.id,
      leaseLost: isQunfaError(error, 'LEASE_LOST'),
      error: messageOf(error),
    });
    const after = { ...scope, now: ctx.clock.now() };
    const reason = `send failed: ${messageOf(error)}`;
    return items.map(({ recipient }) =>
      idempotent
        ? failedResult(after, recipient, 'network', reason)
        : uncertainResult(after, recipient, reason),
    );
  }
  const after = { ...scope, now: ctx.clock.now() };
  return matchOutcomes(ctx, after, items, outcomes, (recipient) =>
    idempotent
      ? failedResult(after, recipient, 'unknown', 'the channel returned no outcome')
      : uncertainResult(after, recipient, 'the channel returned no outcome'),
  );
}

/**
 * Recipients an earlier claim left `submitted` (its worker died mid-send), on a channel
 * without idempotency keys: asked of the provider where it can tell, otherwise uncertain.
 */
export async function reconcile(
  ctx: EngineContext,
  scope: BatchScope,
  recovering: readonly ClaimedRecipient[],
  addressed: readonly Addressed[],
): Promise<DeliveryResult[]> {
  const { channel } = scope;
  const unknown = (r: ClaimedRecipient) =>
    uncertainResult(scope, r, 'a worker stopped mid-send; it may have been sent');
  if (!channel.queryStatus || addressed.length === 0) return recovering.map(unknown);
  let outcomes: unknown;
  try {
    outcomes = await withLease(
      ctx,
      scope.batch,
      async (signal) =>
        (await channel.queryStatus?.(outbound(scope, addressed), channelContext(ctx, channel, signal))) ?? [],
    );
  } catch (error) {
    ctx.logger.error('queryStatus failed', {
      plugin: channel.name,
      batchId: scope.batch.id,
      error: messageOf(error),
    });
    return recovering.map(unknown);
  }
  const after = { ...scope, now: ctx.clock.now() };
  const reported = new Set(addressed.map((a) => a.recipient.deliveryId));
  const results = matchOutcomes(ctx, after, addressed, outcomes, unknown, true);
  return [...results, ...recovering.filter((r) => !reported.has(r.deliveryId)).map(unknown)];
}
