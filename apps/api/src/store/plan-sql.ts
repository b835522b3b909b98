import {
  type CampaignPlan,
  DAY_MS,
  DORMANT_AFTER_DAYS,
  type PlanSummary,
  type SuppressionReason,
} from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { audienceToSql } from './audience-sql.js';

/** The summary's marker for waiting recipients (never a suppression reason). */
const WAITING = '~waiting';

/** `variantBucket` of @qunfa/core, in bigint arithmetic that cannot overflow. */
function bucketSql(seed: number): SQL {
  return sql`((((c.id % 2147483648) * 1640531527 + ${seed}::bigint) % 2147483648) * 10000 / 2147483648)`;
}

/**
 * The first channel of the plan the contact has an identity for and is still reachable through:
 * a contact whose relations on a channel have all ended (an OA follower who unfollowed, every
 * staff member's customer relation deleted) is not; one with none recorded (a CSV contact) is.
 */
function channelIndexSql(plan: CampaignPlan): SQL {
  if (plan.channels.length === 0) return sql`NULL::int`;
  const arms = plan.channels.map((ch, i) => sql`WHEN ${reachableSql(ch)} THEN ${i}::int`);
  return sql`CASE ${sql.join(arms, sql` `)} ELSE NULL END`;
}

/** Contact `c` has an identity for the step's channel and is still reachable through it. */
function reachableSql(ch: CampaignPlan['channels'][number]): SQL {
  return sql`EXISTS (SELECT 1 FROM contact_identities ci WHERE ci.contact_id = c.id AND ci.kind IN (${sql.join(
    ch.identityKinds.map((k) => sql`${k}::text`),
    sql`, `,
  )})) AND (SELECT coalesce(bool_or(cr.removed_by IS NULL), true) FROM contact_reach cr
             WHERE cr.contact_id = c.id AND cr.channel = ${ch.channel})`;
}

/**
 * An all-channels plan: every step the contact is reachable on, in plan order (a resend: only
 * the steps whose message it resends, found on the step's channel or a failover provider).
 */
function channelIndexesSql(plan: CampaignPlan): SQL {
  if (plan.channels.length === 0) return sql`'{}'::int[]`;
  const arms = plan.channels.map((ch, i) => {
    const resent =
      plan.restrictTo && plan.channelMode === 'all'
        ? sql` AND EXISTS (SELECT 1 FROM deliveries sd WHERE ${resendSourcesSql(plan.restrictTo, 'sd')}
               AND sd.contact_id = c.id AND sd.channel IN (${sql.join(
                 [ch.channel, ...(ch.failover ?? [])].map((n) => sql`${n}::text`),
                 sql`, `,
               )}))`
        : sql``;
    return sql`CASE WHEN ${reachableSql(ch)}${resent} THEN ${i}::int END`;
  });
  return sql`array_remove(ARRAY[${sql.join(arms, sql`, `)}], NULL)`;
}

/** A first-channel plan whose steps have a capacity (daily quota left): steps are chosen by room. */
const byRoom = (plan: CampaignPlan) =>
  plan.channelMode !== 'all' &&
  plan.channels.length > 1 &&
  plan.channels.some((c) => c.capacity !== undefined);

/**
 * Each step in plan order takes the recipients it can address that no earlier step took, in
 * recipient order, up to its capacity (`t0`, `t1`… the step taken so far); the same choice as the
 * memory store's recipient by recipient. A recipient no step had room for keeps its first step,
 * where it waits for the quota. `first_idx` keeps the first step, to count who moved.
 */
