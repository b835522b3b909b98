import {
  type Contact,
  type ContactIdentity,
  type IdentityKind,
  identityKinds,
  QunfaError,
} from '@qunfa/core';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { contactIdentities, contacts, contactTags } from '../db/schema/index.js';
import { writeAudit } from '../store/audit.js';
import type { ServiceDeps } from './deps.js';
import { requireTags } from './tags.js';
import { conflictOr, decodeCursor, encodeCursor, parseId, validate } from './validate.js';

const identityInput = z.object({ kind: z.enum(identityKinds), value: z.string().trim().min(1).max(256) });
const contactFields = {
  name: z.string().trim().max(200).nullish(),
  identities: z.array(identityInput).max(20).optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  region: z.string().trim().max(100).nullish(),
  lastActiveAt: z.date().nullish(),
};
const createContactInput = z.object({ ...contactFields, tagIds: z.array(z.string()).max(100).optional() });
export const MAX_CONTACTS_PER_CALL = 1000;
const createContactsInput = z.array(createContactInput).min(1).max(MAX_CONTACTS_PER_CALL);
const updateContactInput = z.object(contactFields);
const pageInput = z.object({ first: z.number().int().min(1).max(500), after: z.string().nullish() });

/** Loads contacts with identities and tag ids, three queries for the whole page. */
async function hydrate(db: Db, rows: (typeof contacts.$inferSelect)[]): Promise<Contact[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const idents = await db
    .select()
    .from(contactIdentities)
    .where(inArray(contactIdentities.contactId, ids))
    .orderBy(asc(contactIdentities.id));
  const links = await db.select().from(contactTags).where(inArray(contactTags.contactId, ids));
  return rows.map((r) => ({
    id: String(r.id),
    workspaceId: String(r.workspaceId),
    name: r.name,
    identities: idents
      .filter((i) => i.contactId === r.id)
      .map((i) => ({ kind: i.kind as IdentityKind, value: i.value })),
    attributes: r.attributes,
    region: r.region,
    lastActiveAt: r.lastActiveAt,
    tagIds: links.filter((l) => l.contactId === r.id).map((l) => String(l.tagId)),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
  }));
}

async function insertIdentities(
  db: Db,
  workspaceId: number,
  contactId: number,
  identities: ContactIdentity[],
) {
  if (identities.length === 0) return;
  await db.insert(contactIdentities).values(identities.map((i) => ({ workspaceId, contactId, ...i })));
}

export async function createContacts(deps: ServiceDeps, principal: Principal | null, input: unknown) {
  const p = authorize(principal, 'write');
  const data = validate(createContactsInput, input);
  const tagIds = await requireTags(
    deps,
    p,
    data.flatMap((c) => c.tagIds ?? []),
  );
  const tagIdOf = new Map(tagIds.map((n) => [String(n), n]));
  try {
    return await deps.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const inserted = await tx
        .insert(contacts)
        .values(
          data.map((c) => ({
            workspaceId: p.workspaceId,
            name: c.name ?? null,
            attributes: c.attributes ?? {},
            region: c.region ?? null,
            lastActiveAt: c.lastActiveAt ?? null,
          })),
        )
        .returning();
      const identities = data.flatMap((c, i) =>
        (c.identities ?? []).map((id) => ({ workspaceId: p.workspaceId, contactId: inserted[i]!.id, ...id })),
      );
      if (identities.length > 0) await tx.insert(contactIdentities).values(identities);
      const links = data.flatMap((c, i) =>
        [...new Set(c.tagIds ?? [])].map((t) => ({
          workspaceId: p.workspaceId,
          contactId: inserted[i]!.id,
          tagId: tagIdOf.get(String(parseId(t)))!,
        })),
      );
      if (links.length > 0) await tx.insert(contactTags).values(links);
      await writeAudit(tx, {
        workspaceId: p.workspaceId,
        actor: { kind: 'api_key', id: String(p.keyId) },
        action: 'contacts.created',
        subjectType: 'workspace',
        subjectId: p.workspaceId,
        details: { count: inserted.length },
      });
      return hydrate(tx, inserted);
    });
  } catch (error) {
    conflictOr(error, 'an identity is already used by another contact of this workspace', {
      field: 'identities',
    });
  }
}

