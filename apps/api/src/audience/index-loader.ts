import { type RecordedSuppressionReason, recordedSuppressionReasons } from '@qunfa/core';
import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../db/database.js';
import type { IndexedContact, IndexedTag, WorkspaceIndex } from './workspace-index.js';

const PAGE = 50_000;
const reasonList = sql.join(
  recordedSuppressionReasons.map((r) => sql`${r}::text`),
  sql`, `,
);

interface ContactRow {
  id: number | string;
  tags: string;
  province: string | null;
  city: string | null;
  district: string | null;
  device: string | null;
  active: number | string | null;
  grp: boolean;
}

const columns = sql`c.id, array_to_string(c.tag_ids, ',') AS tags, c.province, c.city, c.district, c.device,
  (extract(epoch FROM c.last_active_at) * 1000)::float8 AS active, c.kind = 'group' AS grp`;

function toIndexed(r: ContactRow, suppressions: Map<number, RecordedSuppressionReason[]>): IndexedContact {
  const id = Number(r.id);
  return {
    id,
    tagIds: r.tags === '' ? [] : r.tags.split(',').map(Number),
    province: r.province,
    city: r.city,
    district: r.district,
    device: r.device,
    lastActiveMs: r.active === null ? null : Number(r.active),
    suppressions: suppressions.get(id) ?? [],
    group: r.grp,
  };
}

async function suppressionsOf(db: Db, workspaceId: number, only?: SQL) {
  const found = await rows<{ id: number | string; reason: RecordedSuppressionReason }>(
    db,
    sql`SELECT contact_id AS id, reason FROM suppressions
        WHERE workspace_id = ${workspaceId}::bigint AND reason IN (${reasonList}) ${only ?? sql``}`,
  );
  const out = new Map<number, RecordedSuppressionReason[]>();
  for (const s of found) {
    const id = Number(s.id);
    out.set(id, [...(out.get(id) ?? []), s.reason]);
  }
  return out;
}

/**
 * The oldest transaction still running: every change of a transaction below it is visible
 * now, so the next catch-up reads changes from here on and misses no late commit.
 */
export async function snapshotXmin(db: Db): Promise<string> {
  const [row] = await rows<{ xmin: string }>(
    db,
    sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin`,
  );
  return String(row!.xmin);
}

/** The workspace's tags as `id:parent,…` (parent empty for a root), one scalar of a statement. */
const tagList = (workspaceId: number) =>
  sql`(SELECT coalesce(string_agg(id || ':' || coalesce(parent_id::text, ''), ','), '')
       FROM tags WHERE workspace_id = ${workspaceId}::bigint)`;

function parseTags(list: string): IndexedTag[] {
  if (list === '') return [];
  return list.split(',').map((t) => {
    const [id, parent] = t.split(':') as [string, string];
    return { id: Number(id), parentId: parent === '' ? null : Number(parent) };
  });
}

/**
 * The tag list each index was last given: a catch-up reads it with every preview, and the same
 * list (the usual case) is not parsed and built into a tree again (~35–70 µs at 200 tags).
 */
const tagListOf = new WeakMap<WorkspaceIndex, string>();

function syncTags(index: WorkspaceIndex, list: string): void {
  if (tagListOf.get(index) === list) return;
  index.setTags(parseTags(list));
  tagListOf.set(index, list);
}

/** Loads every contact of a workspace, a page at a time, and its tags. */
export async function loadAll(db: Db, workspaceId: number, index: WorkspaceIndex): Promise<void> {
  const [tags] = await rows<{ tags: string }>(db, sql`SELECT ${tagList(workspaceId)} AS tags`);
  syncTags(index, tags!.tags);
  const suppressions = await suppressionsOf(db, workspaceId);
  let after = 0;
  for (;;) {
    const page = await rows<ContactRow>(
      db,
      sql`SELECT ${columns} FROM contacts c WHERE c.workspace_id = ${workspaceId}::bigint AND c.merged_into_id IS NULL
          AND c.id > ${after}::bigint
          ORDER BY c.id LIMIT ${PAGE}`,
    );
    index.upsertMany(page.map((r) => toIndexed(r, suppressions)));
    if (page.length < PAGE) {
      index.compact();
      return;
    }
    after = Number(page.at(-1)!.id);
  }
}

/**
 * Replays the change log from `sinceXmin`: reloads the contacts it names, drops the ones
 * gone. One statement reads the changes, the snapshot's xmin (the next catch-up's start) and
 * the workspace's tags (unlogged, and few): with nothing changed, the whole sync of a preview
 * is that one round trip.
 */
export async function catchUp(
  db: Db,
  workspaceId: number,
  index: WorkspaceIndex,
  sinceXmin: string,
): Promise<{ rebuild: boolean; xmin: string }> {
  const changes = sql`FROM audience_changes WHERE workspace_id = ${workspaceId}::bigint AND xid >= ${sinceXmin}::xid8`;
  const [found] = await rows<{ xmin: string; rebuild: boolean; ids: string; tags: string }>(
    db,
    sql`SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS xmin,
               (SELECT coalesce(bool_or(contact_id IS NULL), false) ${changes}) AS rebuild,
               array_to_string(ARRAY(SELECT DISTINCT contact_id ${changes} AND contact_id IS NOT NULL), ',') AS ids,
               ${tagList(workspaceId)} AS tags`,
  );
  const xmin = String(found!.xmin);
  if (found!.rebuild) return { rebuild: true, xmin };
  syncTags(index, found!.tags);
  if (found!.ids === '') return { rebuild: false, xmin };
  const ids = found!.ids.split(',').map(Number);
  const list = sql`${`{${ids.join(',')}}`}::bigint[]`;
  const suppressions = await suppressionsOf(db, workspaceId, sql`AND contact_id = ANY(${list})`);
  const reloaded = await rows<ContactRow>(
    db,
    sql`SELECT ${columns} FROM contacts c
        WHERE c.workspace_id = ${workspaceId}::bigint AND c.merged_into_id IS NULL AND c.id = ANY(${list})`,
  );
  // In id order: new contacts then extend the index's ascending ids (found by binary search).
  const changed = reloaded.map((r) => toIndexed(r, suppressions)).sort((a, b) => a.id - b.id);
  index.upsertMany(changed);
  const seen = new Set(changed.map((c) => c.id));
  for (const id of ids) if (!seen.has(id)) index.remove(id);
  return { rebuild: false, xmin };
}