function roomSql(plan: CampaignPlan): SQL {
  const order = sql`ORDER BY last_active_at DESC NULLS LAST, contact_id`;
  const steps = plan.channels.map((ch, k) => {
    const before = k === 0 ? sql`NULL::int` : sql.raw(`t${k - 1}`);
    const open = sql`(${before} IS NULL AND batched AND ${k}::int = ANY(channel_idxs))`;
    const fits =
      ch.capacity === undefined
        ? sql`TRUE`
        : sql`row_number() OVER (PARTITION BY ${open} ${order}) <= ${ch.capacity}::bigint`;
    const from = k === 0 ? sql`grouped` : sql.raw(`q${k - 1}`);
    return sql`q${sql.raw(String(k))} AS (
      SELECT *, CASE WHEN ${before} IS NOT NULL THEN ${before} WHEN ${open} AND ${fits} THEN ${k}::int END AS ${sql.raw(`t${k}`)}
      FROM ${from})`;
  });
  const last = plan.channels.length - 1;
  return sql`, ${sql.join(steps, sql`, `)}, chosen AS (
      SELECT contact_id, last_active_at, suppression, bucket, kept_variant, sendable, holdout, rest, batched,
             coalesce(${sql.raw(`t${last}`)}, channel_idx) AS channel_idx, channel_idx AS first_idx
      FROM ${sql.raw(`q${last}`)})`;
}

/**
 * The classified audience with its step: as classified (first channel mode; its first reachable
 * step when steps are chosen by room), or a row per step of `channel_idxs` (all channels); a
 * suppressed or unaddressable contact keeps one row.
 */
function stepsSql(plan: CampaignPlan): SQL {
  if (byRoom(plan)) return sql`SELECT *, channel_idxs[1] AS channel_idx FROM classified`;
  if (plan.channelMode !== 'all') return sql`SELECT * FROM classified`;
  return sql`SELECT cl.contact_id, cl.last_active_at, cl.suppression, x.channel_idx, cl.bucket, cl.kept_variant
             FROM classified cl CROSS JOIN LATERAL unnest(
               CASE WHEN cl.suppression IS NULL AND cardinality(cl.channel_idxs) > 0 THEN cl.channel_idxs
                    ELSE ARRAY[cl.channel_idxs[1]] END) AS x(channel_idx)`;
}

function inBucketsSql(range: { fromBucket: number; toBucket: number } | null | undefined): SQL {
  if (!range) return sql`FALSE`;
  return sql`(bucket >= ${range.fromBucket}::int AND bucket < ${range.toBucket}::int)`;
}

/** The variant of a bucket; NULL outside every variant's range (an A/B test's hold-out and rest). */
function variantSql(plan: CampaignPlan): SQL {
  const arms = plan.variants.map((v) => sql`WHEN ${inBucketsSql(v)} THEN ${Number(v.id)}::bigint`);
  return sql`CASE ${sql.join(arms, sql` `)} ELSE NULL END`;
}

/** Dormant at `asOf`: never active, or last active before the dormancy threshold. */
export function dormantSql(asOf: Date): SQL {
  const since = new Date(asOf.getTime() - DORMANT_AFTER_DAYS * DAY_MS);
  // A group has no activity of its own: never dormant.
  return sql`(c.kind = 'person' AND ((c.last_active_at >= ${since.toISOString()}::timestamptz) IS NOT TRUE))`;
}

/**
 * The first of `reasons`, in order, that holds for contact `c`: recorded ones from the
 * suppressions table, `dormant` computed from last activity.
 */
function suppressionSql(reasons: SuppressionReason[], asOf: Date): SQL {
  const recorded = reasons.filter((r) => r !== 'dormant');
  if (recorded.length === 0 && !reasons.includes('dormant')) return sql`NULL::text`;
  const order = sql.join(
    recorded.map((r) => sql`WHEN ${r}::text THEN ${reasons.indexOf(r)}::int`),
    sql` `,
  );
  const first =
    recorded.length === 0
      ? sql`NULL::text`
      : sql`(SELECT s.reason FROM suppressions s WHERE s.contact_id = c.id AND s.reason IN (${sql.join(
          recorded.map((r) => sql`${r}::text`),
          sql`, `,
        )}) ORDER BY CASE s.reason ${order} END LIMIT 1)`;
  if (!reasons.includes('dormant')) return first;
  const dormantRank = reasons.indexOf('dormant');
  const rank = recorded.length === 0 ? sql`NULL::int` : sql`(CASE rec.reason ${order} END)`;
  return sql`(SELECT CASE WHEN rec.reason IS NOT NULL AND ${rank} < ${dormantRank}::int THEN rec.reason
                          WHEN ${dormantSql(asOf)} THEN 'dormant'
                          ELSE rec.reason END
              FROM (SELECT ${first} AS reason) rec)`;
}

