import type { Content } from '@qunfa/core';
import { quotaDay } from './quota-day.js';

/** One message the sandbox accepted (answered `sent`), as its provider would have it. */
export interface AcceptedMessage {
  /** The delivery id the kernel sent it under (`OutboundMessage.id`). */
  messageId: string;
  providerMessageId: string;
  batchId: string;
  campaignId: string;
  account: string | null;
  idempotencyKey: string;
  address: string;
  content: Content;
  /** `ctx.now()` of the send call. */
  at: Date;
}

/** One `send` call that reached the sandbox (after its latency, not aborted). */
export interface SendCall {
  batchId: string;
  campaignId: string;
  account: string | null;
  idempotencyKey: string;
  recipients: number;
  /** `ctx.now()` of the call, to check pacing against `ratePerSecond`. */
  at: Date;
}

/** What a test can read from the sandbox's simulated provider. */
export interface SandboxProvider {
  /** Accepted messages, oldest first (the last `retain`). An idempotent replay is not listed again. */
  accepted(): AcceptedMessage[];
  /** How many times a message id was accepted: 1 is right, more is a duplicate delivery. */
  receivedCount(messageId: string): number;
  /** Send calls that reached the provider, oldest first (the last `retain`). */
  calls(): SendCall[];
  /** Recipients accepted for an account on the China Standard Time day of `at`. */
  acceptedOn(account: string | null, at: Date): number;
  /** Forgets everything recorded. */
  reset(): void;
}

/** The provider's state, as the channel uses it. */
export interface SandboxLedger extends SandboxProvider {
  find(messageId: string, idempotencyKey: string): AcceptedMessage | undefined;
  record(message: AcceptedMessage, day: number): void;
  recordCall(call: SendCall): void;
  quotaUsed(account: string | null, day: number): number;
}

const pair = (a: string, b: string) => `${a}\u0000${b}`;

/** An in-memory ledger that keeps the last `retain` accepted messages and calls. */
export function createLedger(retain: number): SandboxLedger {
  let seq = 0;
  const bySeq = new Map<number, AcceptedMessage>();
  const byKey = new Map<string, AcceptedMessage>();
  const counts = new Map<string, number>();
  const quota = new Map<string, number>();
  const calls: SendCall[] = [];
  let firstCall = 0;

  const evictOldest = () => {
    const [oldestSeq, oldest] = bySeq.entries().next().value as [number, AcceptedMessage];
    bySeq.delete(oldestSeq);
    const key = pair(oldest.messageId, oldest.idempotencyKey);
    if (byKey.get(key) === oldest) byKey.delete(key);
    const left = (counts.get(oldest.messageId) ?? 1) - 1;
    if (left > 0) counts.set(oldest.messageId, left);
    else counts.delete(oldest.messageId);
  };

  return {
    accepted: () => [...bySeq.values()],
    receivedCount: (messageId) => counts.get(messageId) ?? 0,
    calls: () => calls.slice(firstCall),
    acceptedOn: (account, at) => quota.get(pair(account ?? '', String(quotaDay(at)))) ?? 0,
    reset() {
      bySeq.clear();
      byKey.clear();
      counts.clear();
      quota.clear();
      calls.length = 0;
      firstCall = 0;
    },
    find: (messageId, idempotencyKey) => byKey.get(pair(messageId, idempotencyKey)),
    record(message, day) {
      bySeq.set(seq++, message);
      byKey.set(pair(message.messageId, message.idempotencyKey), message);
      counts.set(message.messageId, (counts.get(message.messageId) ?? 0) + 1);
      const quotaKey = pair(message.account ?? '', String(day));
      quota.set(quotaKey, (quota.get(quotaKey) ?? 0) + 1);
      if (bySeq.size > retain) evictOldest();
    },
    recordCall(call) {
      calls.push(call);
      if (calls.length - firstCall > retain) firstCall += 1;
      if (firstCall > retain) {
        calls.splice(0, firstCall);
        firstCall = 0;
      }
    },
    quotaUsed: (account, day) => quota.get(pair(account ?? '', String(day))) ?? 0,
  };
}
