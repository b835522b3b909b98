import { QunfaError } from '@qunfa/core';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { type Db, rows } from '../db/database.js';
import { contacts } from '../db/schema/index.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { writeAudit } from '../store/audit.js';
import { hydrate } from './contact-rows.js';
import { requireContact } from './contacts.js';
import type { ServiceDeps } from './deps.js';
import { validate } from './validate.js';

const mergeInput = z.object({ into: z.string(), from: z.array(z.string()).min(1).max(50) });

/**
 * Folds contacts into one (e.g. two records of a person sharing a unionid or phone): the
 * target keeps its values and gains the others' identities, tags, missing fields, attributes
 * it lacks, suppressions and deliveries. A merged contact is deleted, or kept as an empty row
 * out of every audience when the target already had a delivery of the same campaign.
 */
export async function mergeContacts(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'write');
  const data = validate(mergeInput, input);
  const into = await requireContact(deps.db, p, data.into);
  const from: Awaited<ReturnType<typeof requireContact>>[] = [];
  for (const id of new Set(data.from)) from.push(await requireContact(deps.db, p, id));
  const bad =
    from.find((c) => c.id === into.id || c.erasedAt || c.mergedIntoId) ??
    (into.erasedAt || into.mergedIntoId ? into : undefined);
  if (bad) {
    throw new QunfaError(
      'INVALID_INPUT',
      `from: contact ${bad.id} cannot be merged (the target itself, erased or merged)`,
      {
        details: { field: bad === into ? 'into' : 'from', contactId: String(bad.id) },
      },
    );
  }
  const list = sql`${`{${from.map((c) => c.id).join(',')}}`}::bigint[]`;
  const target = sql`${into.id}::bigint`;
  const now = deps.clock.now();
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.execute(sql`UPDATE contacts c SET
        name = coalesce(c.name, f.name), region = coalesce(c.region, f.region),
        province = coalesce(c.province, f.province), city = coalesce(c.city, f.city),
        district = coalesce(c.district, f.district), device = coalesce(c.device, f.device),
        tag_ids = ARRAY(SELECT DISTINCT u FROM unnest(c.tag_ids || f.tag_ids) u ORDER BY u),
        attributes = f.attributes || c.attributes,
        last_active_at = greatest(c.last_active_at, f.last_active_at), updated_at = ${now.toISOString()}::timestamptz
      FROM (SELECT (array_agg(name ORDER BY id) FILTER (WHERE name IS NOT NULL))[1] AS name,
                   (array_agg(region ORDER BY id) FILTER (WHERE region IS NOT NULL))[1] AS region,
                   (array_agg(province ORDER BY id) FILTER (WHERE province IS NOT NULL))[1] AS province,
                   (array_agg(city ORDER BY id) FILTER (WHERE city IS NOT NULL))[1] AS city,
                   (array_agg(district ORDER BY id) FILTER (WHERE district IS NOT NULL))[1] AS district,
                   (array_agg(device ORDER BY id) FILTER (WHERE device IS NOT NULL))[1] AS device,
                   ARRAY(SELECT DISTINCT u FROM contacts x, unnest(x.tag_ids) u WHERE x.id = ANY(${list})) AS tag_ids,
                   (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM (SELECT DISTINCT ON (e.key) e.key AS k, e.value AS v
                      FROM contacts x, jsonb_each(x.attributes) e WHERE x.id = ANY(${list}) ORDER BY e.key, x.id) a) AS attributes,
                   max(last_active_at) AS last_active_at
            FROM contacts WHERE id = ANY(${list})) f
      WHERE c.id = ${target}`);
    await tx.execute(
      sql`UPDATE contact_identities SET contact_id = ${target} WHERE contact_id = ANY(${list})`,
    );
    await tx.execute(sql`INSERT INTO contact_reach (workspace_id, contact_id, channel, account, added_at, remark, removed_by, updated_at)
      SELECT workspace_id, ${target}, channel, account, added_at, remark, removed_by, updated_at
      FROM contact_reach WHERE contact_id = ANY(${list}) ON CONFLICT DO NOTHING`);
    await tx.execute(sql`DELETE FROM contact_reach WHERE contact_id = ANY(${list})`);
    await tx.execute(sql`INSERT INTO suppressions (workspace_id, contact_id, reason, note, created_at)
      SELECT workspace_id, ${target}, reason, note, created_at FROM suppressions WHERE contact_id = ANY(${list})
      ON CONFLICT DO NOTHING`);
    await tx.execute(sql`UPDATE inbound_messages SET contact_id = ${target} WHERE contact_id = ANY(${list})`);
    await tx.execute(sql`UPDATE deliveries d SET contact_id = ${target}
      WHERE d.contact_id = ANY(${list}) AND NOT EXISTS (
        SELECT 1 FROM deliveries t WHERE t.campaign_id = d.campaign_id AND t.contact_id = ${target})
        AND d.id = (SELECT min(x.id) FROM deliveries x WHERE x.campaign_id = d.campaign_id AND x.contact_id = ANY(${list}))`);
    const kept = await rows<{ id: number | string }>(
      tx,
      sql`UPDATE contacts c SET merged_into_id = ${target}, name = NULL, attributes = '{}'::jsonb, region = NULL,
            province = NULL, city = NULL, district = NULL, device = NULL, tag_ids = '{}', last_active_at = NULL, updated_at = ${now.toISOString()}::timestamptz
          WHERE c.id = ANY(${list}) AND EXISTS (SELECT 1 FROM deliveries d WHERE d.contact_id = c.id) RETURNING c.id`,
    );
    await tx.execute(sql`DELETE FROM suppressions WHERE contact_id = ANY(${list})`);
    await tx.execute(sql`DELETE FROM contacts WHERE id = ANY(${list}) AND merged_into_id IS NULL`);
    await recordAudienceChanges(tx, p.workspaceId, [into.id, ...from.map((c) => c.id)]);
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: 'contacts.merged',
      subjectType: 'contact',
      subjectId: into.id,
      details: { from: from.map((c) => String(c.id)), keptForCounts: kept.map((k) => String(k.id)) },
    });
    const [row] = await tx.select().from(contacts).where(eq(contacts.id, into.id));
    return (await hydrate(tx, [row!]))[0]!;
  });
}
