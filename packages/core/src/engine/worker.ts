import type { Engine, EngineContext, WorkerOptions } from './deps.js';

/** Consumes the queue with `processBatch` and ticks on an interval until stopped. */
export function runWorker(
  ctx: EngineContext,
  engine: Engine,
  options: WorkerOptions,
): { stop(): Promise<void> } {
  // The queue retries a job whose handler threw; the error must still reach the log.
  const consumer = ctx.queue.consume(
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
  const ticking = (async () => {
    while (!stopping.signal.aborted) {
      await guarded('tick', () => engine.tick());
      if (ctx.clock.now().getTime() - lastPoll >= pollEvery) {
        lastPoll = ctx.clock.now().getTime();
        await guarded('polling receipts', () => engine.pollReceipts());
      }
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
      await consumer.stop();
    },
  };
}
