import type { Clock, Logger } from '@qunfa/core';
import type { Db } from '../../db/database.js';
import { archiveDue } from './archive-campaigns.js';
import type { ArchiveTarget } from './archive-target.js';
import { purgeExpired } from './purge-expired.js';

/**
 * Runs `purgeExpired`, then `archiveDue` (when there is an archive target), every `intervalMs` (0: never), one run at a time;
 * `stop` waits for a run in progress.
 */
export function startRetentionJob(
  { db, clock, logger }: { db: Db; clock: Pick<Clock, 'now'>; logger: Logger },
  intervalMs: number,
  /** Where archives go (folder or bucket); undefined: no archiving (an in-memory database without ARCHIVE_DIR). */
  archiveTarget: ArchiveTarget | undefined,
): { stop(): Promise<void> } {
  if (intervalMs <= 0) return { stop: async () => {} };
  let running: Promise<void> | undefined;
  const run = () => {
    if (running) return;
    running = purgeExpired(db, clock.now())
      .then((counts) => {
        if (Object.values(counts).some((n) => n > 0)) logger.info('retention purged', { ...counts });
        return archiveTarget === undefined
          ? undefined
          : archiveDue(db, clock.now(), { target: archiveTarget });
      })
      .then((archived) => {
        if (archived && archived.campaigns > 0) logger.info('campaigns archived', { ...archived });
      })
      .catch((error: unknown) =>
        logger.error('retention run failed', {
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