/** The source deliveries a resend targets: in the states asked for, not yet resolved. */
function resendSourcesSql(restrict: NonNullable<CampaignPlan['restrictTo']>, alias: string): SQL {
  const d = sql.raw(alias);
  const states = sql.join(
    restrict.states.map((s) => sql`${s}::text`),
    sql`, `,
  );
  const classes = restrict.failureClasses
    ? sql` AND (${d}.state <> 'failed' OR ${d}.failure_class = ANY(${`{${restrict.failureClasses.join(',')}}`}::text[]))`
    : sql``;
  return sql`${d}.campaign_id = ${Number(restrict.campaignId)}::bigint AND ${d}.resolution IS NULL AND ${d}.state IN (${states})${classes}`;
}

/** A resend's recipient keeps its source delivery's variant (as the copy's id); NULL otherwise. */
function keptVariantSql(plan: CampaignPlan): SQL {
  const kept = plan.restrictTo?.variants;
  if (!plan.restrictTo || !kept || kept.length === 0) return sql`NULL::bigint`;
  const arms = kept.map(
    (v) => sql`WHEN ${Number(v.sourceVariantId)}::bigint THEN ${Number(v.variantId)}::bigint`,
  );
  return sql`(SELECT CASE kd.variant_id ${sql.join(arms, sql` `)} END FROM deliveries kd
              WHERE ${resendSourcesSql(plan.restrictTo, 'kd')} AND kd.contact_id = c.id LIMIT 1)`;
}

function restrictionSql(plan: CampaignPlan): SQL {
  const only = plan.onlyContacts
    ? sql`c.id = ANY(${`{${plan.onlyContacts.map(Number).join(',')}}`}::bigint[])`
    : sql`TRUE`;
  if (!plan.restrictTo) return only;
  return sql`${only} AND c.id IN (SELECT rd.contact_id FROM deliveries rd WHERE ${resendSourcesSql(plan.restrictTo, 'rd')})`;
}

/** `dueOffsetMs` of the memory store: a fixed interval, or an even spread over a window. */
function dueOffsetSql(plan: CampaignPlan): SQL {
  if (plan.spreadOverMs === undefined) return sql`(g.seq * ${plan.batchIntervalMs}::bigint)`;
  return sql`(CASE WHEN g.batches <= 1 THEN 0 ELSE (g.seq::bigint * ${plan.spreadOverMs}::bigint) / (g.batches - 1) END)`;
}

function batchSizeSql(plan: CampaignPlan): SQL {
  const arms = plan.channels.map((ch, i) => sql`WHEN ${i}::int THEN ${ch.batchSize}::int`);
  return sql`CASE channel_idx ${sql.join(arms, sql` `)} END`;
}

/**
 * Executes a plan set-based: one statement classifies the whole audience (a row per recipient,
 * or per recipient and channel in an all-channels plan) into a temporary
 * table (bind parameters are not allowed in CREATE TABLE … AS, hence create then insert), one writes the batches and every delivery row, one seeds the counters.
 * The classification is MATERIALIZED: inlined, its per-contact subqueries (identities,
 * suppressions) ran once per reference below, up to four times per contact.
 */
