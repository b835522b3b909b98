import { sql } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import { type Db, rows } from '../../db/database.js';
import { requireCampaign } from '../campaigns.js';
import type { ServiceDeps } from '../deps.js';
import { archivedSummary } from '../retention/archived-summary.js';

/** A campaign's opens on one channel: e-mail's by its open pixel, others' by their read receipts. */
export interface OpensRow {
  channel: string;
  /** Deliveries that reached the provider (sent or further). */
  reached: number;
  /** Of those, opened: read or clicked (a click implies an open). */
  opened: number;
  /** opened / reached in percent; null while nothing reached. */
  openRate: number | null;
  /** Mean time from the send to the first open (read or click event), over the opens timed; null without one. */
  averageMsToOpen: number | null;
  /** Opens with a recorded send before them, which the mean is over. */
  timedOpens: number;
}

/**
 * Opens per channel of a campaign, read from its deliveries and their first `read`/`clicked`
 * event (the pixel's first load, a channel's read receipt or a tracked click). The send time is
 * the delivery's last `sent` attempt on that channel, read only for opened deliveries.
 */
export async function campaignOpens(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
): Promise<OpensRow[]> {
  const campaign = await requireCampaign(deps.db, authorize(principal, 'read'), campaignId);
  const archived = await archivedSummary(deps.db, campaign.id);
  if (archived) return archived.opens ?? [];
  return opensRows(deps.db, Number(campaign.id));
}

/** The opens from the campaign's hot rows (what an archive keeps in its summary). */
export async function opensRows(db: Db, id: number): Promise<OpensRow[]> {
  const found = await rows<Omit<OpensRow, 'openRate'>>(
    db,
    sql`WITH firsts AS (
          SELECT e.delivery_id, min(e.at) AS opened_at FROM events e
          WHERE e.campaign_id = ${id} AND e.type IN ('delivery.read', 'delivery.clicked')
          GROUP BY e.delivery_id
        ),
        timed AS (
          SELECT f.delivery_id, f.opened_at - s.sent_at AS took
          FROM firsts f JOIN deliveries d ON d.id = f.delivery_id
          CROSS JOIN LATERAL (SELECT max(a.at) AS sent_at FROM delivery_attempts a
                              WHERE a.delivery_id = d.id AND a.channel = d.channel AND a.status = 'sent') s
          WHERE s.sent_at IS NOT NULL AND f.opened_at >= s.sent_at
        )
        SELECT d.channel,
               count(*) FILTER (WHERE d.state IN ('sent', 'delivered', 'read', 'clicked'))::int AS reached,
               count(*) FILTER (WHERE d.state IN ('read', 'clicked'))::int AS opened,
               (avg(extract(epoch FROM t.took)) * 1000)::float8 AS "averageMsToOpen",
               count(t.took)::int AS "timedOpens"
        FROM deliveries d LEFT JOIN timed t ON t.delivery_id = d.id
        WHERE d.campaign_id = ${id} AND d.channel IS NOT NULL
        GROUP BY d.channel ORDER BY d.channel`,
  );
  return found.map((r) => ({
    ...r,
    averageMsToOpen: r.averageMsToOpen === null ? null : Math.round(r.averageMsToOpen),
    openRate: r.reached === 0 ? null : (100 * r.opened) / r.reached,
  }));
}
