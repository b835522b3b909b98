import type { Logger } from '@qunfa/core';
import type { Db } from '../../db/database.js';
import { purgeExpired } from './purge-expired.js';

/** Runs `purgeExpired` every `intervalMs` (0: never), one run at a time; `stop` waits for a run in progress. */
export function startRetentionJob(db: Db, logger: Logger, intervalMs: number): { stop(): Promise<void> } {
  if (intervalMs <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = purgeExpired(db, new Date())
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) logger.info('retention purged', { ...counts });
      })
      .catch((error: unknown) =>
        logger.error('retention purge failed', {
          error: error instanceof Error ? error.message : String(error),
        }),
      )
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
