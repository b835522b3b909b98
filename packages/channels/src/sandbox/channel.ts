import {
  type ChannelLimits,
  type ChannelPlugin,
  type ContactIdentity,
  type ContentType,
  type OutboundBatch,
  type OutboundMessage,
  QunfaError,
  type ReceiptState,
  type SendContext,
  type SendOutcome,
} from '@qunfa/core';
import {
  createReceiptQueue,
  drawEngagement,
  type EngagementConfig,
  type SandboxReceipt,
} from './engagement.js';
import { type AcceptedMessage, createLedger, type SandboxLedger, type SandboxProvider } from './ledger.js';
import { parseSandboxOptions, type SandboxConfig, type SandboxOptions } from './options.js';
import { drawFailure, drawLatency, providerMessageId, simulatedErrors } from './outcome.js';
import { msUntilQuotaReset, quotaDay } from './quota-day.js';
import { abortableSleep } from './sleep.js';

/** The sandbox channel: a `ChannelPlugin` plus its simulated provider, for tests to inspect. */
export interface SandboxChannel extends ChannelPlugin {
  /** The simulated provider's records: what it accepted, how often, each call, the receipts it reported. */
  provider: SandboxProvider & {
    /** Receipts handed out by `pollReceipts`, oldest first (the last `retain`). */
    receipts(): SandboxReceipt[];
    /** Receipts drawn but not yet due. */
    pendingReceipts(): number;
  };
}

/**
 * `channel:sandbox`, a simulated provider: realistic latency and failures, no credentials and
 * no I/O but a timer. It is both the embedded default's channel and the fake for tests.
 */
function engagementStates(
  types: readonly ContentType[],
  e: EngagementConfig,
): Partial<Record<ContentType, ReceiptState[]>> {
  const states: ReceiptState[] = [
    ...(e.delivered > 0 ? (['delivered'] as const) : []),
    ...(e.delivered > 0 && e.read > 0 ? (['read'] as const) : []),
  ];
  return Object.fromEntries(types.map((t) => [t, [...states]]));
}

export function sandbox(options?: SandboxOptions): SandboxChannel {
  const config = parseSandboxOptions(options);
  const ledger = createLedger(config.retain);
  const receipts = createReceiptQueue(config.retain);
  const limits: ChannelLimits = {
    maxRecipientsPerSend: config.maxRecipientsPerSend,
    maxSendsPerDay: config.maxSendsPerDay,
    ratePerSecond: config.ratePerSecond,
    contentTypes: [...config.contentTypes],
    maxTextLength: config.maxTextLength,
    receipts: config.engagement !== undefined,
    // With engagement, the states it draws for every content type; without, the sandbox is a
    // fake whose receipts a test supplies, so it declares nothing.
    ...(config.engagement ? { receiptStates: engagementStates(config.contentTypes, config.engagement) } : {}),
    recall: false,
    idempotencyKeys: config.idempotent,
  };

  const channel: SandboxChannel = {
    kind: 'channel',
    name: config.name,
    limits,
    identityKinds: [...config.identityKinds],
    accounts: [...config.accounts],
    provider: {
      ...ledger,
      receipts: receipts.reported,
      pendingReceipts: receipts.pending,
      reset() {
        ledger.reset();
        receipts.reset();
      },
    },
    address: (identities) => pickAddress(config, identities),
    async send(batch, ctx) {
      checkBatch(config, batch);
      await abortableSleep(drawLatency(config.seed, config.latencyMs, batch.idempotencyKey), ctx.signal);
      const at = ctx.now();
      ledger.recordCall({
        batchId: batch.batchId,
        campaignId: batch.campaignId,
        account: batch.account,
        idempotencyKey: batch.idempotencyKey,
        recipients: batch.messages.length,
        at,
      });
      const engagement = config.engagement;
      // Only a message accepted now engages: an idempotent replay was drawn the first time.
      const accepted = engagement
        ? (m: AcceptedMessage) => receipts.schedule(drawEngagement(config.seed, engagement, m))
        : undefined;
      return batch.messages.map((message) => sendOne(config, ledger, batch, message, at, accepted));
    },
    async queryStatus(batch: OutboundBatch, ctx: SendContext): Promise<SendOutcome[]> {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      return batch.messages.flatMap((message) => {
        const found = ledger.find(message.id, batch.idempotencyKey);
        return found ? [{ id: message.id, status: 'sent', providerMessageId: found.providerMessageId }] : [];
      });
    },
  };
  if (config.engagement) {
    channel.pollReceipts = async (ctx) => {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      return receipts.due(ctx.now());
    };
  }
  return channel;
}

