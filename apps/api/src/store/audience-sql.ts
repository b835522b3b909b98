import {
  type AttributePredicate,
  type AudienceExpression,
  audienceAsksForGroups,
  DAY_MS,
  type GroupFilter,
  QunfaError,
  type RegionPredicate,
} from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';

function tagIdOf(id: string): number {
  const n = Number(id);
  if (!/^\d{1,15}$/.test(id) || !Number.isSafeInteger(n)) {
    throw new QunfaError('INVALID_INPUT', `tag id "${id}" is not valid`, { details: { field: 'audience' } });
  }
  return n;
}

/** True only when the comparison is true: SQL's NULL must not leak into NOT. */
const isTrue = (predicate: SQL) => sql`((${predicate}) IS TRUE)`;

function regionSql(r: RegionPredicate): SQL {
  const parts: SQL[] = [];
  if (r.province !== undefined) parts.push(isTrue(sql`c.province = ${r.province}::text`));
  if (r.city !== undefined) parts.push(isTrue(sql`c.city = ${r.city}::text`));
  if (r.district !== undefined) parts.push(isTrue(sql`c.district = ${r.district}::text`));
  return parts.length === 0 ? sql`TRUE` : sql`(${sql.join(parts, sql` AND `)})`;
}

/** Attribute predicates over `c.attributes`, with the JSON typing of `matchesAudience`. */
export function attributeSql(p: AttributePredicate): SQL {
  const value = sql`(c.attributes -> ${p.key}::text)`;
  switch (p.op) {
    case 'exists':
      return sql`jsonb_exists(c.attributes, ${p.key}::text)`;
    case 'eq':
      return isTrue(sql`${value} = ${JSON.stringify(p.value)}::jsonb`);
    case 'in':
      return isTrue(
        sql`${value} IN (${sql.join(
          p.values.map((v) => sql`${JSON.stringify(v)}::jsonb`),
          sql`, `,
        )})`,
      );
    default: {
      const op = { gt: sql`>`, gte: sql`>=`, lt: sql`<`, lte: sql`<=` }[p.op];
      return sql`(CASE WHEN jsonb_typeof(${value}) = 'number'
        THEN (c.attributes ->> ${p.key}::text)::numeric ${op} ${JSON.stringify(p.value)}::numeric ELSE FALSE END)`;
    }
  }
}

/** `{ groups }`: group contacts, of any of the owners (a live relation), whose name contains the text. */
export function groupSql(f: GroupFilter): SQL {
  const parts: SQL[] = [sql`c.kind = 'group'`];
  if (f.nameContains !== undefined) parts.push(isTrue(sql`strpos(c.name, ${f.nameContains}::text) > 0`));
  if (f.owners !== undefined)
    parts.push(sql`EXISTS (SELECT 1 FROM contact_reach r WHERE r.contact_id = c.id AND r.removed_by IS NULL
      AND r.account IN (${sql.join(
        f.owners.map((o) => sql`${o}::text`),
        sql`, `,
      )}))`);
  return sql`(${sql.join(parts, sql` AND `)})`;
}

/**
 * Compiles an audience expression into a predicate over `contacts` aliased as `c`, evaluated
 * as of `asOf` (the reference is `matchesAudience` in @qunfa/core). Tags are one `bigint[]`
 * column; a `tagUnder` expands to the tag's subtree in the same statement. An expression that
 * asks for groups selects only group contacts, any other only persons.
 */
export function audienceToSql(expression: AudienceExpression, asOf: Date): SQL {
  const compiled = nodeSql(expression, asOf);
  return sql`(c.kind = ${audienceAsksForGroups(expression) ? 'group' : 'person'}::text AND ${compiled})`;
}

function nodeSql(expression: AudienceExpression, asOf: Date): SQL {
  const e = expression;
  if ('all' in e) return sql`TRUE`;
  if ('groups' in e) return groupSql(e.groups);
  if ('tag' in e) return sql`(c.tag_ids @> ARRAY[${tagIdOf(e.tag)}::bigint])`;
  if ('tagUnder' in e) {
    return sql`(c.tag_ids && ARRAY(WITH RECURSIVE sub(id) AS (
      SELECT ${tagIdOf(e.tagUnder)}::bigint
      UNION SELECT t.id FROM tags t JOIN sub ON t.parent_id = sub.id) SELECT id FROM sub))`;
  }
  if ('region' in e) return regionSql(e.region);
  if ('device' in e) return isTrue(sql`c.device = ${e.device}::text`);
  if ('activeWithinDays' in e) {
    const since = new Date(asOf.getTime() - e.activeWithinDays * DAY_MS);
    return isTrue(sql`c.last_active_at >= ${since.toISOString()}::timestamptz`);
  }
  if ('attribute' in e) return attributeSql(e.attribute);
  if ('and' in e) {
    if (e.and.length === 0) return sql`TRUE`;
    return sql`(${sql.join(
      e.and.map((x) => nodeSql(x, asOf)),
      sql` AND `,
    )})`;
  }
  if ('or' in e) {
    if (e.or.length === 0) return sql`FALSE`;
    return sql`(${sql.join(
      e.or.map((x) => nodeSql(x, asOf)),
      sql` OR `,
    )})`;
  }
  return sql`(NOT ${nodeSql(e.not, asOf)})`;
}
