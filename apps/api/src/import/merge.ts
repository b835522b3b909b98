import { sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import type { RowError } from './row-parser.js';

export interface MergeResult {
  created: number;
  merged: number;
  conflicts: RowError[];
}

/**
 * Applies the staged rows set-based: groups whose identities point at two or more existing
 * contacts are refused (merge those contacts first); the rest update the contact they match
 * or become a new one. Scalars take the group's first non-empty value, tags and attributes
 * are unioned (later rows win an attribute), last activity takes the latest.
 */
export async function mergeStaged(
  tx: Db,
  workspaceId: number,
  lap: (phase: string) => void = () => {},
  /** The server's clock reading, for the contacts' updated_at. */
  now: Date = new Date(),
): Promise<MergeResult> {
  const ws = sql`${workspaceId}::bigint`;
  // Temporary tables have no statistics: without them the planner nests loops over a million rows.
  await tx.execute(sql`ANALYZE qf_import_rows`);
  await tx.execute(sql`ANALYZE qf_import_ids`);
  // Sorts and hashes over a million staged rows stay in memory for this transaction only.
  await tx.execute(sql`SET LOCAL work_mem = '128MB'`);
  // Estimates over temporary tables run high enough to trigger JIT: ~0.7 s of compiling a statement.
  await tx.execute(sql`SET LOCAL jit = off`);
  await tx.execute(sql`CREATE TEMP TABLE qf_match ON COMMIT DROP AS
    SELECT i.grp, array_agg(DISTINCT ci.contact_id) AS contacts
    FROM qf_import_ids i
    JOIN contact_identities ci ON ci.workspace_id = ${ws} AND ci.kind = i.kind AND ci.value = i.value
    GROUP BY i.grp`);
  lap('merge: match existing');
  const conflicts = await rows<{ row: number; contacts: string }>(
    tx,
    sql`DELETE FROM qf_import_rows r USING qf_match m
        WHERE m.grp = r.grp AND cardinality(m.contacts) > 1
        RETURNING r.row, array_to_string(m.contacts, ', ') AS contacts`,
  );
  await tx.execute(sql`CREATE TEMP TABLE qf_merged ON COMMIT DROP AS
    SELECT grp, name, region, province, city, district, device, last_active, tag_ids, attributes
    FROM qf_import_rows WHERE NOT multi
    UNION ALL
    SELECT grp,
      (array_agg(name ORDER BY row) FILTER (WHERE name IS NOT NULL))[1],
      (array_agg(region ORDER BY row) FILTER (WHERE region IS NOT NULL))[1],
      (array_agg(province ORDER BY row) FILTER (WHERE province IS NOT NULL))[1],
      (array_agg(city ORDER BY row) FILTER (WHERE city IS NOT NULL))[1],
      (array_agg(district ORDER BY row) FILTER (WHERE district IS NOT NULL))[1],
      (array_agg(device ORDER BY row) FILTER (WHERE device IS NOT NULL))[1],
      max(last_active),
      ARRAY(SELECT DISTINCT t FROM qf_import_rows x, unnest(x.tag_ids) t WHERE x.grp = g.grp ORDER BY t),
      (SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb) FROM (
         SELECT DISTINCT ON (e.key) e.key AS k, e.value AS v FROM qf_import_rows x, jsonb_each(x.attributes) e
         WHERE x.grp = g.grp ORDER BY e.key, x.row DESC) a)
    FROM qf_import_rows g WHERE multi GROUP BY grp`);
  lap('merge: fold groups');
  // The sequence is looked up once: pg_get_serial_sequence per row costs more than the insert.
  const [seq] = await rows<{ name: string }>(
    tx,
    sql`SELECT pg_get_serial_sequence('contacts', 'id') AS name`,
  );
  await tx.execute(sql`CREATE TEMP TABLE qf_target ON COMMIT DROP AS
    SELECT m.grp, coalesce(x.contacts[1], nextval(${seq!.name}::regclass)) AS contact_id, x.grp IS NULL AS is_new
    FROM qf_merged m LEFT JOIN qf_match x ON x.grp = m.grp`);
  await tx.execute(sql`ANALYZE qf_merged`);
  await tx.execute(sql`ANALYZE qf_target`);
  await tx.execute(sql`INSERT INTO contacts (id, workspace_id, name, region, province, city, district, device,
      tag_ids, attributes, last_active_at) OVERRIDING SYSTEM VALUE
    SELECT t.contact_id, ${ws}, m.name, m.region, m.province, m.city, m.district, m.device,
           m.tag_ids, m.attributes, m.last_active
    FROM qf_merged m JOIN qf_target t ON t.grp = m.grp WHERE t.is_new
    ORDER BY t.contact_id`);
  lap('merge: insert contacts');
  const [existing] = await rows<{ n: number }>(tx, sql`SELECT count(*)::int AS n FROM qf_match`);
  if (existing!.n > 0)
    await tx.execute(sql`UPDATE contacts c SET
      name = coalesce(m.name, c.name), region = coalesce(m.region, c.region),
      province = coalesce(m.province, c.province), city = coalesce(m.city, c.city),
      district = coalesce(m.district, c.district), device = coalesce(m.device, c.device),
      tag_ids = ARRAY(SELECT DISTINCT u FROM unnest(c.tag_ids || m.tag_ids) u ORDER BY u),
      attributes = c.attributes || m.attributes,
      last_active_at = greatest(c.last_active_at, m.last_active), updated_at = ${now.toISOString()}::timestamptz
    FROM qf_merged m JOIN qf_target t ON t.grp = m.grp
    WHERE NOT t.is_new AND c.id = t.contact_id`);
  lap('merge: update contacts');
  // A plain INSERT, in index order (byte order: the index's under C and C.UTF-8, and a
  // far cheaper sort than a libc collation), of identities not there yet: ON CONFLICT's speculative
  // insertion costs about twice as much per row. New contacts' identities matched nothing
  // above; an identity another transaction adds meanwhile fails the import (nothing applied)
  // instead of leaving a contact without it.
  await tx.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
    SELECT DISTINCT ON (i.kind COLLATE "C", i.value COLLATE "C") ${ws}, t.contact_id, i.kind, i.value
    FROM qf_import_ids i JOIN qf_target t ON t.grp = i.grp
    WHERE t.is_new OR NOT EXISTS (SELECT 1 FROM contact_identities ci
      WHERE ci.workspace_id = ${ws} AND ci.kind = i.kind AND ci.value = i.value)
    ORDER BY i.kind COLLATE "C", i.value COLLATE "C"`);
  lap('merge: insert identities');
  await tx.execute(sql`INSERT INTO suppressions (workspace_id, contact_id, reason, note)
    SELECT DISTINCT ${ws}, t.contact_id, 'erased', 'identity erased before: needs a new opt-in'
    FROM qf_import_ids i JOIN qf_target t ON t.grp = i.grp
    JOIN erased_identities e ON e.workspace_id = ${ws} AND e.kind = i.kind AND e.hash = i.hash
    WHERE i.hash IS NOT NULL
    ON CONFLICT DO NOTHING`);
  lap('merge: suppress erased');
  const [counts] = await rows<{ created: number; rows: number }>(
    tx,
    sql`SELECT (SELECT count(*) FROM qf_target WHERE is_new)::int AS created, (SELECT count(*) FROM qf_import_rows)::int AS rows`,
  );
  return {
    created: counts!.created,
    merged: counts!.rows - counts!.created,
    conflicts: conflicts.map((c) => ({
      row: Number(c.row),
      field: '(identities)',
      reason: `identities belong to different contacts (${c.contacts}): merge them first`,
    })),
  };
}
