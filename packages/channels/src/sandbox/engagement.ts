import type { DeliveryEvent } from '@qunfa/core';
import { unitDraw } from './hash.js';

/** A range of delays, uniform in [min, max] ms. */
export interface DelayRange {
  min: number;
  max: number;
}

/** What happens to accepted messages after the send, as the sandbox's provider reports it. */
export interface EngagementConfig {
  /** Share (0–1) of accepted messages delivered. */
  delivered: number;
  /** Share (0–1) of delivered messages read. */
  read: number;
  /** Share (0–1) of read messages clicked. */
  clicked: number;
  /** Delay of the delivery receipt after the send. */
  deliveredAfterMs: DelayRange;
  /** Delay of the read after the delivery. */
  readAfterMs: DelayRange;
  /** Delay of the click after the read. */
  clickedAfterMs: DelayRange;
}

/** One receipt the sandbox reported through `pollReceipts`, with the delivery id it was sent under. */
export interface SandboxReceipt {
  messageId: string;
  providerMessageId: string;
  state: 'delivered' | 'read' | 'clicked';
  at: Date;
}

const delay = (seed: number, range: DelayRange, ...parts: string[]) =>
  range.min + Math.floor(unitDraw(seed, ...parts) * (range.max - range.min + 1));

/**
 * The receipts one accepted message will produce: drawn from the seed and its delivery id
 * alone, so the same campaign engages the same way on every run, whatever the call order.
 */
export function drawEngagement(
  seed: number,
  config: EngagementConfig,
  message: { messageId: string; providerMessageId: string; at: Date },
): SandboxReceipt[] {
  const id = message.messageId;
  const receipts: SandboxReceipt[] = [];
  let at = message.at.getTime();
  const steps = [
    ['delivered', config.delivered, config.deliveredAfterMs],
    ['read', config.read, config.readAfterMs],
    ['clicked', config.clicked, config.clickedAfterMs],
  ] as const;
  for (const [state, rate, after] of steps) {
    if (unitDraw(seed, `engage-${state}`, id) >= rate) break;
    at += delay(seed, after, `engage-${state}-delay`, id);
    receipts.push({ messageId: id, providerMessageId: message.providerMessageId, state, at: new Date(at) });
  }
  return receipts;
}

/** Receipts waiting for their time, handed out by `due(now)` once each. */
export function createReceiptQueue(retain: number) {
  let pending: SandboxReceipt[] = [];
  let sorted = true;
  const reported: SandboxReceipt[] = [];
  return {
    schedule(receipts: SandboxReceipt[]) {
      if (receipts.length === 0) return;
      for (const receipt of receipts) pending.push(receipt);
      sorted = false;
    },
    due(now: Date): DeliveryEvent[] {
      if (!sorted) {
        pending.sort((a, b) => a.at.getTime() - b.at.getTime());
        sorted = true;
      }
      let n = 0;
      while (n < pending.length && pending[n]!.at <= now) n++;
      const due = pending.slice(0, n);
      pending = pending.slice(n);
      // Not push(...due): a poll after a busy minute can hand out more than the stack takes.
      for (const receipt of due) reported.push(receipt);
      if (reported.length > retain) reported.splice(0, reported.length - retain);
      return due.map((r) => ({ providerMessageId: r.providerMessageId, state: r.state, at: r.at }));
    },
    reported: () => [...reported],
    pending: () => pending.length,
    reset() {
      pending = [];
      reported.length = 0;
    },
  };
}
