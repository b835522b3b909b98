import type { FeedbackCounts } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import type { SenderGroup } from '../campaign-breakdown.js';
import type { CostGroup } from '../cost/campaign-cost.js';
import type { FunnelRow } from '../metrics/funnel.js';
import type { OpensRow } from '../metrics/opens.js';

/** What a campaign's views read from its deliveries, kept when they leave the hot tables. */
export interface ArchiveSummary {
  funnel: FunnelRow[];
  costGroups: CostGroup[];
  senderGroups: SenderGroup[];
  feedback: FeedbackCounts;
  /** Absent in archives written before opens were kept. */
  opens?: OpensRow[];
}

/**
 * The summary of a campaign whose deliveries are archived (or being removed), or undefined when
 * its rows are in the hot tables (never archived, or re-imported).
 */
export async function archivedSummary(
  db: Pick<Db, 'execute'>,
  campaignId: string | number,
): Promise<ArchiveSummary | undefined> {
  const [found] = await rows<{ summary: ArchiveSummary }>(
    db,
    sql`SELECT summary FROM campaign_archives
        WHERE campaign_id = ${Number(campaignId)} AND state IN ('deleting', 'archived')`,
  );
  return found?.summary;
}

/** What a campaign's archive row says, for its GraphQL field. */
export interface CampaignArchive {
  state: 'deleting' | 'archived' | 'restored';
  path: string;
  deliveries: number;
  attempts: number;
  events: number;
  sha256: string;
  archivedAt: Date;
  restoredAt: Date | null;
}

export async function campaignArchive(
  db: Pick<Db, 'execute'>,
  campaignId: string | number,
): Promise<CampaignArchive | null> {
  const [found] = await rows<
    Omit<CampaignArchive, 'archivedAt' | 'restoredAt'> & { a: number; r: number | null }
  >(
    db,
    sql`SELECT state, path, deliveries, attempts, events, sha256,
               (extract(epoch FROM archived_at) * 1000)::float8 AS a,
               (extract(epoch FROM restored_at) * 1000)::float8 AS r
        FROM campaign_archives WHERE campaign_id = ${Number(campaignId)}`,
  );
  if (!found) return null;
  const { a, r, ...rest } = found;
  return { ...rest, archivedAt: new Date(a), restoredAt: r === null ? null : new Date(r) };
}
