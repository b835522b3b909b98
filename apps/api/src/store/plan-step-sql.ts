import { type SQL, sql } from 'drizzle-orm';

/**
 * `planStepIndexOf` in SQL: the position (0 first) of the plan step that serves `channel`, as its
 * primary or a failover provider, in a campaign's `channel_plan`; 0 in an all-channels campaign
 * and when no step serves it.
 */
export function planStepIndexSql(channel: SQL, plan: SQL, mode: SQL): SQL {
  return sql`(CASE WHEN ${mode} = 'all' THEN 0 ELSE coalesce(
    (SELECT s.i - 1 FROM jsonb_array_elements(${plan}) WITH ORDINALITY AS s(step, i)
     WHERE s.step->>'channel' = ${channel} OR s.step->'failover' @> jsonb_build_array(${channel})
     ORDER BY s.i LIMIT 1), 0) END)::int`;
}

/** The step of the batch row aliased `alias`, read from its campaign: for a RETURNING clause. */
export function batchStepSql(alias: string): SQL {
  const b = sql.raw(alias);
  return sql`(SELECT ${planStepIndexSql(sql`${b}.channel`, sql`k.channel_plan`, sql`k.channel_mode`)}
              FROM campaigns k WHERE k.id = ${b}.campaign_id)`;
}
