import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { workspaces } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import type { ServiceDeps } from '../deps.js';
import { actorOf } from '../review-state.js';

/**
 * An admin makes a new key for signing conversion webhooks; the old one stops working at once.
 * The key is shown only in this answer (the audit entry says that it changed, not what it is).
 */
export async function rotateConversionSecret(
  deps: ServiceDeps,
  principal: Principal | null,
): Promise<string> {
  const p = authorize(principal, 'admin');
  const secret = `qcs_${randomBytes(32).toString('base64url')}`;
  await deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx.update(workspaces).set({ conversionSecret: secret }).where(eq(workspaces.id, p.workspaceId));
    await writeAudit(tx, {
      at: deps.clock.now(),
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'workspace.conversion_secret',
      subjectType: 'workspace',
      subjectId: p.workspaceId,
    });
  });
  return secret;
}

export async function conversionSecret(db: Db, workspaceId: number): Promise<string | null> {
  const [row] = await db
    .select({ secret: workspaces.conversionSecret })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return row?.secret ?? null;
}
