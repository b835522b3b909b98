import type { Engine, EngineContext, WorkerOptions } from './deps.js';

/** Consumes the queue with `processBatch` and ticks on an interval until stopped. */
export function runWorker(
  ctx: EngineContext,
  engine: Engine,
  options: WorkerOptions,
): { stop(): Promise<void> } {
  const stopping = new AbortController();
  const pollEvery = options.receiptPollIntervalMs ?? 5000;
  let lastPoll = Number.NEGATIVE_INFINITY;
  // Nothing that throws may end the loop: a worker whose loop died would sit alive and idle.
  const guarded = async (what: string, step: () => unknown) => {
    try {
      await step();
    } catch (error) {
      ctx.logger.error(`${what} failed`, { error: error instanceof Error ? error.message : String(error) });
    }
  };
  const poll = async () => {
    if (ctx.clock.now().getTime() - lastPoll < pollEvery) return;
    lastPoll = ctx.clock.now().getTime();
    await guarded('polling receipts', () => engine.pollReceipts());
  };
  let consumer: { stop(): Promise<void> } | undefined;
  const ticking = (async () => {
    // Receipts first: a worker that starts after the fleet was down would otherwise sweep
    // escalations (after its first batch, or in its first tick) before reading the receipts that
    // arrived meanwhile, and send a delivered recipient the next step too.
    await poll();
    if (stopping.signal.aborted) return;
    // The queue retries a job whose handler threw; the error must still reach the log.
    consumer = ctx.queue.consume(
      (job) =>
        engine.processBatch(job).catch((error: unknown) => {
          ctx.logger.error('a batch failed and will be tried again', {
            batchId: job.batchId,
            error: error instanceof Error ? error.message : String(error),
            cause: error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined,
          });
          throw error;
        }),
      { concurrency: options.concurrency },
    );
    while (!stopping.signal.aborted) {
      await poll();
      await guarded('tick', () => engine.tick());
      await guarded('onTick', () => options.onTick?.(ctx.clock.now()));
      try {
        await ctx.clock.sleep(options.tickIntervalMs, stopping.signal);
      } catch {
        return;
      }
    }
  })();
  return {
    async stop() {
      stopping.abort();
      await ticking;
      await consumer?.stop();
    },
  };
}
