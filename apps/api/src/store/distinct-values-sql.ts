import type { CampaignPlan } from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import { audienceToSql } from './audience-sql.js';

/** The SQL of a template variable over contacts `c`: `name` or `attributes.<path>`. */
function variableSql(variable: string): SQL | undefined {
  if (variable === 'name') return sql`c.name`;
  const path = /^attributes\.(.+)$/.exec(variable)?.[1];
  if (!path) return undefined;
  return sql`c.attributes #>> ${`{${path.split('.').join(',')}}`}::text[]`;
}

/**
 * Each variable's distinct values over the campaign's audience, one query per variable and
 * at most `limit` values each: content is checked once per value, never per recipient.
 */
export async function distinctValues(
  db: Db,
  plan: Pick<CampaignPlan, 'workspaceId' | 'audience' | 'firstDueAt'>,
  variables: string[],
  limit: number,
): Promise<Record<string, string[]>> {
  const values: Record<string, string[]> = {};
  for (const variable of variables) {
    const column = variableSql(variable);
    if (!column) continue;
    const found = await rows<{ v: string }>(
      db,
      sql`SELECT DISTINCT ${column} AS v FROM contacts c
          WHERE c.workspace_id = ${Number(plan.workspaceId)}::bigint AND c.merged_into_id IS NULL
            AND ${audienceToSql(plan.audience, plan.firstDueAt)}
            AND ${column} IS NOT NULL AND ${column} <> ''
          LIMIT ${limit}`,
    );
    values[variable] = found.map((r) => r.v);
  }
  return values;
}
