import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { createApiKey } from '../../auth/api-keys.js';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { workspaces } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { validate } from '../validate.js';
import { type Owner, requireOwner } from './owner.js';

const name = z.string().trim().min(1, 'is required').max(100);
const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'an IANA time zone');

export type WorkspaceRow = typeof workspaces.$inferSelect;

const ownerActor = { kind: 'system' as const, id: 'owner' };
const keyActor = (p: Principal) => ({ kind: 'api_key' as const, id: String(p.keyId) });

/** Owner only: a new workspace and its first admin key (shown once). */
export async function createWorkspace(
  db: Db,
  owner: Owner | null,
  input: { name: string; timeZone?: string | null; adminKeyName?: string | null },
): Promise<{ workspace: WorkspaceRow; adminKey: string; adminKeyId: number }> {
  requireOwner(owner);
  const data = validate(
    z.object({ name, timeZone: timeZone.nullish(), adminKeyName: name.nullish() }),
    input,
  );
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [workspace] = await tx
      .insert(workspaces)
      .values({ name: data.name, ...(data.timeZone ? { timeZone: data.timeZone } : {}) })
      .returning();
    const key = await createApiKey(tx, {
      workspaceId: workspace!.id,
      name: data.adminKeyName ?? 'first admin',
      role: 'admin',
    });
    await writeAudit(tx, {
      at: new Date(),
      workspaceId: workspace!.id,
      actor: ownerActor,
      action: 'workspace.created',
      subjectType: 'workspace',
      subjectId: workspace!.id,
      details: { name: data.name, adminKeyId: key.id },
    });
    return { workspace: workspace!, adminKey: key.key, adminKeyId: key.id };
  });
}

/** Owner only: every workspace, oldest first. */
export async function listWorkspaces(db: Db, owner: Owner | null): Promise<WorkspaceRow[]> {
  requireOwner(owner);
  return db.select().from(workspaces).orderBy(asc(workspaces.id));
}

/** Admin: renames the caller's workspace, or turns separation of duties or the e-mail open pixel on or off. */
export async function updateWorkspace(
  db: Db,
  principal: Principal | null,
  input: { name?: string | null; separationOfDuties?: boolean | null; openPixel?: boolean | null },
): Promise<WorkspaceRow> {
  const p = authorize(principal, 'admin');
  const data = validate(
    z.object({
      name: name.nullish(),
      separationOfDuties: z.boolean().nullish(),
      openPixel: z.boolean().nullish(),
    }),
    input,
  );
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .update(workspaces)
      .set({
        ...(data.name == null ? {} : { name: data.name }),
        ...(data.separationOfDuties == null ? {} : { separationOfDuties: data.separationOfDuties }),
        ...(data.openPixel == null ? {} : { openPixel: data.openPixel }),
      })
      .where(eq(workspaces.id, p.workspaceId))
      .returning();
    await writeAudit(tx, {
      at: new Date(),
      workspaceId: p.workspaceId,
      actor: keyActor(p),
      action: 'workspace.updated',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
      details: {
        name: data.name ?? null,
        separationOfDuties: data.separationOfDuties ?? null,
        openPixel: data.openPixel ?? null,
      },
    });
    return row!;
  });
}
