import { type Campaign, planStepOf } from '../domain/campaign.js';
import type { Batch } from '../domain/delivery.js';
import { type FailureClass, failureClasses } from '../domain/failure.js';
import { batchWaitReasons } from '../domain/waiting.js';
import type { ChannelPlugin, SendOutcome } from '../plugins/channel.js';
import type { ClaimedRecipient, DeliveryResult } from '../ports/store.js';
import type { Registry } from '../registry/registry.js';
import { stepBatchSize } from './plan.js';
import { decideRetry } from './retry-decision.js';

/** What the results of one claimed batch are computed from. */
export interface BatchScope {
  batch: Batch;
  campaign: Campaign;
  channel: ChannelPlugin;
  registry: Registry;
  now: Date;
}

const knownFailures: ReadonlySet<string> = new Set(failureClasses);

function attemptOf(scope: BatchScope) {
  return { channel: scope.batch.channel, account: scope.batch.account };
}

function stepOf(scope: BatchScope, channel: string) {
  return planStepOf(scope.campaign.channelPlan, channel);
}

/** The channel's batch size within this campaign's plan. */
function batchSizeFor(scope: BatchScope, channel: ChannelPlugin): number {
  return stepBatchSize(stepOf(scope, channel.name), channel);
}

function canAddress(registry: Registry, channel: string, recipient: ClaimedRecipient): boolean {
  const plugin = registry.get(channel);
  if (plugin?.kind !== 'channel') return false;
  // An identity is not enough where every relation that carried it has ended.
  if (recipient.endedOn?.includes(channel)) return false;
  try {
    return plugin.address(recipient.identities) !== undefined;
  } catch {
    return false;
  }
}

/** A provider call that may or may not have reached the recipient: for an operator to resolve. */
export function uncertainResult(
  scope: BatchScope,
  recipient: ClaimedRecipient,
  error: string,
): DeliveryResult {
  return {
    deliveryId: recipient.deliveryId,
    state: 'uncertain',
    error,
    attempt: {
      ...attemptOf(scope),
      status: 'uncertain',
      providerMessageId: null,
      failureClass: null,
      error,
    },
  };
}

/** A delivery that failed before any provider call (no address, no content). */
export function failedWithoutCall(
  recipient: ClaimedRecipient,
  failure: FailureClass,
  error: string,
): DeliveryResult {
  return { deliveryId: recipient.deliveryId, state: 'failed', failureClass: failure, error };
}

/** A failed provider call: retried, escalated or failed by the campaign's retry policy. */
export function failedResult(
  scope: BatchScope,
  recipient: ClaimedRecipient,
  failure: FailureClass,
  error: string,
  extra: {
    retryAfterMs?: number;
    providerMessageId?: string;
    via?: { account: string; reason: string };
  } = {},
): DeliveryResult {
  const attempt = {
    ...attemptOf(scope),
    ...(extra.via ? { account: extra.via.account, note: extra.via.reason } : {}),
    status: 'failed' as const,
    providerMessageId: extra.providerMessageId ?? null,
    failureClass: failure,
    error,
  };
  // A restricted account is cooled down; its recipients move to the channel's other accounts now.
  if (failure === 'account_restricted' && scope.channel.accounts.length > 1) {
    const moves = recipient.attempts + 1 < scope.campaign.retryPolicy.maxAttempts;
    if (moves) {
      return {
        deliveryId: recipient.deliveryId,
        attempt,
        failureClass: failure,
        error,
        state: 'queued',
        retry: {
          at: scope.now,
          channel: scope.channel.name,
          batchSize: batchSizeFor(scope, scope.channel),
          account: null,
          reason: batchWaitReasons.retry,
        },
      };
    }
  }
  const decision = decideRetry({
    failure,
    attempts: recipient.attempts + 1,
    policy: scope.campaign.retryPolicy,
    channel: scope.batch.channel,
    // An all-channels campaign already sends every step that can address the recipient.
    channelPlan: scope.campaign.channelMode === 'all' ? [] : scope.campaign.channelPlan.map((s) => s.channel),
    providers: (() => {
      const step = stepOf(scope, scope.batch.channel);
      return step ? [step.channel, ...(step.failover ?? [])] : [scope.batch.channel];
    })(),
    canAddress: (channel) => canAddress(scope.registry, channel, recipient),
    now: scope.now,
    ...(extra.retryAfterMs === undefined ? {} : { retryAfterMs: extra.retryAfterMs }),
  });
  const base = { deliveryId: recipient.deliveryId, attempt, failureClass: failure, error };
  if (decision.action === 'fail') return { ...base, state: 'failed' };
  if (decision.action === 'retry') {
    return {
      ...base,
      state: 'queued',
      retry: {
        at: decision.at,
        channel: scope.channel.name,
        batchSize: batchSizeFor(scope, scope.channel),
        account: scope.batch.account,
        // A restricted account's recipients wait for its cool-down, not for a provider to recover.
        reason: failure === 'account_restricted' ? batchWaitReasons.accountCooldown : batchWaitReasons.retry,
      },
    };
  }
  const next = scope.registry.channel(decision.channel);
  return {
    ...base,
    state: 'queued',
    retry: {
      at: decision.at,
      channel: next.name,
      batchSize: batchSizeFor(scope, next),
      // The next channel (or provider) picks its account at dispatch, by rotation and health.
      account: null,
      reason: batchWaitReasons.retry,
    },
  };
}

