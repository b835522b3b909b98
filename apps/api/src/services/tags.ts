import { QunfaError, type Tag } from '@qunfa/core';
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { rows } from '../db/database.js';
import { tags } from '../db/schema/index.js';
import type { ServiceDeps } from './deps.js';
import { conflictOr, parseId, validate } from './validate.js';

const tagKinds = ['attribute', 'behavioural', 'predicted'] as const;
/** Tags nest at most this deep (a root tag is level 1). */
export const MAX_TAG_DEPTH = 3;
const createTagInput = z.object({
  name: z.string().trim().min(1).max(64),
  parentId: z.string().nullish(),
  kind: z.enum(tagKinds).default('attribute'),
});

const toTag = (row: typeof tags.$inferSelect): Tag & { kind: string; source: string | null } => ({
  id: String(row.id),
  workspaceId: String(row.workspaceId),
  name: row.name,
  parentId: row.parentId === null ? null : String(row.parentId),
  kind: row.kind,
  source: row.source,
});

export async function listTags({ db }: ServiceDeps, principal: Principal | null) {
  const p = authorize(principal, 'read');
  const found = await db.select().from(tags).where(eq(tags.workspaceId, p.workspaceId)).orderBy(asc(tags.id));
  return found.map(toTag);
}

export async function createTag(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'write');
  const data = validate(createTagInput, input);
  const parentId = data.parentId ? (await requireTags(deps, p, [data.parentId]))[0]! : null;
  const [limits] = await rows<{ depth: number; count: number; max: number }>(
    deps.db,
    sql`SELECT (WITH RECURSIVE up(id, parent_id, depth) AS (
                  SELECT id, parent_id, 1 FROM tags WHERE id = ${parentId}::bigint
                  UNION ALL SELECT t.id, t.parent_id, up.depth + 1 FROM tags t JOIN up ON t.id = up.parent_id)
                SELECT coalesce(max(depth), 0) FROM up)::int AS depth,
               (SELECT count(*) FROM tags WHERE workspace_id = ${p.workspaceId}::bigint)::int AS count,
               (SELECT max_tags FROM workspaces WHERE id = ${p.workspaceId}::bigint)::int AS max`,
  );
  if (limits!.depth >= MAX_TAG_DEPTH) {
    throw new QunfaError('INVALID_INPUT', `parentId: tags nest at most ${MAX_TAG_DEPTH} levels`, {
      details: { field: 'parentId' },
    });
  }
  if (limits!.count >= limits!.max) {
    throw new QunfaError('INVALID_INPUT', `the workspace has its ${limits!.max} tags already (max_tags)`, {
      details: { field: 'name', maxTags: limits!.max },
    });
  }
  try {
    const [row] = await deps.db
      .insert(tags)
      .values({
        workspaceId: p.workspaceId,
        name: data.name,
        parentId,
        kind: data.kind,
        createdAt: deps.clock.now(),
      })
      .returning();
    return toTag(row!);
  } catch (error) {
    conflictOr(error, `a tag named "${data.name}" already exists`, { field: 'name' });
  }
}

/** Checks that every tag id belongs to the caller's workspace; returns them as numbers. */
export async function requireTags(deps: ServiceDeps, p: Principal, ids: string[]): Promise<number[]> {
  const valid = [...new Set(ids)].map(parseId).filter((n): n is number => n !== undefined);
  const found =
    valid.length === 0
      ? []
      : await deps.db
          .select({ id: tags.id })
          .from(tags)
          .where(and(eq(tags.workspaceId, p.workspaceId), inArray(tags.id, valid)));
  const known = new Set(found.map((t) => t.id));
  return requireKnownTags(ids, (id) => known.has(id));
}

/**
 * The ids as numbers, when each is one of the workspace's tags by `known`; else TAG_NOT_FOUND
 * naming those that are not (for a caller that holds the workspace's tags already).
 */
export function requireKnownTags(ids: string[], known: (id: number) => boolean): number[] {
  const unique = [...new Set(ids)];
  const numeric = unique.map(parseId);
  const missing = unique.filter((_, i) => numeric[i] === undefined || !known(numeric[i]!));
  if (missing.length > 0) {
    throw new QunfaError('TAG_NOT_FOUND', `tag ${missing[0]} not found`, { details: { tagIds: missing } });
  }
  return numeric.filter((n): n is number => n !== undefined);
}
