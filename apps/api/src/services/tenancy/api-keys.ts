import { QunfaError } from '@qunfa/core';
import { and, asc, eq, isNull } from 'drizzle-orm';
import { z } from 'zod';
import { createApiKey } from '../../auth/api-keys.js';
import { authorize, keyAccesses, type Principal, roles } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { apiKeys, users } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { parseId, validate } from '../validate.js';

export type ApiKeyRow = Omit<typeof apiKeys.$inferSelect, 'keyHash'>;

const actor = (p: Principal) => ({ kind: 'api_key' as const, id: String(p.keyId) });

const scopeInput = z.object({
  access: z.enum(keyAccesses).nullish(),
  /** Root field names; validated against the schema by the caller. */
  operations: z
    .array(z.string().regex(/^[_A-Za-z][_0-9A-Za-z]*$/, 'a root field name'))
    .max(200)
    .nullish(),
  rateLimitPerMinute: z.number().int().min(1).max(100_000).nullish(),
  persistedOnly: z.boolean().nullish(),
});
const issueInput = scopeInput.extend({
  name: z.string().trim().min(1, 'is required').max(100),
  role: z.enum(roles).nullish(),
  memberId: z
    .string()
    .regex(/^\d{1,15}$/, 'a member id')
    .nullish(),
});

/** Checks root-field names against the schema's, so a typo is refused rather than silently blocking. */
export type OperationCheck = (names: readonly string[]) => void;

const columns = {
  id: apiKeys.id,
  workspaceId: apiKeys.workspaceId,
  userId: apiKeys.userId,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  role: apiKeys.role,
  access: apiKeys.access,
  operations: apiKeys.operations,
  rateLimitPerMinute: apiKeys.rateLimitPerMinute,
  persistedOnly: apiKeys.persistedOnly,
  createdAt: apiKeys.createdAt,
  lastUsedAt: apiKeys.lastUsedAt,
  revokedAt: apiKeys.revokedAt,
};

/** Admin: a new key, returned once in clear; only its hash is kept. A member's key takes the member's role. */
export async function issueApiKey(
  db: Db,
  principal: Principal | null,
  input: z.input<typeof issueInput>,
  checkOperations: OperationCheck,
): Promise<{ apiKey: ApiKeyRow; secret: string }> {
  const p = authorize(principal, 'admin');
  const data = validate(issueInput, input);
  if (data.operations) checkOperations(data.operations);
  let role = data.role ?? undefined;
  let userId: number | null = null;
  if (data.memberId) {
    const [member] = await db
      .select()
      .from(users)
      .where(and(eq(users.id, Number(data.memberId)), eq(users.workspaceId, p.workspaceId)));
    if (!member)
      throw new QunfaError('NOT_FOUND', 'no such member in this workspace', {
        details: { field: 'memberId' },
      });
    if (role && role !== member.role) {
      throw new QunfaError(
        'INVALID_INPUT',
        `role: a key of this member has the member's role (${member.role})`,
        {
          details: { field: 'role' },
        },
      );
    }
    role = member.role as (typeof roles)[number];
    userId = member.id;
  }
  if (!role)
    throw new QunfaError('INVALID_INPUT', 'role: is required for a key not issued to a member', {
      details: { field: 'role' },
    });
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const made = await createApiKey(tx, {
      workspaceId: p.workspaceId,
      name: data.name,
      role,
      userId,
      access: data.access ?? 'full',
      operations: data.operations ?? null,
      rateLimitPerMinute: data.rateLimitPerMinute ?? null,
      persistedOnly: data.persistedOnly ?? false,
    });
    await writeAudit(tx, {
      at: new Date(),
      workspaceId: p.workspaceId,
      actor: actor(p),
      action: 'api_key.issued',
      subjectType: 'api_key',
      subjectId: made.id,
      details: { name: data.name, role, access: data.access ?? 'full', operations: data.operations ?? null },
    });
    const [row] = await tx.select(columns).from(apiKeys).where(eq(apiKeys.id, made.id));
    return { apiKey: row!, secret: made.key };
  });
}

export async function listApiKeys(db: Db, principal: Principal | null): Promise<ApiKeyRow[]> {
  const p = authorize(principal, 'admin');
  return db
    .select(columns)
    .from(apiKeys)
    .where(eq(apiKeys.workspaceId, p.workspaceId))
    .orderBy(asc(apiKeys.id));
}

async function ownKey(db: Db, p: Principal, id: string): Promise<number> {
  const keyId = parseId(id);
  const [row] = keyId
    ? await db
        .select({ id: apiKeys.id })
        .from(apiKeys)
        .where(and(eq(apiKeys.id, keyId), eq(apiKeys.workspaceId, p.workspaceId)))
    : [];
  if (!row) throw new QunfaError('NOT_FOUND', 'no such API key in this workspace', { details: { id } });
  return row.id;
}

/** Admin: revokes a key at once (the next request with it is UNAUTHENTICATED). Revoking twice changes nothing. */
export async function revokeApiKey(db: Db, principal: Principal | null, id: string): Promise<ApiKeyRow> {
  const p = authorize(principal, 'admin');
  const keyId = await ownKey(db, p, id);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const revoked = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, keyId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id });
    if (revoked.length > 0) {
      await writeAudit(tx, {
        at: new Date(),
        workspaceId: p.workspaceId,
        actor: actor(p),
        action: 'api_key.revoked',
        subjectType: 'api_key',
        subjectId: keyId,
      });
    }
    const [row] = await tx.select(columns).from(apiKeys).where(eq(apiKeys.id, keyId));
    return row!;
  });
}

/** Admin: limits a key to reading, to chosen root fields, or to a request rate; null lifts a limit. */
export async function scopeApiKey(
  db: Db,
  principal: Principal | null,
  id: string,
  input: z.input<typeof scopeInput>,
  checkOperations: OperationCheck,
): Promise<ApiKeyRow> {
  const p = authorize(principal, 'admin');
  const data = validate(scopeInput, input);
  if (data.operations) checkOperations(data.operations);
  const keyId = await ownKey(db, p, id);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx
      .update(apiKeys)
      .set({
        ...(data.access === undefined ? {} : { access: data.access ?? 'full' }),
        ...(data.operations === undefined ? {} : { operations: data.operations }),
        ...(data.rateLimitPerMinute === undefined ? {} : { rateLimitPerMinute: data.rateLimitPerMinute }),
        ...(data.persistedOnly == null ? {} : { persistedOnly: data.persistedOnly }),
      })
      .where(eq(apiKeys.id, keyId));
    await writeAudit(tx, {
      at: new Date(),
      workspaceId: p.workspaceId,
      actor: actor(p),
      action: 'api_key.scoped',
      subjectType: 'api_key',
      subjectId: keyId,
      details: {
        access: data.access,
        operations: data.operations,
        rateLimitPerMinute: data.rateLimitPerMinute,
      },
    });
    const [row] = await tx.select(columns).from(apiKeys).where(eq(apiKeys.id, keyId));
    return row!;
  });
}
