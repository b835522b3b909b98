import { type ContactIdentity, identityKinds, QunfaError } from '@qunfa/core';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { contactIdentities, contacts } from '../db/schema/index.js';
import { recordAudienceChanges } from '../store/audience-changes.js';
import { writeAudit } from '../store/audit.js';
import { hydrate } from './contact-rows.js';
import { contactSearchCondition } from './contact-search.js';
import type { ServiceDeps } from './deps.js';
import { suppressReturningErased } from './erased-identities.js';
import { identityProblem, normalizeIdentities } from './identity.js';
import { requireTags } from './tags.js';
import { conflictOr, decodeCursor, keysetPage, parseId, validate } from './validate.js';

const identityInput = z.object({
  // A customer group is a contact of its own kind, made by the WeCom sync: a person never holds its chat id.
  kind: z
    .enum(identityKinds)
    .refine((k) => k !== 'wecom_chat_id', 'a customer group (WECOM_CHAT_ID) comes from the WeCom sync'),
  value: z.string().trim().min(1).max(256),
});
/** Empty searches nothing: the list is unfiltered. */
const searchInput = z.string().trim().max(100);
const place = z.string().trim().min(1).max(100).nullish();
/** Identities must be valid for their kind; phones become E.164 and e-mails lower case. */
const identitiesInput = z
  .array(identityInput)
  .max(20)
  .transform((list, ctx) => {
    const result = normalizeIdentities(list);
    if ('ok' in result) return result.ok;
    ctx.addIssue({
      code: 'custom',
      path: [result.bad, 'value'],
      message: identityProblem(list[result.bad]!.kind),
    });
    return z.NEVER;
  });
const contactFields = {
  name: z.string().trim().max(200).nullish(),
  identities: identitiesInput.optional(),
  attributes: z.record(z.string(), z.unknown()).optional(),
  region: z.string().trim().max(100).nullish(),
  province: place,
  city: place,
  district: place,
  device: z.string().trim().toLowerCase().min(1).max(32).nullish(),
  lastActiveAt: z.date().nullish(),
};
const createContactInput = z.object({ ...contactFields, tagIds: z.array(z.string()).max(100).optional() });
export const MAX_CONTACTS_PER_CALL = 1000;
const createContactsInput = z.array(createContactInput).min(1).max(MAX_CONTACTS_PER_CALL);
const updateContactInput = z.object(contactFields);
const pageInput = z.object({ first: z.number().int().min(1).max(500), after: z.string().nullish() });

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
  const now = deps.clock.now();
  try {
    return await deps.db.transaction(async (raw) => {
      const tx = raw as unknown as Db;
      const inserted = await tx
        .insert(contacts)
        .values(
          data.map((c) => ({
            workspaceId: p.workspaceId,
            createdAt: now,
            updatedAt: now,
            name: c.name ?? null,
            attributes: c.attributes ?? {},
            region: c.region ?? null,
            province: c.province ?? null,
            city: c.city ?? null,
            district: c.district ?? null,
            device: c.device ?? null,
            tagIds: [...new Set((c.tagIds ?? []).map((t) => tagIdOf.get(String(parseId(t)))!))],
            lastActiveAt: c.lastActiveAt ?? null,
          })),
        )
        .returning();
      const identities = data.flatMap((c, i) =>
        (c.identities ?? []).map((id) => ({ workspaceId: p.workspaceId, contactId: inserted[i]!.id, ...id })),
      );
      if (identities.length > 0) await tx.insert(contactIdentities).values(identities);
      await suppressReturningErased(
        tx,
        p.workspaceId,
        data.map((c, i) => ({ id: inserted[i]!.id, identities: c.identities ?? [] })),
      );
      await recordAudienceChanges(
        tx,
        p.workspaceId,
        inserted.map((r) => r.id),
      );
      await writeAudit(tx, {
        at: deps.clock.now(),
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

/**
 * A person of the workspace. A customer group's id is not found here: groups are targets of their
 * own (`customerGroup`), never read, edited, erased or merged as contacts.
 */
export async function requireContact(db: Db, p: Principal, id: string) {
  const n = parseId(id);
  const [row] =
    n === undefined
      ? []
      : await db
          .select()
          .from(contacts)
          .where(
            and(eq(contacts.id, n), eq(contacts.workspaceId, p.workspaceId), eq(contacts.kind, 'person')),
          );
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
          ...(data.province !== undefined ? { province: data.province } : {}),
          ...(data.city !== undefined ? { city: data.city } : {}),
          ...(data.district !== undefined ? { district: data.district } : {}),
          ...(data.device !== undefined ? { device: data.device } : {}),
          ...(data.lastActiveAt !== undefined ? { lastActiveAt: data.lastActiveAt } : {}),
          updatedAt: deps.clock.now(),
        })
        .where(eq(contacts.id, existing.id))
        .returning();
      if (data.identities) {
        await tx.delete(contactIdentities).where(eq(contactIdentities.contactId, existing.id));
        await insertIdentities(tx, p.workspaceId, existing.id, data.identities);
        await suppressReturningErased(tx, p.workspaceId, [{ id: existing.id, identities: data.identities }]);
      }
      await recordAudienceChanges(tx, p.workspaceId, [existing.id]);
      await writeAudit(tx, {
        at: deps.clock.now(),
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
  args: { first: number; after?: string | null; tagId?: string | null; search?: string | null },
) {
  const p = authorize(principal, 'read');
  const page = validate(pageInput, { first: args.first, after: args.after });
  const search = args.search == null ? null : validate(searchInput, args.search);
  const after = decodeCursor(page.after);
  const tagId = args.tagId ? (await requireTags(deps, p, [args.tagId]))[0] : undefined;
  const found = await deps.db
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.workspaceId, p.workspaceId),
        // Persons only: customer groups are listed by `customerGroups`.
        eq(contacts.kind, 'person'),
        isNull(contacts.mergedIntoId),
        after !== undefined ? gt(contacts.id, after) : undefined,
        tagId !== undefined ? sql`${contacts.tagIds} @> ARRAY[${tagId}::bigint]` : undefined,
        search ? contactSearchCondition(p.workspaceId, search) : undefined,
      ),
    )
    .orderBy(asc(contacts.id))
    .limit(page.first + 1);
  const nodes = await hydrate(deps.db, found.slice(0, page.first));
  return keysetPage(found.length, page.first, nodes);
}
