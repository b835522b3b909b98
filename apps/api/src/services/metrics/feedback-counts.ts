import type { FeedbackCounts } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { archivedSummary } from '../retention/archived-summary.js';

/**
 * What came back from a campaign's recipients, each recipient counted once per kind: replies
 * attributed to it, replies classified as complaints, unsubscriptions (by reply, or by link or
 * any other way after the campaign started, among those it reached) and conversions attributed
 * to one of its deliveries.
 */
export async function feedbackCounts(db: Db, campaignId: string): Promise<FeedbackCounts> {
  const archived = await archivedSummary(db, campaignId);
  return archived ? archived.feedback : liveFeedbackCounts(db, campaignId);
}

/** Feedback counts from the campaign's rows (what an archive keeps in its summary). */
export async function liveFeedbackCounts(db: Db, campaignId: string): Promise<FeedbackCounts> {
  const id = Number(campaignId);
  const [row] = await rows<FeedbackCounts>(
    db,
    sql`SELECT
          (SELECT count(DISTINCT contact_id)::int FROM inbound_messages WHERE campaign_id = ${id}) AS replied,
          (SELECT count(DISTINCT contact_id)::int FROM triage_items
             WHERE campaign_id = ${id} AND label = 'complaint') AS complained,
          (SELECT count(DISTINCT d.contact_id)::int FROM deliveries d
             JOIN campaigns c ON c.id = d.campaign_id
             WHERE d.campaign_id = ${id} AND d.state IN ('sent', 'delivered', 'read', 'clicked')
               AND (EXISTS (SELECT 1 FROM triage_items t WHERE t.campaign_id = ${id}
                              AND t.contact_id = d.contact_id AND t.label = 'unsubscribe')
                    OR EXISTS (SELECT 1 FROM suppressions s WHERE s.contact_id = d.contact_id
                                 AND s.reason = 'unsubscribed' AND s.created_at >= c.started_at))) AS unsubscribed,
          (SELECT count(DISTINCT delivery_id)::int FROM conversions WHERE campaign_id = ${id}) AS converted`,
  );
  return row ?? { replied: 0, complained: 0, unsubscribed: 0, converted: 0 };
}
