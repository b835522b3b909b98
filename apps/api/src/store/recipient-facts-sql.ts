import { type CampaignFacts, parseQuietHours, type RecipientFact, type RecipientFacts } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';

/** Delivery states that mean a message went (or is going) out. */
const outbound = ['submitted', 'awaiting_confirmation', 'sent', 'delivered', 'read', 'clicked'];

const bigintArray = (ids: string[]) => `{${ids.map((id) => String(Number(id))).join(',')}}`;

/**
 * The recipient rules' facts for a whole batch in one query: the contact's time zone
 * (`attributes.timeZone`, else the workspace's), its suppressions (with `opted_out` when it
 * opted out of this campaign by a reply), how many messages of
 * other campaigns it was sent in the window, on any channel, and its workspace's quiet hours.
 */
export function createSqlRecipientFacts(db: Db): RecipientFacts {
  return {
    async recipientFacts(query) {
      if (query.contactIds.length === 0) return new Map();
      // In flight counts too: a claim leaves its deliveries queued; the batch's starts and time say it.
      const since = sql`${query.sentSince.toISOString()}::timestamptz`;
      const found = await preparedRows<Omit<RecipientFact, 'quietHours'> & { quietHours: string | null }>(
        db,
        sql`SELECT c.id::text AS "contactId", c.kind,
              COALESCE(NULLIF(c.attributes->>'timeZone', ''), w.time_zone) AS "timeZone",
              w.quiet_hours AS "quietHours",
              COALESCE((SELECT array_agg(s.reason ORDER BY s.reason) FROM suppressions s
                        WHERE s.contact_id = c.id), '{}')
                || CASE WHEN EXISTS (SELECT 1 FROM campaign_opt_outs o
                                     WHERE o.campaign_id = ${Number(query.campaignId)}::bigint AND o.contact_id = c.id)
                   THEN '{opted_out}'::text[] ELSE '{}'::text[] END AS suppressions,
              -- A campaign is one message to the person, however many channels it reached them on.
              (SELECT count(DISTINCT d.campaign_id)::int FROM deliveries d
                WHERE d.contact_id = c.id AND d.campaign_id <> ${Number(query.campaignId)}::bigint
                  AND ((d.updated_at >= ${since} AND d.state IN (${sql.join(
                    outbound.map((s) => sql`${s}::text`),
                    sql`, `,
                  )}))
                    OR (d.state = 'queued' AND EXISTS (SELECT 1 FROM batches b WHERE b.id = d.batch_id
                                                       AND b.starts > 0 AND b.updated_at >= ${since})))) AS "sentSince"
            FROM contacts c JOIN workspaces w ON w.id = c.workspace_id
            WHERE c.workspace_id = ${Number(query.workspaceId)}::bigint
              AND c.id = ANY(${bigintArray(query.contactIds)}::bigint[])`,
      );
      return new Map(
        found.map((f) => [
          f.contactId,
          { ...f, quietHours: f.quietHours === null ? null : (parseQuietHours(f.quietHours) ?? null) },
        ]),
      );
    },
  };
}

/** Campaigns of a workspace started on a channel since a time: one count. */
export function createSqlCampaignFacts(db: Db): CampaignFacts {
  return {
    async massSendsSince(query) {
      const [row] = await rows<{ n: number }>(
        db,
        sql`SELECT count(*)::int AS n FROM campaigns
            WHERE workspace_id = ${Number(query.workspaceId)}::bigint
              AND id <> ${Number(query.excludeCampaignId)}::bigint
              AND started_at >= ${query.since.toISOString()}::timestamptz
              AND channel_plan @> ${JSON.stringify([{ channel: query.channel }])}::jsonb`,
      );
      return row?.n ?? 0;
    },
  };
}
