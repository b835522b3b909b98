import { type SQL, sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';

/**
 * A customer group (WeCom 客户群) as the API shows it: a target of its own, not a contact. Stored
 * as a row of `contacts` of kind `group` (deliveries, counters, suppressions and audiences key
 * on contact ids; see the api README, "Customer groups"), never listed with persons.
 */
export interface CustomerGroupRow {
  id: string;
  workspaceId: string;
  /** WeCom's `chat_id`. */
  chatId: string;
  name: string | null;
  /** The channel it was synced from (`channel:wecom`), from its live owner relation; null when it has none. */
  channel: string | null;
  /** The staff member who owns it and sends to it (WeCom userid); null when it has none (dismissed, owner gone). */
  owner: string | null;
  /** Members when the sync last read it (`groupchat/get`), where known. */
  syncedMembers: number | null;
  tagIds: string[];
  /** When a sync last saw its owner relation at WeCom. */
  lastSyncedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface RawRow {
  id: string | number;
  workspace_id: string | number;
  chat_id: string;
  name: string | null;
  channel: string | null;
  owner: string | null;
  synced_members: number | string | null;
  tag_ids: (string | number)[] | string;
  last_synced_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const date = (v: Date | string) => (v instanceof Date ? v : new Date(v));
/** PGlite and postgres.js both give bigint[] as an array; a text form `{1,2}` is parsed to be safe. */
const ids = (v: RawRow['tag_ids']) =>
  (Array.isArray(v) ? v : v.replace(/[{}]/g, '').split(',').filter(Boolean)).map(String);

function toRow(r: RawRow): CustomerGroupRow {
  return {
    id: String(r.id),
    workspaceId: String(r.workspace_id),
    chatId: r.chat_id,
    name: r.name,
    channel: r.channel,
    owner: r.owner,
    syncedMembers: r.synced_members === null ? null : Number(r.synced_members),
    tagIds: ids(r.tag_ids),
    lastSyncedAt: r.last_synced_at === null ? null : date(r.last_synced_at),
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export interface GroupWhere {
  /** Any of these owners (a live relation), as `{groups: {owners}}` reads them. */
  owners?: readonly string[];
  tagId?: number;
  nameContains?: string;
  /** Ids after this one (keyset). */
  after?: number;
  ids?: readonly number[];
}

/** The groups of a workspace matching `where`, by id, at most `limit`. Merged rows are left out. */
export async function selectGroups(
  db: Db,
  workspaceId: number,
  where: GroupWhere,
  limit: number,
): Promise<CustomerGroupRow[]> {
  const parts: SQL[] = [
    sql`c.workspace_id = ${workspaceId}::bigint`,
    sql`c.kind = 'group'`,
    sql`c.merged_into_id IS NULL`,
  ];
  if (where.after !== undefined) parts.push(sql`c.id > ${where.after}::bigint`);
  if (where.ids !== undefined) parts.push(sql`c.id = ANY(${`{${where.ids.join(',')}}`}::bigint[])`);
  if (where.tagId !== undefined) parts.push(sql`c.tag_ids @> ARRAY[${where.tagId}::bigint]`);
  if (where.nameContains !== undefined) parts.push(sql`strpos(c.name, ${where.nameContains}::text) > 0`);
  if (where.owners !== undefined)
    parts.push(sql`EXISTS (SELECT 1 FROM contact_reach o WHERE o.contact_id = c.id AND o.removed_by IS NULL
      AND o.account = ANY(${`{${where.owners.map((o) => `"${o}"`).join(',')}}`}::text[]))`);
  const found = await rows<RawRow>(
    db,
    sql`SELECT c.id, c.workspace_id, i.value AS chat_id, c.name, r.channel, r.account AS owner,
          CASE WHEN jsonb_typeof(c.attributes -> 'memberCount') = 'number'
               THEN (c.attributes ->> 'memberCount')::int END AS synced_members,
          c.tag_ids, r.synced_at AS last_synced_at, c.created_at, c.updated_at
        FROM contacts c
        JOIN contact_identities i ON i.contact_id = c.id AND i.kind = 'wecom_chat_id'
        LEFT JOIN LATERAL (SELECT channel, account, synced_at FROM contact_reach r
                           WHERE r.contact_id = c.id AND r.removed_by IS NULL
                           ORDER BY r.updated_at DESC, r.account LIMIT 1) r ON TRUE
        WHERE ${sql.join(parts, sql` AND `)}
        ORDER BY c.id LIMIT ${limit}::int`,
  );
  return found.map(toRow);
}

/** Those of the ids that are customer groups of the workspace (a person surface refuses them). */
export async function groupIdsAmong(
  db: Db,
  workspaceId: number,
  contactIds: readonly number[],
): Promise<number[]> {
  if (contactIds.length === 0) return [];
  const found = await rows<{ id: string | number }>(
    db,
    sql`SELECT id FROM contacts WHERE workspace_id = ${workspaceId}::bigint AND kind = 'group'
        AND id = ANY(${`{${contactIds.join(',')}}`}::bigint[])`,
  );
  return found.map((r) => Number(r.id));
}
