import { CANCELLED_AFTER_INTERRUPTED_SEND } from '../engine/end-retry.js';
import type { MemoryTables } from './tables.js';

/**
 * Ends what a cancelled campaign has not sent: its queued batches are cancelled, their queued
 * deliveries and the A/B rest end `suppressed` as `cancelled`, and a delivery an interrupted
 * start may have sent ends `uncertain`. Batches in flight are left to their workers, whose
 * settlement ends their retries (`endRetry`).
 */
export function cancelUnsent(t: MemoryTables, campaignId: string, at: Date): void {
  const cancelled = new Set<string>();
  for (const b of t.batches.values()) {
    if (b.campaignId === campaignId && b.state === 'queued') {
      b.state = 'cancelled';
      cancelled.add(b.id);
    }
  }
  for (const d of t.deliveries.values()) {
    if (d.campaignId !== campaignId) continue;
    const inCancelled = d.batchId !== null && cancelled.has(d.batchId);
    if (d.state === 'waiting' || (inCancelled && d.state === 'queued')) {
      d.state = 'suppressed';
      d.suppressionReason = 'cancelled';
      d.updatedAt = at;
    } else if (inCancelled && d.state === 'submitted') {
      d.state = 'uncertain';
      d.lastError = CANCELLED_AFTER_INTERRUPTED_SEND;
      d.updatedAt = at;
    }
  }
}
