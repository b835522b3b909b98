import type { Contact, ContactKind, IdentityKind } from '@qunfa/core';
import { and, asc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { contactIdentities, contacts } from '../db/schema/index.js';

/** Loads contacts with their identities: two queries for the whole page. */
export async function hydrate(db: Db, rows: (typeof contacts.$inferSelect)[]): Promise<Contact[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const idents = await db
    .select()
    .from(contactIdentities)
    .where(inArray(contactIdentities.contactId, ids))
    .orderBy(asc(contactIdentities.id));
  return rows.map((r) =>
    toContact(
      r,
      idents
        .filter((i) => i.contactId === r.id)
        .map((i) => ({ kind: i.kind as IdentityKind, value: i.value })),
    ),
  );
}

/**
 * The workspace's contacts of these ids with their identities, in the order of `ids` (an id
 * not found is left out): one statement, for a caller that needs a few contacts each call (an
 * audience preview's sample).
 */
export async function contactsById(db: Db, workspaceId: number, ids: readonly number[]): Promise<Contact[]> {
  if (ids.length === 0) return [];
  const found = await db
    .select({
      ...getTableColumns(contacts),
      // Qualified by hand: drizzle writes a column of a one-table select unqualified, and a bare
      // "id" in this subquery would be the identity's own.
      identities: sql<string>`(SELECT coalesce(json_agg(json_build_object('kind', ci.kind, 'value', ci.value) ORDER BY ci.id), '[]')::text
        FROM contact_identities ci WHERE ci.contact_id = contacts.id)`,
    })
    .from(contacts)
    .where(and(eq(contacts.workspaceId, workspaceId), inArray(contacts.id, [...ids])));
  const byId = new Map(
    found.map(({ identities, ...row }) => [row.id, toContact(row, JSON.parse(identities))]),
  );
  return ids.flatMap((id) => byId.get(id) ?? []);
}

function toContact(r: typeof contacts.$inferSelect, identities: Contact['identities']): Contact {
  return {
    id: String(r.id),
    workspaceId: String(r.workspaceId),
    kind: r.kind as ContactKind,
    name: r.name,
    identities,
    attributes: r.attributes,
    region: r.region,
    province: r.province,
    city: r.city,
    district: r.district,
    device: r.device,
    lastActiveAt: r.lastActiveAt,
    tagIds: r.tagIds.map(String),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  };
}
