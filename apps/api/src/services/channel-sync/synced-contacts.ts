import type { ContactIdentity } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { recordAudienceChanges } from '../../store/audience-changes.js';
import { suppressReturningErased } from '../erased-identities.js';
import { normalizeIdentity } from '../identity.js';

/** One record a provider gave: a follower, or one customer–staff relation. */
export interface SyncedRecord {
  /**
   * `group` for a customer group (a target of its own); default a person. A group's name is the
   * provider's (a rename replaces it), and its reach is its one owner: another account it was
   * reachable through on the channel (a former owner) is ended (`removed_by` sync).
   */
  kind?: 'group';
  /** Provider facts kept on the contact's attributes, overwriting the same keys (a group's `memberCount`). */
  attributes?: Record<string, unknown>;
  /** The provider identity first (`oa_openid`, `wecom_external_userid`), then `unionid` where known. */
  identities: ContactIdentity[];
  name: string | null;
  /** The workspace's tag ids (synced tags) the record carries. */
  tagIds: number[];
  /** Reachable only through this sender (a WeCom staff member). */
  reach?: { channel: string; account: string; addedAt: Date | null; remark: string | null };
}

export interface StoredPage {
  created: number;
  matched: number;
  relations: number;
  conflicts: number;
}

export interface StoreOptions {
  /**
   * The provider's tags (workspace tag ids) a record lists in full (an OA follower's
   * `tagid_list`): those of them a contact has and its record does not are taken off. Default none.
   */
  replaceTags?: readonly number[];
  /** When the sync saw these relations (kept as `synced_at`, for ending those a full sync missed). */
  syncedAt?: Date;
  /** The time rows are stamped with (the server's clock). Default now. */
  now?: Date;
}

const keyOf = (i: ContactIdentity) => `${i.kind}\u0000${i.value}`;

/**
 * Merges one page of synced records into the workspace's contacts, in one transaction:
 * a record joins the contact that holds one of its identities (its provider id first, then its
 * unionid — so an OA follower and a WeCom customer with the same unionid become one contact, and
 * so do CSV contacts that carry it); otherwise a contact is created. Missing identities are
 * added, synced tags added (an operator's tags are never removed; with `replaceTags`, the
 * provider's tags a record no longer lists are taken off), a missing name filled, the
 * "reachable through" relation upserted (live again if it had ended). Running it again with the same page writes nothing.
 * An identity another contact holds stays there and is counted as a conflict.
 */