/** `at`: when the plan is executed, on the engine's clock (the rows' created_at and updated_at). */
export async function executePlan(
  tx: Db,
  plan: CampaignPlan,
  at: Date = plan.firstDueAt,
): Promise<PlanSummary> {
  const stamp = at.toISOString();
  const workspaceId = Number(plan.workspaceId);
  const campaignId = Number(plan.campaignId);
  // The classification sorts the whole audience (by last activity, for batches, then by batch):
  // at the default 4 MB it spilled to disk from ~50,000 recipients. This transaction only.
  await tx.execute(sql`SET LOCAL work_mem = '128MB'`);
  await tx.execute(sql`DROP TABLE IF EXISTS qf_plan`);
  await tx.execute(sql`
    CREATE TEMP TABLE qf_plan (contact_id bigint, suppression text, channel_idx int, variant_id bigint, waiting boolean,
                               local_batch bigint, first_idx int)
    ON COMMIT DROP`);
  await tx.execute(sql`
    INSERT INTO qf_plan (contact_id, suppression, channel_idx, variant_id, waiting, local_batch, first_idx)
    WITH classified AS MATERIALIZED (
      SELECT c.id AS contact_id, c.last_active_at,
             ${suppressionSql(plan.suppress, plan.firstDueAt)} AS suppression,
             ${
               plan.channelMode === 'all' || byRoom(plan)
                 ? sql`${channelIndexesSql(plan)} AS channel_idxs`
                 : sql`${channelIndexSql(plan)} AS channel_idx`
             },
             ${bucketSql(plan.variantSeed)} AS bucket,
             ${keptVariantSql(plan)} AS kept_variant
      FROM contacts c
      WHERE c.workspace_id = ${workspaceId}::bigint AND c.merged_into_id IS NULL
        AND ${audienceToSql(plan.audience, plan.firstDueAt)} AND ${restrictionSql(plan)}
    ), stepped AS (
      ${stepsSql(plan)}
    ), eligible AS (
      SELECT *, (suppression IS NULL AND channel_idx IS NOT NULL) AS sendable,
             ${inBucketsSql(plan.abTest?.holdout)} AS holdout, ${inBucketsSql(plan.abTest?.rest)} AS rest
      FROM stepped
    ), grouped AS (
      SELECT *, (sendable AND NOT holdout AND NOT rest) AS batched FROM eligible
    )${byRoom(plan) ? roomSql(plan) : sql``}
    SELECT contact_id,
           CASE WHEN sendable AND holdout THEN 'ab_holdout' ELSE suppression END,
           channel_idx, coalesce(kept_variant, ${variantSql(plan)}) AS variant_id, sendable AND rest,
           CASE WHEN batched THEN
             (row_number() OVER (PARTITION BY batched, channel_idx
                ORDER BY last_active_at DESC NULLS LAST, contact_id) - 1) / ${batchSizeSql(plan)}
           END AS local_batch,
           ${byRoom(plan) ? sql`first_idx` : sql`NULL::int`}
    FROM ${byRoom(plan) ? sql`chosen` : sql`grouped`}`);

  const channelNames = JSON.stringify(plan.channels.map((c) => c.channel));
  const accounts = JSON.stringify(plan.channels.map((c) => c.accounts));
  await tx.execute(sql`
    WITH g AS (
      SELECT channel_idx, local_batch, count(*)::int AS size,
             (row_number() OVER (ORDER BY channel_idx, local_batch) - 1)::int AS seq,
             (count(*) OVER ())::int AS batches
      FROM qf_plan WHERE local_batch IS NOT NULL GROUP BY channel_idx, local_batch
    ), ins AS (
      INSERT INTO batches (workspace_id, campaign_id, channel, account, seq, state, due_at, size, created_at, updated_at)
      SELECT ${workspaceId}::bigint, ${campaignId}::bigint, ${channelNames}::jsonb ->> g.channel_idx,
             CASE WHEN jsonb_array_length(${accounts}::jsonb -> g.channel_idx) > 0
                  THEN (${accounts}::jsonb -> g.channel_idx) ->> (g.local_batch % jsonb_array_length(${accounts}::jsonb -> g.channel_idx))::int
             END,
             g.seq, 'queued',
             ${plan.firstDueAt.toISOString()}::timestamptz + ${dueOffsetSql(plan)} * interval '1 millisecond',
             g.size, ${stamp}::timestamptz, ${stamp}::timestamptz
      FROM g
      RETURNING id, seq
    )
    INSERT INTO deliveries (workspace_id, campaign_id, contact_id, variant_id, channel, batch_id, state, suppression_reason,
                            updated_at)
    SELECT ${workspaceId}::bigint, ${campaignId}::bigint, p.contact_id, p.variant_id,
           ${channelNames}::jsonb ->> p.channel_idx, ins.id,
           CASE WHEN p.local_batch IS NOT NULL THEN 'queued' WHEN p.waiting THEN 'waiting' ELSE 'suppressed' END,
           CASE WHEN p.local_batch IS NULL AND NOT p.waiting THEN coalesce(p.suppression, 'no_address') END,
           ${stamp}::timestamptz
    FROM qf_plan p
    LEFT JOIN g ON g.channel_idx = p.channel_idx AND g.local_batch = p.local_batch
    LEFT JOIN ins ON ins.seq = g.seq`);

  const summaryRows = await rows<{ reason: string | null; n: number; batches: number }>(
    tx,
    sql`SELECT CASE WHEN local_batch IS NOT NULL THEN NULL WHEN waiting THEN ${WAITING}::text
                    ELSE coalesce(suppression, 'no_address') END AS reason,
               count(*)::int AS n,
               count(DISTINCT (channel_idx, local_batch))::int AS batches
        FROM qf_plan GROUP BY 1`,
  );
  const summary: PlanSummary = { total: 0, queued: 0, waiting: 0, suppressed: {}, batches: 0 };
  for (const r of summaryRows) {
    summary.total += r.n;
    if (r.reason === WAITING) summary.waiting = r.n;
    else if (r.reason === null) {
      summary.queued = r.n;
      summary.batches = r.batches;
    } else summary.suppressed[r.reason as SuppressionReason] = r.n;
  }
  if (byRoom(plan)) {
    const moved = await rows<{ from: number; to: number; count: number }>(
      tx,
      sql`SELECT first_idx AS "from", channel_idx AS "to", count(*)::int AS count FROM qf_plan
          WHERE local_batch IS NOT NULL AND channel_idx <> first_idx GROUP BY 1, 2 ORDER BY 1, 2`,
    );
    if (moved.length > 0) {
      summary.movedForQuota = moved.map((m) => ({
        from: plan.channels[m.from]!.channel,
        to: plan.channels[m.to]!.channel,
        count: m.count,
      }));
    }
  }
  const suppressedTotal = summary.total - summary.queued - summary.waiting;
  await tx.execute(sql`
    INSERT INTO campaign_counters (campaign_id, workspace_id, total, queued, waiting, suppressed)
    VALUES (${campaignId}::bigint, ${workspaceId}::bigint, ${summary.total}::int, ${summary.queued}::int,
            ${summary.waiting}::int, ${suppressedTotal}::int)
    ON CONFLICT (campaign_id, shard) DO UPDATE SET total = EXCLUDED.total, queued = EXCLUDED.queued,
      waiting = EXCLUDED.waiting, suppressed = EXCLUDED.suppressed`);
  if (plan.abTest) {
    await tx.execute(sql`
      UPDATE campaigns SET ab_phase = 'testing', ab_decide_at = ${plan.abTest.decideAt.toISOString()}::timestamptz, ab_result = NULL
      WHERE id = ${campaignId}::bigint`);
  }
  await tx.execute(sql`DROP TABLE qf_plan`);
  if (plan.restrictTo)
    await tx.execute(
      sql`UPDATE deliveries d SET resolution = 'resent' WHERE ${resendSourcesSql(plan.restrictTo, 'd')}`,
    );
  return summary;
}