async function requireContact(db: Db, p: Principal, id: string) {
  const n = parseId(id);
  const [row] =
    n === undefined
      ? []
      : await db
          .select()
          .from(contacts)
          .where(and(eq(contacts.id, n), eq(contacts.workspaceId, p.workspaceId)));
  if (!row) throw new QunfaError('CONTACT_NOT_FOUND', `contact ${id} not found`);
  return row;
}

export async function getContact(deps: ServiceDeps, principal: Principal | null, id: string) {
  const p = authorize(principal, 'read');
  const [contact] = await hydrate(deps.db, [await requireContact(deps.db, p, id)]);
  return contact!;
}

export async function updateContact(
  deps: ServiceDeps,
  principal: Principal | null,
  id: string,
  input: unknown,
) {
  const p = authorize(principal, 'write');
  const data = validate(updateContactInput, input);
  const existing = await requireContact(deps.db, p, id);
  try {
    return await deps.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const [row] = await tx
        .update(contacts)
        .set({
          ...(data.name !== undefined ? { name: data.name } : {}),
          ...(data.attributes !== undefined ? { attributes: data.attributes } : {}),
          ...(data.region !== undefined ? { region: data.region } : {}),
          ...(data.lastActiveAt !== undefined ? { lastActiveAt: data.lastActiveAt } : {}),
          updatedAt: new Date(),
        })
        .where(eq(contacts.id, existing.id))
        .returning();
      if (data.identities) {
        await tx.delete(contactIdentities).where(eq(contactIdentities.contactId, existing.id));
        await insertIdentities(tx, p.workspaceId, existing.id, data.identities);
      }
      await writeAudit(tx, {
        workspaceId: p.workspaceId,
        actor: { kind: 'api_key', id: String(p.keyId) },
        action: 'contact.updated',
        subjectType: 'contact',
        subjectId: existing.id,
        details: { fields: Object.keys(data) },
      });
      return (await hydrate(tx, [row!]))[0]!;
    });
  } catch (error) {
    conflictOr(error, 'an identity is already used by another contact of this workspace', {
      field: 'identities',
    });
  }
}

export async function listContacts(
  deps: ServiceDeps,
  principal: Principal | null,
  args: { first: number; after?: string | null; tagId?: string | null },
) {
  const p = authorize(principal, 'read');
  const page = validate(pageInput, { first: args.first, after: args.after });
  const after = decodeCursor(page.after);
  const tagId = args.tagId ? (await requireTags(deps, p, [args.tagId]))[0] : undefined;
  const found = await deps.db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, p.workspaceId),
        after !== undefined ? gt(contacts.id, after) : undefined,
        tagId !== undefined
          ? sql`EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.contact_id = ${contacts.id} AND ct.tag_id = ${tagId})`
          : undefined,
      ),
    )
    .orderBy(asc(contacts.id))
    .limit(page.first + 1);
  const nodes = await hydrate(deps.db, found.slice(0, page.first));
  return {
    edges: nodes.map((node) => ({ cursor: encodeCursor(Number(node.id)), node })),
    pageInfo: {
      hasNextPage: found.length > page.first,
      endCursor: nodes.length > 0 ? encodeCursor(Number(nodes.at(-1)!.id)) : null,
    },
  };
}

/** Tags or untags contacts of the workspace; returns how many links changed. */
export async function setTag(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { tagId: string; contactIds: string[]; tagged: boolean },
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
          .where(and(eq(contacts.workspaceId, p.workspaceId), inArray(contacts.id, valid)));
  if (owned.length !== numeric.length) {
    const known = new Set(owned.map((o) => o.id));
    const missing = ids.find((id) => !known.has(parseId(id) ?? -1));
    throw new QunfaError('CONTACT_NOT_FOUND', `contact ${missing} not found`, {
      details: { contactId: missing },
    });
  }
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const changed = input.tagged
      ? await tx
          .insert(contactTags)
          .values(owned.map((o) => ({ workspaceId: p.workspaceId, contactId: o.id, tagId: tagId! })))
          .onConflictDoNothing()
          .returning({ id: contactTags.contactId })
      : await tx
          .delete(contactTags)
          .where(and(eq(contactTags.tagId, tagId!), inArray(contactTags.contactId, valid)))
          .returning({ id: contactTags.contactId });
    await writeAudit(tx, {
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: input.tagged ? 'contacts.tagged' : 'contacts.untagged',
      subjectType: 'tag',
      subjectId: tagId!,
      details: { count: changed.length },
    });
    return changed.length;
  });
}
