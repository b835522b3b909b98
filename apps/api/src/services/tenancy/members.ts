import { QunfaError } from '@qunfa/core';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal, roles } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { apiKeys, users } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { conflictOr, parseId, validate } from '../validate.js';

export type MemberRow = typeof users.$inferSelect;

const actor = (p: Principal) => ({ kind: 'api_key' as const, id: String(p.keyId) });
const memberInput = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  email: z.string().trim().email('an email address').max(254).nullish(),
  role: z.enum(roles),
});

export async function listMembers(db: Db, principal: Principal | null): Promise<MemberRow[]> {
  const p = authorize(principal, 'admin');
  return db.select().from(users).where(eq(users.workspaceId, p.workspaceId)).orderBy(asc(users.id));
}

/** Admin: adds a member with a role; keys issued to them act with that role. */
export async function inviteMember(
  db: Db,
  principal: Principal | null,
  input: { name: string; email?: string | null; role: string },
): Promise<MemberRow> {
  const p = authorize(principal, 'admin');
  const data = validate(memberInput, input);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .insert(users)
      .values({ workspaceId: p.workspaceId, name: data.name, email: data.email ?? null, role: data.role })
      .returning()
      .catch((e: unknown) => conflictOr(e, 'a member with this email exists', { field: 'email' }));
    await writeAudit(tx, {
      at: new Date(),
      workspaceId: p.workspaceId,
      actor: actor(p),
      action: 'member.invited',
      subjectType: 'member',
      subjectId: row!.id,
      details: { role: data.role },
    });
    return row!;
  });
}

/** Admin: changes a member's role, and with it the role of every key issued to them. */
export async function changeMemberRole(
  db: Db,
  principal: Principal | null,
  memberId: string,
  role: string,
): Promise<MemberRow> {
  const p = authorize(principal, 'admin');
  const id = parseId(memberId) ?? -1;
  const next = validate(z.enum(roles), role);
  if (p.userId === id && next !== 'admin') {
    throw new QunfaError('CONFLICT', 'an admin cannot take their own admin role away', {
      details: { field: 'role' },
    });
  }
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .update(users)
      .set({ role: next })
      .where(and(eq(users.id, id), eq(users.workspaceId, p.workspaceId)))
      .returning();
    if (!row)
      throw new QunfaError('NOT_FOUND', 'no such member in this workspace', { details: { memberId } });
    await tx.update(apiKeys).set({ role: next }).where(eq(apiKeys.userId, id));
    await writeAudit(tx, {
      at: new Date(),
      workspaceId: p.workspaceId,
      actor: actor(p),
      action: 'member.role_changed',
      subjectType: 'member',
      subjectId: id,
      details: { role: next },
    });
    return row;
  });
}
