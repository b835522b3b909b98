import { type AudienceExpression, QunfaError } from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';

/** Compiles an audience expression into a predicate over `contacts` aliased as `c`. */
export function audienceToSql(expression: AudienceExpression): SQL {
  if ('all' in expression) return sql`TRUE`;
  if ('tag' in expression) {
    const tagId = Number(expression.tag);
    if (!Number.isSafeInteger(tagId)) {
      throw new QunfaError('INVALID_INPUT', `tag id "${expression.tag}" is not valid`, {
        details: { field: 'audience' },
      });
    }
    return sql`EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = c.id AND ct.tag_id = ${tagId}::bigint)`;
  }
  if ('and' in expression) {
    if (expression.and.length === 0) return sql`TRUE`;
    return sql`(${sql.join(expression.and.map(audienceToSql), sql` AND `)})`;
  }
  if ('or' in expression) {
    if (expression.or.length === 0) return sql`FALSE`;
    return sql`(${sql.join(expression.or.map(audienceToSql), sql` OR `)})`;
  }
  return sql`NOT (${audienceToSql(expression.not)})`;
}
