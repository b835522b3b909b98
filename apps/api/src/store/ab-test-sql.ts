import {
  type AbDecision,
  type Campaign,
  type Counters,
  counterFor,
  type DeliveryState,
  emptyCounters,
  type FailureClass,
  QunfaError,
  type RestPacing,
} from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows, rows } from '../db/database.js';
import type { AbResult } from '../db/schema/campaign.js';
import { writeAudit } from './audit.js';
import { loadCampaign } from './campaign-mapper.js';
import { CounterDelta } from './counters-sql.js';

/** Running campaigns whose A/B test is testing and due for its decision (every tick: prepared). */
export async function abTestsDue(db: Db, now: Date, limit: number) {
  const due = await preparedRows<{ id: string; workspace_id: string }>(
    db,
    sql`SELECT id::text, workspace_id::text FROM campaigns
        WHERE ab_phase = 'testing' AND ab_decide_at <= ${now.toISOString()}::timestamptz AND state = 'running'
        ORDER BY ab_decide_at LIMIT ${limit}`,
  );
  return due.map((r) => ({ workspaceId: r.workspace_id, campaignId: r.id }));
}

/** Per-variant counters of a campaign's deliveries and its hold-out, in one GROUP BY. */
export async function abTestCounts(db: Db, campaignId: number) {
  const grouped = await rows<{
    variant_id: string | null;
    state: DeliveryState;
    failure_class: FailureClass | null;
    n: number;
    held_out: number;
  }>(
    db,
    sql`SELECT variant_id::text, state, failure_class, count(*)::int AS n,
               (count(*) FILTER (WHERE suppression_reason = 'ab_holdout'))::int AS held_out
        FROM deliveries WHERE campaign_id = ${campaignId}::bigint
        GROUP BY variant_id, state, failure_class`,
  );
  const byVariant = new Map<string, Counters>();
  let holdout = 0;
  for (const g of grouped) {
    holdout += g.held_out;
    if (g.variant_id === null) continue;
    const counters = byVariant.get(g.variant_id) ?? emptyCounters();
    byVariant.set(g.variant_id, counters);
    counters.total += g.n;
    counters[counterFor(g.state)] += g.n;
    if (g.state === 'failed' && g.failure_class) counters.failedByClass[g.failure_class] += g.n;
  }
  return { variants: [...byVariant].map(([variantId, counters]) => ({ variantId, counters })), holdout };
}

/** The batches' due offset, as a plan paces them: a fixed interval, or an even spread over a window. */
function dueOffsetSql(pacing: RestPacing) {
  if (pacing.spreadOverMs === undefined) return sql`(g.n * ${pacing.batchIntervalMs}::bigint)`;
  return sql`(CASE WHEN g.batches <= 1 THEN 0 ELSE (g.n::bigint * ${pacing.spreadOverMs}::bigint) / (g.batches - 1) END)`;
}

/**
 * Gives the waiting rest the winner and its batches, set-based: by channel in plan order, most
 * recently active first, cut by batch size, seq after the campaign's last batch. Returns the
 * deliveries released and the batches made.
 */
async function releaseRest(
  tx: Db,
  campaign: { id: number; workspaceId: number },
  variantId: number,
  pacing: RestPacing,
  at: Date,
): Promise<{ released: number; batches: number }> {
  const [last] = await rows<{ seq: number }>(
    tx,
    sql`SELECT coalesce(max(seq), -1)::int AS seq FROM batches WHERE campaign_id = ${campaign.id}::bigint`,
  );
  const seqFrom = (last?.seq ?? -1) + 1;
  const channels = JSON.stringify(pacing.channels);
  await tx.execute(sql`DROP TABLE IF EXISTS qf_rest`);
  await tx.execute(
    sql`CREATE TEMP TABLE qf_rest (delivery_id bigint, channel_idx int, local_batch bigint) ON COMMIT DROP`,
  );
  await tx.execute(sql`
    INSERT INTO qf_rest (delivery_id, channel_idx, local_batch)
    SELECT d.id, (ch.ord - 1)::int,
           (row_number() OVER (PARTITION BY ch.ord ORDER BY c.last_active_at DESC NULLS LAST, d.contact_id) - 1)
             / greatest(1, (ch.spec ->> 'batchSize')::int)
    FROM deliveries d
    JOIN contacts c ON c.id = d.contact_id
    JOIN jsonb_array_elements(${channels}::jsonb) WITH ORDINALITY AS ch(spec, ord) ON ch.spec ->> 'channel' = d.channel
    WHERE d.campaign_id = ${campaign.id}::bigint AND d.state = 'waiting'`);
  const [made] = await rows<{ released: number; batches: number }>(
    tx,
    sql`
    WITH g AS (
      SELECT channel_idx, local_batch, count(*)::int AS size,
             (row_number() OVER (ORDER BY channel_idx, local_batch) - 1)::int AS n,
             (count(*) OVER ())::int AS batches
      FROM qf_rest GROUP BY channel_idx, local_batch
    ), ins AS (
      INSERT INTO batches (workspace_id, campaign_id, channel, account, seq, state, due_at, size, created_at, updated_at)
      SELECT ${campaign.workspaceId}::bigint, ${campaign.id}::bigint, (${channels}::jsonb -> g.channel_idx) ->> 'channel',
             CASE WHEN jsonb_array_length((${channels}::jsonb -> g.channel_idx) -> 'accounts') > 0
                  THEN ((${channels}::jsonb -> g.channel_idx) -> 'accounts')
                       ->> (g.local_batch % jsonb_array_length((${channels}::jsonb -> g.channel_idx) -> 'accounts'))::int
             END,
             ${seqFrom}::int + g.n, 'queued',
             ${pacing.firstDueAt.toISOString()}::timestamptz + ${dueOffsetSql(pacing)} * interval '1 millisecond',
             g.size, ${at.toISOString()}::timestamptz, ${at.toISOString()}::timestamptz
      FROM g
      RETURNING id, seq
    ), upd AS (
      UPDATE deliveries d SET state = 'queued', variant_id = ${variantId}::bigint, batch_id = ins.id,
                              updated_at = ${at.toISOString()}::timestamptz
      FROM qf_rest r
      JOIN g ON g.channel_idx = r.channel_idx AND g.local_batch = r.local_batch
      JOIN ins ON ins.seq = ${seqFrom}::int + g.n
      WHERE d.id = r.delivery_id
      RETURNING d.id
    )
    SELECT (SELECT count(*) FROM upd)::int AS released, (SELECT count(*) FROM ins)::int AS batches`,
  );
  await tx.execute(sql`DROP TABLE qf_rest`);
  return { released: made?.released ?? 0, batches: made?.batches ?? 0 };
}

