import { CANCELLED_AFTER_INTERRUPTED_SEND, type DeliveryState } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { CounterDelta, shardOf } from './counters-sql.js';

/**
 * Ends what a cancelled campaign has not sent, inside the cancelling transaction: its queued
 * batches are cancelled, their deliveries and the A/B rest end `suppressed` as `cancelled`, and
 * a delivery an interrupted start may have sent (its batch was started before) ends
 * `uncertain`. Batches in flight are left to their workers, whose settlement ends their retries.
 */
export async function cancelUnsent(
  tx: Db,
  campaign: { id: number; workspaceId: number },
  at: Date,
): Promise<void> {
  // `counted`: the counter each delivery is in now. A claim counts a batch's queued rows as
  // submitted without rewriting them, and a batch given back after a resumed start keeps them so.
  const moved = await rows<{ counted: DeliveryState; next: DeliveryState; n: number }>(
    tx,
    sql`WITH gone AS (
          UPDATE batches SET state = 'cancelled', updated_at = ${at.toISOString()}::timestamptz
          WHERE campaign_id = ${campaign.id}::bigint AND state = 'queued'
          RETURNING id, starts
        ), target AS (
          SELECT d.id,
                 CASE WHEN d.state = 'waiting' THEN 'waiting'
                      WHEN d.state = 'submitted' OR g.starts > 0 THEN 'submitted' ELSE 'queued' END AS counted,
                 CASE WHEN d.state <> 'waiting' AND (d.state = 'submitted' OR g.starts > 0)
                      THEN 'uncertain' ELSE 'suppressed' END AS next
          FROM deliveries d LEFT JOIN gone g ON g.id = d.batch_id
          WHERE d.campaign_id = ${campaign.id}::bigint
            AND (d.state = 'waiting' OR (g.id IS NOT NULL AND d.state IN ('queued', 'submitted')))
        ), updated AS (
          UPDATE deliveries d SET state = t.next,
                 suppression_reason = CASE WHEN t.next = 'suppressed' THEN 'cancelled' ELSE d.suppression_reason END,
                 last_error = CASE WHEN t.next = 'uncertain' THEN ${CANCELLED_AFTER_INTERRUPTED_SEND}::text ELSE d.last_error END,
                 claimed_start = NULL, updated_at = ${at.toISOString()}::timestamptz
          FROM target t WHERE d.id = t.id
          RETURNING t.counted, t.next
        )
        SELECT counted, next, count(*)::int AS n FROM updated GROUP BY counted, next`,
  );
  const delta = new CounterDelta();
  for (const m of moved) {
    delta.add({ state: m.counted }, -m.n);
    delta.add({ state: m.next }, m.n);
  }
  await delta.apply(tx, campaign, shardOf(campaign.id));
}

/**
 * The state of a batch's campaign, its row share-locked until the transaction ends: a cancel
 * (which updates that row) then waits for this transaction, and its own statements see what
 * this one queued; or this one sees `cancelled`.
 */
export async function lockCampaignOfBatch(tx: Db, batchId: number): Promise<string | undefined> {
  const [found] = await rows<{ state: string }>(
    tx,
    sql`SELECT c.state FROM campaigns c JOIN batches b ON b.campaign_id = c.id
        WHERE b.id = ${batchId}::bigint FOR SHARE OF c`,
  );
  return found?.state;
}
