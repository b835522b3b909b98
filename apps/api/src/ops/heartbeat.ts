import { hostname } from 'node:os';
import type { Logger } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';

/** Rows of workers gone silent this long ago are removed (they died without a clean stop). */
const FORGET_AFTER_MS = 24 * 3_600_000;

export interface Heartbeat {
  /** The tick loop's hook (`WorkerOptions.onTick`): records the tick, writes a beat at most every `intervalMs`. */
  tick(at: Date): void;
  /** When the tick loop last went round; undefined before its first pass. */
  lastTick(): Date | undefined;
  /** Waits for a beat in flight and removes this worker's row. */
  stop(): Promise<void>;
}

/**
 * A worker's heartbeat in `worker_heartbeats`, written from its tick loop so that a loop that
 * stalls stops beating even though the process is alive. A failed write is logged once per
 * outage and tried again on the next tick: a database that is away is the readiness check's news.
 */
export function startHeartbeat(deps: {
  db: Db;
  workerId: string;
  logger: Logger;
  /** Least time between two writes, in ms. */
  intervalMs: number;
  now?: () => Date;
}): Heartbeat {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  let last: Date | undefined;
  let written = Number.NEGATIVE_INFINITY;
  let writing: Promise<void> | undefined;
  let failing = false;
  let stopped = false;

  const write = async (at: Date) => {
    try {
      await rows(
        deps.db,
        sql`INSERT INTO worker_heartbeats (worker_id, host, pid, started_at, beat_at)
            VALUES (${deps.workerId}, ${hostname()}, ${process.pid}, ${startedAt.toISOString()}::timestamptz,
                    ${at.toISOString()}::timestamptz)
            ON CONFLICT (worker_id) DO UPDATE SET beat_at = excluded.beat_at`,
      );
      if (written === Number.NEGATIVE_INFINITY) {
        await rows(
          deps.db,
          sql`DELETE FROM worker_heartbeats
              WHERE beat_at < ${new Date(at.getTime() - FORGET_AFTER_MS).toISOString()}::timestamptz`,
        );
      }
      written = at.getTime();
      failing = false;
    } catch (error) {
      if (!failing) {
        deps.logger.warn('worker heartbeat not written', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
      failing = true;
    }
  };

  return {
    tick(at) {
      last = at;
      if (stopped || writing || at.getTime() - written < deps.intervalMs) return;
      writing = write(at).finally(() => {
        writing = undefined;
      });
    },
    lastTick: () => last,
    async stop() {
      stopped = true;
      await writing;
      await rows(deps.db, sql`DELETE FROM worker_heartbeats WHERE worker_id = ${deps.workerId}`).catch(
        () => undefined,
      );
    },
  };
}
