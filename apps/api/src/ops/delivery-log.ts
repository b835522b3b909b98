import type { BatchSettledEvent, EngineObserver, Logger } from '@qunfa/core';

/**
 * Delivery records as log lines: one per batch at info (counts by state, latency), and one per
 * delivery — at info when it failed or is uncertain, at debug otherwise — carrying campaign,
 * batch, delivery, channel, account, provider message id, state, failure class, attempt and
 * timings. Never a body or an address: the results carry neither.
 */
export function deliveryLog(
  logger: Logger,
  /** Whether debug lines are written: when not, a delivery that went well builds no record (1,000 objects a batch). */
  options: { debug: boolean } = { debug: true },
): Required<Pick<EngineObserver, 'batchSettled'>> {
  return {
    batchSettled(event: BatchSettledEvent) {
      const byState: Record<string, number> = {};
      for (const r of event.results) byState[r.state] = (byState[r.state] ?? 0) + 1;
      const common = {
        workspaceId: event.workspaceId,
        campaignId: event.campaignId,
        batchId: event.batchId,
        channel: event.channel,
        account: event.account,
        attempt: event.attempt,
      };
      logger.info('batch settled', {
        ...common,
        deliveries: event.results.length,
        states: byState,
        claimedAt: event.claimedAt.toISOString(),
        durationMs: event.durationMs,
      });
      for (const r of event.results) {
        const bad = r.state === 'failed' || r.state === 'uncertain';
        if (!bad && !options.debug) continue;
        (bad ? logger.info : logger.debug)('delivery', {
          ...common,
          deliveryId: r.deliveryId,
          state: r.state,
          providerMessageId: r.attempt?.providerMessageId ?? null,
          failureClass: r.failureClass ?? r.attempt?.failureClass ?? null,
          suppressionReason: r.suppressionReason ?? null,
          retryAt: r.retry?.at.toISOString() ?? null,
          durationMs: event.durationMs,
        });
      }
    },
  };
}