/**
 * Records an A/B test's outcome and releases the rest to a winner, in one transaction. The
 * compare-and-set on `ab_phase` (a row lock held to commit) makes a second decision — another
 * worker, a retried mutation — fail with ILLEGAL_TRANSITION instead of sending the rest twice.
 */
export function decideAbTest(db: Db, d: AbDecision): Promise<{ campaign: Campaign; batches: number }> {
  const id = Number(d.campaignId);
  const workspaceId = Number(d.workspaceId);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const winner = d.winner;
    const result: AbResult = {
      comparison: d.comparison,
      recommendedVariantId: d.recommendedVariantId,
      winnerVariantId: winner?.variantId ?? null,
      decidedBy: winner ? d.actor : null,
      decidedAt: winner ? d.at.toISOString() : null,
    };
    const updated = await rows<{ id: string }>(
      tx,
      sql`UPDATE campaigns SET ab_phase = ${winner ? 'decided' : 'awaiting_decision'}, ab_result = ${JSON.stringify(result)}::jsonb,
                               updated_at = ${d.at.toISOString()}::timestamptz
          WHERE id = ${id}::bigint AND workspace_id = ${workspaceId}::bigint AND ab_phase = ${d.from}
            ${winner ? sql`AND state IN ('running', 'paused')` : sql``}
          RETURNING id::text`,
    );
    if (updated.length === 0) {
      const current = await loadCampaign(tx, id);
      if (!current || current.workspaceId !== d.workspaceId) {
        throw new QunfaError('CAMPAIGN_NOT_FOUND', `campaign ${d.campaignId} not found`);
      }
      throw new QunfaError(
        'ILLEGAL_TRANSITION',
        `the A/B test is ${current.abState?.phase ?? 'not started'} and the campaign ${current.state}`,
        { details: { phase: current.abState?.phase ?? null, expected: d.from, state: current.state } },
      );
    }
    let batches = 0;
    if (winner) {
      const [variant] = await rows<{ id: string }>(
        tx,
        sql`SELECT id::text FROM variants WHERE id = ${Number(winner.variantId) || -1}::bigint AND campaign_id = ${id}::bigint`,
      );
      if (!variant) {
        throw new QunfaError('INVALID_INPUT', `variant ${winner.variantId} is not one of the campaign's`, {
          details: { field: 'variantId' },
        });
      }
      const released = await releaseRest(tx, { id, workspaceId }, Number(variant.id), winner.pacing, d.at);
      batches = released.batches;
      const delta = new CounterDelta();
      delta.add({ state: 'waiting' }, -released.released);
      delta.add({ state: 'queued' }, released.released);
      await delta.apply(tx, { id, workspaceId }, 0);
    }
    await writeAudit(tx, {
      workspaceId,
      actor: d.actor,
      action: winner ? 'campaign.ab_decided' : 'campaign.ab_awaiting_decision',
      subjectType: 'campaign',
      subjectId: d.campaignId,
      details: {
        winnerVariantId: winner?.variantId ?? null,
        recommendedVariantId: d.recommendedVariantId,
        pValue: d.comparison.pValue,
        batches,
      },
      at: d.at,
    });
    return { campaign: (await loadCampaign(tx, id))!, batches };
  });
}