/** How many recipients a plan would queue (not suppressed, addressable), without writing. */
export async function countPlannedRecipients(db: Db, plan: CampaignPlan): Promise<number> {
  const kinds = [...new Set(plan.channels.flatMap((c) => c.identityKinds))];
  if (kinds.length === 0) return 0;
  const recorded = plan.suppress.filter((r) => r !== 'dormant');
  const reasons = recorded.length > 0 ? recorded : ['none'];
  const [row] = await rows<{ n: number }>(
    db,
    sql`SELECT count(*)::int AS n FROM contacts c
        WHERE c.workspace_id = ${Number(plan.workspaceId)}::bigint AND c.merged_into_id IS NULL
          AND ${audienceToSql(plan.audience, plan.firstDueAt)}
          AND ${restrictionSql(plan)}
          AND ${plan.suppress.includes('dormant') ? sql`NOT ${dormantSql(plan.firstDueAt)}` : sql`TRUE`}
          AND NOT EXISTS (SELECT 1 FROM suppressions s WHERE s.contact_id = c.id
                          AND s.reason IN (${sql.join(
                            reasons.map((r) => sql`${r}::text`),
                            sql`, `,
                          )}))
          AND EXISTS (SELECT 1 FROM contact_identities ci WHERE ci.contact_id = c.id
                      AND ci.kind IN (${sql.join(
                        kinds.map((k) => sql`${k}::text`),
                        sql`, `,
                      )}))`,
  );
  return row?.n ?? 0;
}
