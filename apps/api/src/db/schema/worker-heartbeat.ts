import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { at } from './common.js';

/**
 * One row per process running a worker (the API's inline worker or `qunfa worker`), written
 * from its tick loop: a row whose beat is old is a worker that died or stalled. A clean stop
 * removes its row.
 */
export const workerHeartbeats = pgTable(
  'worker_heartbeats',
  {
    workerId: text('worker_id').primaryKey(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    startedAt: at('started_at').notNull(),
    beatAt: at('beat_at').notNull(),
  },
  (t) => [index('worker_heartbeats_beat_idx').on(t.beatAt)],
);
