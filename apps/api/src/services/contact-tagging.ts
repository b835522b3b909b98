import { audienceExpressionSchema, audienceTagIds, QunfaError } from '@qunfa/core';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { type Db, rows } from '../db/database.js';
import { contacts } from '../db/schema/index.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { audienceToSql } from '../store/audience-sql.js';
import { writeAudit } from '../store/audit.js';
import type { ServiceDeps } from './deps.js';
import { requireTags } from './tags.js';
import { parseId, validate } from './validate.js';

/** Adds or removes one tag on the contacts `where` selects (a predicate over `c`); returns their ids. */
async function retag(
  tx: Db,
  workspaceId: number,
  tagId: number,
  tagged: boolean,
  where: ReturnType<typeof sql>,
  now: Date,
) {
  const changed = await rows<{ id: number }>(
    tx,
    tagged
      ? sql`UPDATE contacts c SET tag_ids = array_append(c.tag_ids, ${tagId}::bigint), updated_at = ${now.toISOString()}::timestamptz
            WHERE c.workspace_id = ${workspaceId}::bigint AND c.erased_at IS NULL AND ${where}
              AND NOT c.tag_ids @> ARRAY[${tagId}::bigint] RETURNING c.id`
      : sql`UPDATE contacts c SET tag_ids = array_remove(c.tag_ids, ${tagId}::bigint), updated_at = ${now.toISOString()}::timestamptz
            WHERE c.workspace_id = ${workspaceId}::bigint AND ${where}
              AND c.tag_ids @> ARRAY[${tagId}::bigint] RETURNING c.id`,
  );
  const ids = changed.map((r) => Number(r.id));
  await recordAudienceChanges(tx, workspaceId, ids);
  return ids;
}

/** Tags or untags contacts of the workspace; returns how many changed. */
export async function setTag(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { tagId: string; contactIds: string[]; tagged: boolean },
  /** `group`: customer groups (`tagCustomerGroups`); a person's id is then not found, and the other way round. */
  kind: 'person' | 'group' = 'person',
): Promise<number> {
  const p = authorize(principal, 'write');
  const ids = validate(z.array(z.string()).min(1).max(10_000), input.contactIds);
  const [tagId] = await requireTags(deps, p, [input.tagId]);
  const numeric = [...new Set(ids)].map(parseId);
  const valid = numeric.filter((n): n is number => n !== undefined);
  const owned =
    valid.length === 0
      ? []
      : await deps.db
          .select({ id: contacts.id })
          .from(contacts)
          .where(
            and(
              eq(contacts.workspaceId, p.workspaceId),
              eq(contacts.kind, kind),
              inArray(contacts.id, valid),
            ),
          );
  if (owned.length !== numeric.length) {
    const known = new Set(owned.map((o) => o.id));
    const missing = ids.find((id) => !known.has(parseId(id) ?? -1));
    throw kind === 'group'
      ? new QunfaError('NOT_FOUND', `customer group ${missing} not found`, {
          details: { customerGroupId: missing },
        })
      : new QunfaError('CONTACT_NOT_FOUND', `contact ${missing} not found`, {
          details: { contactId: missing },
        });
  }
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const list = `{${owned.map((o) => o.id).join(',')}}`;
    const changed = await retag(
      tx,
      p.workspaceId,
      tagId!,
      input.tagged,
      sql`c.id = ANY(${list}::bigint[])`,
      deps.clock.now(),
    );
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action:
        kind === 'group'
          ? input.tagged
            ? 'customer_groups.tagged'
            : 'customer_groups.untagged'
          : input.tagged
            ? 'contacts.tagged'
            : 'contacts.untagged',
      subjectType: 'tag',
      subjectId: tagId!,
      details: { count: changed.length },
    });
    return changed.length;
  });
}

/** Tags or untags every contact an audience expression selects, set-based; returns how many changed. */
export async function setTagByAudience(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { tagId: string; audience: unknown; tagged: boolean },
): Promise<number> {
  const p = authorize(principal, 'write');
  const audience = validate(audienceExpressionSchema, input.audience);
  const [tagId] = await requireTags(deps, p, [input.tagId]);
  await requireTags(deps, p, audienceTagIds(audience));
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const where = audienceToSql(audience, deps.clock.now());
    const changed = await retag(tx, p.workspaceId, tagId!, input.tagged, where, deps.clock.now());
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: input.tagged ? 'contacts.tagged_by_audience' : 'contacts.untagged_by_audience',
      subjectType: 'tag',
      subjectId: tagId!,
      details: { count: changed.length, audience },
    });
    return changed.length;
  });
}
