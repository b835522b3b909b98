import type { CampaignPlan, PlanPreview } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { executePlan } from './plan-sql.js';

/** Thrown to roll the preview's transaction back; never leaves this file. */
const undo = new Error('preview rolled back');

/**
 * The plan executed in a transaction that is rolled back: the same SQL as a start, so the dry
 * run counts exactly what the start would write (ids and temporary rows are the preview's own).
 */
export async function previewPlan(db: Db, plan: CampaignPlan): Promise<PlanPreview> {
  let preview: PlanPreview | undefined;
  try {
    await db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const summary = await executePlan(tx, plan);
      const campaignId = Number(plan.campaignId);
      const recipients = await rows<{
        deliveryId: string;
        contactId: string;
        variantId: string | null;
        channel: string;
        account: string | null;
        seq: number;
        dueMs: number;
        size: number;
      }>(
        tx,
        sql`SELECT d.id::text AS "deliveryId", d.contact_id::text AS "contactId", d.variant_id::text AS "variantId",
                   b.channel, b.account, b.seq, (extract(epoch FROM b.due_at) * 1000)::float8 AS "dueMs", b.size
            FROM deliveries d JOIN batches b ON b.id = d.batch_id
            WHERE d.campaign_id = ${campaignId}::bigint AND d.state = 'queued'
            ORDER BY b.due_at, b.seq, d.id`,
      );
      const waiting = await rows<{ channel: string; count: number }>(
        tx,
        sql`SELECT channel, count(*)::int AS count FROM deliveries
            WHERE campaign_id = ${campaignId}::bigint AND state = 'waiting' GROUP BY channel ORDER BY channel`,
      );
      const batches: PlanPreview['batches'] = [];
      for (const r of recipients) {
        let batch = batches.at(-1);
        if (!batch || batch.seq !== r.seq) {
          batch = {
            channel: r.channel,
            account: r.account,
            seq: r.seq,
            dueAt: new Date(r.dueMs),
            size: r.size,
            recipients: [],
          };
          batches.push(batch);
        }
        batch.recipients.push({ deliveryId: r.deliveryId, contactId: r.contactId, variantId: r.variantId });
      }
      preview = { summary, batches, waiting };
      throw undo;
    });
  } catch (error) {
    if (error !== undo) throw error;
  }
  return preview!;
}