/** `sandbox({ preset: 'demo', ...options })`: ~3 % failures across classes, retries can succeed. */
sandbox.demo = (options?: Omit<SandboxOptions, 'preset'>): SandboxChannel =>
  sandbox({ ...options, preset: 'demo' });

function pickAddress(config: SandboxConfig, identities: ContactIdentity[]): string | undefined {
  for (const kind of config.identityKinds) {
    const identity = identities.find((i) => i.kind === kind && i.value !== '');
    if (identity) return identity.value;
  }
  return undefined;
}

/** A batch the kernel should never have built: over the limit, a foreign account, a repeated id. */
function checkBatch(config: SandboxConfig, batch: OutboundBatch): void {
  const fail = (message: string, details: Record<string, unknown>) => {
    throw new QunfaError('INTERNAL', message, {
      plugin: config.name,
      details: { batchId: batch.batchId, ...details },
    });
  };
  if (batch.messages.length > config.maxRecipientsPerSend) {
    fail(`batch of ${batch.messages.length} exceeds maxRecipientsPerSend ${config.maxRecipientsPerSend}`, {
      size: batch.messages.length,
      limit: config.maxRecipientsPerSend,
    });
  }
  if (config.accounts.length > 0 && !config.accounts.includes(batch.account ?? '')) {
    fail(`unknown sender account "${batch.account}"`, { account: batch.account });
  }
  const ids = new Set(batch.messages.map((m) => m.id));
  if (ids.size !== batch.messages.length) fail('batch repeats a message id', {});
}

function sendOne(
  config: SandboxConfig,
  ledger: SandboxLedger,
  batch: OutboundBatch,
  message: OutboundMessage,
  at: Date,
  onAccepted?: (accepted: AcceptedMessage) => void,
): SendOutcome {
  const key = batch.idempotencyKey;
  if (config.idempotent) {
    const replay = ledger.find(message.id, key);
    if (replay) return { id: message.id, status: 'sent', providerMessageId: replay.providerMessageId };
  }
  const rejected = rejectContent(config, message);
  if (rejected) return { id: message.id, status: 'failed', failure: 'content_rejected', error: rejected };

  const failure = drawFailure({
    seed: config.seed,
    rates: config.failureRates,
    messageId: message.id,
    address: message.address,
    contentKey: `${message.content.type}\u0000${message.content.subject ?? ''}\u0000${message.content.text}`,
    attemptSalt: config.retryRedraws ? key : '',
  });
  if (failure === 'rate_limited') {
    return {
      id: message.id,
      status: 'failed',
      failure,
      error: simulatedErrors[failure],
      retryAfterMs: config.retryAfterMs,
    };
  }
  if (failure) return { id: message.id, status: 'failed', failure, error: simulatedErrors[failure] };

  const day = quotaDay(at);
  if (config.maxSendsPerDay !== undefined && ledger.quotaUsed(batch.account, day) >= config.maxSendsPerDay) {
    return {
      id: message.id,
      status: 'failed',
      failure: 'rate_limited',
      error: 'sandbox: daily quota of the account used up',
      retryAfterMs: msUntilQuotaReset(at),
    };
  }
  const providerId = providerMessageId(config.seed, message.id, key, ledger.receivedCount(message.id));
  const accepted: AcceptedMessage = {
    messageId: message.id,
    providerMessageId: providerId,
    batchId: batch.batchId,
    campaignId: batch.campaignId,
    account: batch.account,
    idempotencyKey: key,
    address: message.address,
    content: message.content,
    at,
  };
  ledger.record(accepted, day);
  onAccepted?.(accepted);
  return { id: message.id, status: 'sent', providerMessageId: providerId };
}

function rejectContent(config: SandboxConfig, message: OutboundMessage): string | undefined {
  if (!config.contentTypes.includes(message.content.type)) {
    return `sandbox: content type "${message.content.type}" is not supported`;
  }
  const max = config.maxTextLength;
  if (max !== undefined && [...message.content.text].length > max) {
    return `sandbox: text longer than ${max} characters`;
  }
  return undefined;
}
