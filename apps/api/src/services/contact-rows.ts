import type { Contact, ContactKind, IdentityKind } from '@qunfa/core';
import { asc, inArray } from 'drizzle-orm';
import type { Db } from '../db/database.js';
import { contactIdentities, type contacts } from '../db/schema/index.js';

/** Loads contacts with their identities: two queries for the whole page. */
export async function hydrate(db: Db, rows: (typeof contacts.$inferSelect)[]): Promise<Contact[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const idents = await db
    .select()
    .from(contactIdentities)
    .where(inArray(contactIdentities.contactId, ids))
    .orderBy(asc(contactIdentities.id));
  return rows.map((r) => ({
    id: String(r.id),
    workspaceId: String(r.workspaceId),
    kind: r.kind as ContactKind,
    name: r.name,
    identities: idents
      .filter((i) => i.contactId === r.id)
      .map((i) => ({ kind: i.kind as IdentityKind, value: i.value })),
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
  }));
}