export async function storeSyncedPage(
  db: Db,
  workspaceId: number,
  records: readonly SyncedRecord[],
  options: StoreOptions = {},
): Promise<StoredPage> {
  const stamp = (options.now ?? new Date()).toISOString();
  const clean = records
    .map((r) => ({
      ...r,
      identities: r.identities
        .map((i) => ({ kind: i.kind, value: normalizeIdentity(i.kind, i.value) }))
        .filter((i): i is ContactIdentity => i.value !== undefined),
    }))
    .filter((r) => r.identities.length > 0);
  if (clean.length === 0) return { created: 0, matched: 0, relations: 0, conflicts: 0 };
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    // Syncs of two channels into one workspace would otherwise race to create the same person.
    await tx.execute(sql`SELECT pg_advisory_xact_lock(7301, ${workspaceId}::int)`);
    const wanted = [...new Map(clean.flatMap((r) => r.identities).map((i) => [keyOf(i), i])).values()];
    const found = await rows<{ kind: string; value: string; contact_id: number | string }>(
      tx,
      sql`SELECT ci.kind, ci.value, ci.contact_id FROM contact_identities ci
          JOIN json_to_recordset(${JSON.stringify(wanted)}::json) AS w(kind text, value text)
            ON ci.kind = w.kind AND ci.value = w.value
          WHERE ci.workspace_id = ${workspaceId}::bigint`,
    );
    /** Identity → its contact: a real id, or `-n` for the n-th contact this page creates. */
    const owner = new Map<string, number>(
      found.map((f) => [`${f.kind}\u0000${f.value}`, Number(f.contact_id)]),
    );
    const fresh: { name: string | null; kind: 'person' | 'group'; identities: ContactIdentity[] }[] = [];
    const contactOf: number[] = [];
    let matched = 0;
    for (const r of clean) {
      const known = r.identities.map((i) => owner.get(keyOf(i))).find((id) => id !== undefined);
      let id = known;
      if (id === undefined) {
        fresh.push({ name: r.name || null, kind: r.kind ?? 'person', identities: [] });
        id = -fresh.length;
      } else if (id > 0) matched++;
      for (const i of r.identities) {
        if (owner.has(keyOf(i))) continue;
        owner.set(keyOf(i), id);
        if (id < 0) fresh[-id - 1]!.identities.push(i);
      }
      contactOf.push(id);
    }
    const createdIds: number[] = [];
    if (fresh.length > 0) {
      const inserted = await rows<{ id: number | string }>(
        tx,
        sql`INSERT INTO contacts (workspace_id, name, kind)
            SELECT ${workspaceId}::bigint, n.name, n.kind FROM json_to_recordset(${JSON.stringify(
              fresh.map((f, ord) => ({ ord, name: f.name, kind: f.kind })),
            )}::json) AS n(ord int, name text, kind text) ORDER BY n.ord
            RETURNING id`,
      );
      createdIds.push(...inserted.map((r) => Number(r.id)).sort((a, b) => a - b));
    }
    const real = (id: number) => (id < 0 ? createdIds[-id - 1]! : id);
    // New identities of every contact touched (ON CONFLICT: a concurrent writer took it first).
    const held = new Set(found.map((f) => `${f.kind}\u0000${f.value}`));
    const newIdentities = [...owner.entries()]
      .filter(([key]) => !held.has(key))
      .map(([key, id]) => {
        const [kind, value] = key.split('\u0000') as [string, string];
        return { kind, value, contact_id: real(id) };
      });
    if (newIdentities.length > 0) {
      await tx.execute(sql`INSERT INTO contact_identities (workspace_id, contact_id, kind, value)
        SELECT ${workspaceId}::bigint, n.contact_id, n.kind, n.value
        FROM json_to_recordset(${JSON.stringify(newIdentities)}::json) AS n(contact_id bigint, kind text, value text)
        ON CONFLICT DO NOTHING`);
    }
    // Identities of a record held by another contact than the one it joined.
    let conflicts = 0;
    for (const [n, r] of clean.entries()) {
      const id = contactOf[n]!;
      conflicts += r.identities.filter((i) => owner.get(keyOf(i)) !== id).length;
    }
    const updates = clean.map((r, n) => ({
      id: real(contactOf[n]!),
      name: r.name,
      tags: [...new Set(r.tagIds)].sort((a, b) => a - b),
      attributes: r.attributes ?? {},
    }));
    const replaced = `{${[...new Set(options.replaceTags ?? [])].join(',')}}`;
    const changed = await rows<{ id: number | string }>(
      tx,
      sql`UPDATE contacts c SET
            name = CASE WHEN c.kind = 'group' THEN coalesce(u.name, c.name) ELSE coalesce(c.name, u.name) END,
            tag_ids = ARRAY(SELECT DISTINCT t FROM unnest(c.tag_ids || u.tags) t
                            WHERE t = ANY(u.tags) OR NOT t = ANY(${replaced}::bigint[]) ORDER BY t),
            attributes = c.attributes || u.attributes,
            updated_at = ${stamp}::timestamptz
          FROM (SELECT x.id, (array_agg(x.name) FILTER (WHERE x.name IS NOT NULL AND x.name <> ''))[1] AS name,
                       (array_agg(x.attributes))[1] AS attributes,
                       ARRAY(SELECT DISTINCT t FROM json_to_recordset(${JSON.stringify(updates)}::json)
                               AS y(id bigint, tags bigint[]), unnest(y.tags) t WHERE y.id = x.id) AS tags
                FROM json_to_recordset(${JSON.stringify(updates)}::json) AS x(id bigint, name text, attributes jsonb)
                GROUP BY x.id) u
          WHERE c.id = u.id AND c.workspace_id = ${workspaceId}::bigint
            AND ((c.name IS NULL AND u.name IS NOT NULL) OR NOT (c.tag_ids @> u.tags) OR NOT (c.attributes @> u.attributes)
                 OR (c.kind = 'group' AND u.name IS NOT NULL AND c.name IS DISTINCT FROM u.name)
                 OR c.tag_ids && (SELECT coalesce(array_agg(t), '{}') FROM unnest(${replaced}::bigint[]) t
                                  WHERE NOT t = ANY(u.tags)))
          RETURNING c.id`,
    );
    const reach = clean.flatMap((r, n) =>
      r.reach
        ? [
            {
              contact_id: real(contactOf[n]!),
              channel: r.reach.channel,
              account: r.reach.account,
              added_at: r.reach.addedAt?.toISOString() ?? null,
              remark: r.reach.remark || null,
            },
          ]
        : [],
    );
    let relations = 0;
    if (reach.length > 0) {
      const written = await rows<{ n: number }>(
        tx,
        sql`INSERT INTO contact_reach (workspace_id, contact_id, channel, account, added_at, remark)
            SELECT DISTINCT ON (r.contact_id, r.channel, r.account) ${workspaceId}::bigint, r.contact_id, r.channel, r.account, r.added_at, r.remark
            FROM json_to_recordset(${JSON.stringify(reach)}::json)
              AS r(contact_id bigint, channel text, account text, added_at timestamptz, remark text)
            ON CONFLICT (contact_id, channel, account) DO UPDATE SET
              added_at = excluded.added_at, remark = excluded.remark, removed_by = NULL, updated_at = ${stamp}::timestamptz
            WHERE (contact_reach.added_at, contact_reach.remark, contact_reach.removed_by)
                  IS DISTINCT FROM (excluded.added_at, excluded.remark, NULL)
            RETURNING 1 AS n`,
      );
      relations = written.length;
      const owners = clean.flatMap((r, n) =>
        r.kind === 'group' && r.reach
          ? [{ contact_id: real(contactOf[n]!), channel: r.reach.channel, account: r.reach.account }]
          : [],
      );
      if (owners.length > 0) {
        const ended = await rows<{ n: number }>(
          tx,
          sql`UPDATE contact_reach cr SET removed_by = 'sync', updated_at = ${stamp}::timestamptz
              FROM json_to_recordset(${JSON.stringify(owners)}::json) AS r(contact_id bigint, channel text, account text)
              WHERE cr.contact_id = r.contact_id AND cr.channel = r.channel AND cr.account <> r.account
                AND cr.removed_by IS NULL
              RETURNING 1 AS n`,
        );
        relations += ended.length;
      }
      if (options.syncedAt) {
        await tx.execute(sql`UPDATE contact_reach cr SET synced_at = ${options.syncedAt.toISOString()}::timestamptz
          FROM json_to_recordset(${JSON.stringify(reach)}::json) AS r(contact_id bigint, channel text, account text)
          WHERE cr.contact_id = r.contact_id AND cr.channel = r.channel AND cr.account = r.account`);
      }
    }
    if (createdIds.length > 0) {
      await suppressReturningErased(
        tx,
        workspaceId,
        createdIds.map((id, n) => ({ id, identities: fresh[n]!.identities })),
      );
    }
    const touched = [...new Set([...createdIds, ...changed.map((c) => Number(c.id))])];
    await recordAudienceChanges(tx, workspaceId, touched);
    return { created: createdIds.length, matched, relations, conflicts };
  });
}
