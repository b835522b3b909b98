/**
 * Who receives a campaign: tags combined with AND / OR / NOT.
 * `{ all: true }` is the whole workspace. Attribute predicates come with the audience issue.
 */
export type AudienceExpression =
  | { all: true }
  | { tag: string }
  | { and: AudienceExpression[] }
  | { or: AudienceExpression[] }
  | { not: AudienceExpression };

/** Evaluates an expression against one contact's tag ids: the reference semantics. */
export function matchesAudience(expression: AudienceExpression, tagIds: ReadonlySet<string>): boolean {
  if ('all' in expression) return true;
  if ('tag' in expression) return tagIds.has(expression.tag);
  if ('and' in expression) return expression.and.every((e) => matchesAudience(e, tagIds));
  if ('or' in expression) return expression.or.some((e) => matchesAudience(e, tagIds));
  return !matchesAudience(expression.not, tagIds);
}

/** The tag ids an expression mentions, for validating that they exist in the workspace. */
export function audienceTagIds(expression: AudienceExpression): string[] {
  if ('all' in expression) return [];
  if ('tag' in expression) return [expression.tag];
  if ('and' in expression) return expression.and.flatMap(audienceTagIds);
  if ('or' in expression) return expression.or.flatMap(audienceTagIds);
  return audienceTagIds(expression.not);
}
