import type { BatchRef, BatchWait } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { intArrayLiteral, textArrayLiteral } from './pg-array.js';
import { planStepIndexSql } from './plan-step-sql.js';

/** A campaign's queued batches not due by `now`, by wait reason and channel: one GROUP BY over its batches. */
export async function waitingBatches(db: Db, campaignId: number, now: Date): Promise<BatchWait[]> {
  const found = await rows<{
    reason: string | null;
    channel: string;
    recipients: number;
    first: string;
    last: string;
  }>(
    db,
    sql`SELECT wait_reason AS reason, channel, sum(size)::int AS recipients,
               to_json(min(due_at)) #>> '{}' AS first, to_json(max(due_at)) #>> '{}' AS last
        FROM batches
        WHERE campaign_id = ${campaignId}::bigint AND state = 'queued' AND due_at > ${now.toISOString()}::timestamptz
        GROUP BY wait_reason, channel`,
  );
  return found.map((r) => ({
    reason: r.reason,
    channel: r.channel,
    recipients: Number(r.recipients),
    firstDueAt: new Date(r.first),
    lastDueAt: new Date(r.last),
  }));
}

interface Replaced {
  id: string;
  workspace_id: string;
  campaign_id: string;
  channel: string;
  account: string | null;
  size: number;
  step: number;
}

/**
 * Replaces the matching waiting batches by new ones due at `now`, with their deliveries, in one
 * transaction: a queue's job for an old batch, due at the old time, then finds nothing to claim.
 */
export function rescheduleWaiting(
  db: Db,
  input: { workspaceId?: string; reason: string; now: Date },
): Promise<BatchRef[]> {
  const now = input.now.toISOString();
  const workspace =
    input.workspaceId === undefined ? sql`` : sql`AND b.workspace_id = ${Number(input.workspaceId)}::bigint`;
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const old = await rows<Replaced>(
      tx,
      sql`UPDATE batches b SET state = 'replaced', updated_at = ${now}::timestamptz
          FROM campaigns c
          WHERE c.id = b.campaign_id AND c.state IN ('running', 'paused')
            AND b.state = 'queued' AND b.wait_reason = ${input.reason}::text AND b.due_at > ${now}::timestamptz ${workspace}
          RETURNING b.id::text, b.workspace_id::text, b.campaign_id::text, b.channel, b.account, b.size::int AS size,
                    ${planStepIndexSql(sql`b.channel`, sql`c.channel_plan`, sql`c.channel_mode`)} AS step`,
    );
    if (old.length === 0) return [];
    const campaignIds = [...new Set(old.map((b) => Number(b.campaign_id)))];
    const maxSeq = await rows<{ campaign_id: string; seq: number }>(
      tx,
      sql`SELECT campaign_id::text, max(seq)::int AS seq FROM batches
          WHERE campaign_id = ANY(${intArrayLiteral(campaignIds)}::bigint[]) GROUP BY campaign_id`,
    );
    const next = new Map(maxSeq.map((r) => [r.campaign_id, r.seq + 1]));
    const seqs = old.map((b) => {
      const seq = next.get(b.campaign_id)!;
      next.set(b.campaign_id, seq + 1);
      return seq;
    });
    const inserted = await rows<{ id: string; campaign_id: string; seq: number }>(
      tx,
      sql`INSERT INTO batches (workspace_id, campaign_id, channel, account, seq, state, due_at, size, created_at, updated_at)
          SELECT n.workspace_id, n.campaign_id, n.channel, n.account, n.seq, 'queued', ${now}::timestamptz, n.size,
                 ${now}::timestamptz, ${now}::timestamptz
          FROM unnest(${intArrayLiteral(old.map((b) => Number(b.workspace_id)))}::bigint[],
                      ${intArrayLiteral(old.map((b) => Number(b.campaign_id)))}::bigint[],
                      ${textArrayLiteral(old.map((b) => b.channel))}::text[],
                      ${textArrayLiteral(old.map((b) => b.account))}::text[],
                      ${intArrayLiteral(seqs)}::int[],
                      ${intArrayLiteral(old.map((b) => b.size))}::int[])
            AS n(workspace_id, campaign_id, channel, account, seq, size)
          RETURNING id::text, campaign_id::text, seq::int AS seq`,
    );
    const newId = new Map(inserted.map((r) => [`${r.campaign_id}:${r.seq}`, Number(r.id)]));
    const targets = old.map((b, i) => newId.get(`${b.campaign_id}:${seqs[i]}`)!);
    await tx.execute(
      sql`UPDATE deliveries d SET batch_id = m.new_id
          FROM unnest(${intArrayLiteral(old.map((b) => Number(b.id)))}::bigint[], ${intArrayLiteral(targets)}::bigint[])
            AS m(old_id, new_id)
          WHERE d.batch_id = m.old_id`,
    );
    return old.map((b, i) => ({
      id: String(targets[i]),
      workspaceId: b.workspace_id,
      campaignId: b.campaign_id,
      dueAt: input.now,
      step: b.step,
    }));
  });
}
