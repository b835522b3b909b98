import { sql } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { type Db, rows } from '../../db/database.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';
import { archivedSummary } from '../retention/archived-summary.js';

/** One row of a campaign's funnel; each stage counts recipients (people) who got at least that far. */
export interface FunnelRow {
  /** Null in the campaign's total and its per-channel rows. */
  variantKey: string | null;
  /** Null in the campaign's total and its per-variant rows. */
  channel: string | null;
  sent: number;
  delivered: number;
  opened: number;
  clicked: number;
  converted: number;
}

/**
 * sent → delivered → opened → clicked → converted, for the campaign, each variant, each channel
 * and each variant on each channel (GROUPING SETS): a recipient counts in every stage up to the
 * state their delivery is in (a click was delivered and opened), a conversion once. A person an
 * all-channels campaign reached on two channels counts once in the campaign's and variant's rows
 * (at the furthest stage any of their deliveries got to), and once in each channel's row.
 */
export async function campaignFunnel(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<FunnelRow[]> {
  const campaign = await requireCampaign(deps.db, authorize(principal, 'read'), campaignId);
  const archived = await archivedSummary(deps.db, campaign.id);
  return archived ? archived.funnel : funnelRows(deps.db, Number(campaign.id));
}

/** The funnel from the campaign's deliveries (what an archive keeps in its summary). */
export async function funnelRows(db: Db, id: number): Promise<FunnelRow[]> {
  const found = await rows<FunnelRow & { byVariant: number; byChannel: number }>(
    db,
    sql`SELECT v.key AS "variantKey", d.channel,
               GROUPING(v.key)::int AS "byVariant", GROUPING(d.channel)::int AS "byChannel",
               count(DISTINCT d.contact_id) FILTER (WHERE d.state IN ('sent', 'delivered', 'read', 'clicked'))::int AS sent,
               count(DISTINCT d.contact_id) FILTER (WHERE d.state IN ('delivered', 'read', 'clicked'))::int AS delivered,
               count(DISTINCT d.contact_id) FILTER (WHERE d.state IN ('read', 'clicked'))::int AS opened,
               count(DISTINCT d.contact_id) FILTER (WHERE d.state = 'clicked')::int AS clicked,
               count(DISTINCT d.contact_id) FILTER (WHERE EXISTS (SELECT 1 FROM conversions x
                                              WHERE x.campaign_id = ${id} AND x.delivery_id = d.id))::int AS converted
        FROM deliveries d LEFT JOIN variants v ON v.id = d.variant_id
        WHERE d.campaign_id = ${id} AND d.channel IS NOT NULL AND d.variant_id IS NOT NULL
        GROUP BY GROUPING SETS ((), (v.key), (d.channel), (v.key, d.channel))
        ORDER BY GROUPING(v.key) DESC, GROUPING(d.channel) DESC, v.key, d.channel`,
  );
  return found.map(({ byVariant, byChannel, ...row }) => ({
    ...row,
    variantKey: byVariant ? null : row.variantKey,
    channel: byChannel ? null : row.channel,
  }));
}
