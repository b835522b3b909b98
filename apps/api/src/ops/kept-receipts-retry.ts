import type { Engine, Logger } from '@qunfa/core';

/**
 * Receipts, clicks and opens that beat their settlement are kept in the database (see
 * Engine.retryEarlyReceipts); an API without the worker loop tries them again every `intervalMs`,
 * as a worker's poll would, so they apply even with no worker polling. Returns the timer.
 */
export function retryKeptReceipts(engine: Engine, logger: Logger, intervalMs: number): NodeJS.Timeout {
  const timer = setInterval(
    () =>
      void engine.retryEarlyReceipts().catch((error: unknown) =>
        logger.error('early receipts could not be applied', {
          error: error instanceof Error ? error.message : String(error),
        }),
      ),
    intervalMs,
  );
  timer.unref();
  return timer;
}
