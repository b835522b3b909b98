import {
  type AbTestPhase,
  type AbTestState,
  type Campaign,
  type CampaignState,
  parseQuietHours,
} from '@qunfa/core';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { campaigns, variants } from '../db/schema/index.js';

type CampaignRow = typeof campaigns.$inferSelect;
type VariantRow = typeof variants.$inferSelect;

function abStateOf(row: CampaignRow): AbTestState | null {
  if (row.abPhase === null || row.abDecideAt === null) return null;
  const result = row.abResult;
  return {
    phase: row.abPhase as AbTestPhase,
    decideAt: row.abDecideAt,
    comparison: result?.comparison ?? null,
    recommendedVariantId: result?.recommendedVariantId ?? null,
    winnerVariantId: result?.winnerVariantId ?? null,
    decidedBy: result?.decidedBy ?? null,
    decidedAt: result?.decidedAt ? new Date(result.decidedAt) : null,
  };
}

export function toCampaign(row: CampaignRow, variantRows: VariantRow[]): Campaign {
  return {
    id: String(row.id),
    workspaceId: String(row.workspaceId),
    name: row.name,
    state: row.state as CampaignState,
    audience: row.audience,
    variants: variantRows.map((v) => ({
      id: String(v.id),
      key: v.key,
      weight: v.weight,
      content: v.content,
      ...(Object.keys(v.channelContent ?? {}).length > 0 ? { channelContent: v.channelContent } : {}),
    })),
    channelPlan: row.channelPlan,
    channelMode: row.channelMode,
    retryPolicy: row.retryPolicy,
    scheduledAt: row.scheduledAt,
    batchIntervalMs: row.batchIntervalMs,
    sendWindowMs: row.sendWindowMs,
    excludeDormant: row.excludeDormant,
    quietHours: row.quietHours === null ? null : (parseQuietHours(row.quietHours) ?? null),
    segmentId: row.segmentId === null ? null : String(row.segmentId),
    resendOf: row.resendOf ?? null,
    schedule: row.schedule ?? null,
    nextRunAt: row.nextRunAt,
    runOf:
      row.runOfId === null || row.runKey === null
        ? null
        : {
            campaignId: String(row.runOfId),
            key: row.runKey,
            ...(row.runContactIds ? { contactIds: row.runContactIds } : {}),
          },
    abTest: row.abTest ?? null,
    abState: abStateOf(row),
    ...(row.openPixel ? { openPixel: true } : {}),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
  };
}

/** Loads campaigns with their variants in two queries, in the order of `rows`. */
export async function withVariants(db: Db, rows: CampaignRow[]): Promise<Campaign[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const all = await db
    .select()
    .from(variants)
    .where(inArray(variants.campaignId, ids))
    .orderBy(asc(variants.id));
  return rows.map((r) =>
    toCampaign(
      r,
      all.filter((v) => v.campaignId === r.id),
    ),
  );
}

/**
 * One campaign with its variants. Every claim of a batch loads its campaign, so both reads are
 * named prepared statements (drizzle's `prepare`: postgres.js keeps one per text and
 * connection; the name given is not used): sent unnamed, each was parsed and planned again,
 * ~0.4 ms of server CPU a read (bench/pipeline, `BENCH_PG_SET=log_statement_stats=on`).
 */
export async function loadCampaign(db: Db, campaignId: number): Promise<Campaign | undefined> {
  const [found, all] = await Promise.all([
    db.select().from(campaigns).where(eq(campaigns.id, campaignId)).prepare('load_campaign').execute(),
    db
      .select()
      .from(variants)
      .where(eq(variants.campaignId, campaignId))
      .orderBy(asc(variants.id))
      .prepare('load_campaign_variants')
      .execute(),
  ]);
  const [row] = found;
  return row ? toCampaign(row, all) : undefined;
}
