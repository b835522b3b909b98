import { type AudienceExpression, audienceExpressionSchema, audienceTagIds, QunfaError } from '@qunfa/core';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { segments } from '../db/schema/index.js';
import { followSegment } from './campaign-edits.js';
import type { ServiceDeps } from './deps.js';
import { requireSegment } from './segment-lookup.js';
import { requireTags } from './tags.js';
import { conflictOr, parseId, validate } from './validate.js';

export interface Segment {
  id: string;
  name: string;
  audience: AudienceExpression;
  updatedAt: Date;
}

const segmentInput = z.object({
  name: z.string().trim().min(1).max(100),
  audience: audienceExpressionSchema,
});

const toSegment = (r: typeof segments.$inferSelect): Segment => ({
  id: String(r.id),
  name: r.name,
  audience: r.expression,
  updatedAt: r.updatedAt,
});

export async function listSegments(deps: ServiceDeps, principal: Principal | null): Promise<Segment[]> {
  const p = authorize(principal, 'read');
  const found = await deps.db
    .select()
    .from(segments)
    .where(eq(segments.workspaceId, p.workspaceId))
    .orderBy(asc(segments.id));
  return found.map(toSegment);
}

/** A segment of the principal's workspace, or null (gone, or another workspace's). */
export async function findSegment(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
): Promise<Segment | null> {
  const p = authorize(principal, 'read');
  const n = parseId(id);
  if (n === undefined) return null;
  const [row] = await deps.db
    .select()
    .from(segments)
    .where(and(eq(segments.id, n), eq(segments.workspaceId, p.workspaceId)));
  return row ? toSegment(row) : null;
}

/**
 * Saves a named audience expression. Re-aiming a segment carries the campaigns that follow it
 * and have not started (see `followSegment`); started campaigns keep their audience.
 */
export async function saveSegment(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { id?: string | null; name: unknown; audience: unknown },
): Promise<Segment> {
  const p = authorize(principal, 'write');
  const data = validate(segmentInput, { name: input.name, audience: input.audience });
  await requireTags(deps, p, audienceTagIds(data.audience));
  try {
    if (input.id) {
      const id = parseId(input.id);
      const before = id === undefined ? undefined : await requireSegment(deps.db, p, input.id);
      const [row] =
        id === undefined
          ? []
          : await deps.db
              .update(segments)
              .set({ name: data.name, expression: data.audience, updatedAt: new Date() })
              .where(and(eq(segments.id, id), eq(segments.workspaceId, p.workspaceId)))
              .returning();
      if (!row || !before)
        throw new QunfaError('NOT_FOUND', `segment ${input.id} not found`, {
          details: { segmentId: input.id },
        });
      if (JSON.stringify(before.audience) !== JSON.stringify(data.audience)) {
        await followSegment(deps, p, row.id, data.audience);
      }
      return toSegment(row);
    }
    const [row] = await deps.db
      .insert(segments)
      .values({ workspaceId: p.workspaceId, name: data.name, expression: data.audience })
      .returning();
    return toSegment(row!);
  } catch (error) {
    conflictOr(error, `a segment named "${data.name}" already exists`, { field: 'name' });
  }
}
