import type { CallbackRequest, OutboundBatch, SendOutcome } from '../plugins/channel.js';
import type { PluginState } from '../ports/plugin-state.js';

/**
 * What the conformance kit may see of the channel's provider (its fake): the recipients of each
 * send request it received, and a switch that takes it down. With it the kit checks the request
 * sizes and that a channel does not loop on a failing provider.
 */
export interface ChannelProviderProbe {
  /** Recipients of every send request the provider received so far, oldest first, written as the kernel addressed them. */
  sendRequests(): string[][];
  /** Most recipients the provider's documentation allows in one send request. */
  maxRecipientsPerRequest: number;
  /**
   * Makes the provider unreachable or failing (5xx, reset, system busy) until the returned
   * function is called. Without it the outage checks are skipped.
   */
  outage?(): () => void | Promise<void>;
  /**
   * How many send requests one `send` may make for one recipient: 1 for a provider without
   * idempotency keys; more only where the protocol makes a repeat safe (WeChat's `clientmsgid`). Default 1.
   */
  maxAttemptsPerRecipient?: number;
}

/** What a message that went out looked like, to build a provider push about it. */
export interface SentForReceipt {
  batch: OutboundBatch;
  outcomes: SendOutcome[];
}

/** Callback fixtures: forged requests the channel must refuse, and a genuine push for what it sent. */
export interface ChannelCallbackProbe {
  /**
   * Requests a forger could make (a wrong signature, a stale timestamp, a body changed after
   * signing). Each must reject with `UNAUTHENTICATED` or `FORBIDDEN` and write nothing.
   */
  forged?(sent: SentForReceipt): CallbackRequest[] | Promise<CallbackRequest[]>;
  /** A genuine, signed push about messages of `sent` (a receipt), as the provider would send it. */
  genuine?(sent: SentForReceipt): CallbackRequest | Promise<CallbackRequest>;
}

/** A `PluginState` that counts writes, to prove a refused callback changed nothing. */
export function countingState(inner: PluginState): PluginState & { writes(): number } {
  let writes = 0;
  return {
    get: (key) => inner.get(key),
    set: (key, value, ttlMs) => {
      writes++;
      return inner.set(key, value, ttlMs);
    },
    setIfAbsent: (key, value, ttlMs) => {
      writes++;
      return inner.setIfAbsent(key, value, ttlMs);
    },
    delete: (key) => {
      writes++;
      return inner.delete(key);
    },
    writes: () => writes,
  };
}

/** The provider message ids a send returned. */
export function providerIdsOf(outcomes: SendOutcome[]): Set<string> {
  return new Set(outcomes.flatMap((o) => (o.providerMessageId ? [o.providerMessageId] : [])));
}

/** How often each address was in the given requests. */
export function attemptsByAddress(requests: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of requests) for (const a of request) counts.set(a, (counts.get(a) ?? 0) + 1);
  return counts;
}