/** The attempt note of a recipient the provider reports only inside a job's totals. */
export const jobNote = (jobId: string) =>
  `sent by job ${jobId}: the platform reports the job's totals, not each person`;

/** The result of one outcome a channel reported. */
export function outcomeResult(
  scope: BatchScope,
  recipient: ClaimedRecipient,
  outcome: SendOutcome,
): DeliveryResult {
  if (outcome.status === 'sent') {
    const state = outcome.awaitingConfirmation ? 'awaiting_confirmation' : 'sent';
    // One literal, not spreads: this runs once per message sent, and each spread built an object.
    const attempt: NonNullable<DeliveryResult['attempt']> = {
      channel: scope.batch.channel,
      account: outcome.via ? outcome.via.account : scope.batch.account,
      status: state,
      providerMessageId: outcome.providerMessageId ?? null,
      failureClass: null,
      error: null,
    };
    const note = outcome.byJob === undefined ? outcome.via?.reason : jobNote(outcome.byJob);
    if (note !== undefined) attempt.note = note;
    return { deliveryId: recipient.deliveryId, state, attempt };
  }
  if (outcome.status === 'uncertain') return uncertainResult(scope, recipient, outcome.error);
  if (outcome.status === 'filtered') {
    return {
      deliveryId: recipient.deliveryId,
      state: 'filtered',
      error: outcome.reason,
      attempt: {
        ...attemptOf(scope),
        status: 'filtered',
        providerMessageId: null,
        failureClass: null,
        error: outcome.reason,
      },
    };
  }
  // A class the kernel does not know is a channel bug; `unknown` is the safe reading of it.
  const failure = knownFailures.has(outcome.failure) ? outcome.failure : 'unknown';
  return failedResult(scope, recipient, failure, outcome.error, {
    ...(outcome.retryAfterMs === undefined ? {} : { retryAfterMs: outcome.retryAfterMs }),
    ...(outcome.providerMessageId === undefined ? {} : { providerMessageId: outcome.providerMessageId }),
    ...(outcome.via === undefined ? {} : { via: outcome.via }),
  });
}

/** A recipient a rule wants sent later: queued again on the same channel and account. */
export function deferredResult(
  scope: BatchScope,
  recipient: ClaimedRecipient,
  until: Date,
  reason: string,
): DeliveryResult {
  return {
    deliveryId: recipient.deliveryId,
    state: 'queued',
    error: `deferred: ${reason}`,
    retry: {
      at: until,
      channel: scope.channel.name,
      batchSize: batchSizeFor(scope, scope.channel),
      account: scope.batch.account,
      reason,
    },
  };
}
