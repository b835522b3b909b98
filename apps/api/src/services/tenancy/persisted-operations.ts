import { createHash } from 'node:crypto';
import { QunfaError } from '@qunfa/core';
import { and, asc, eq } from 'drizzle-orm';
import { parse } from 'graphql';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { persistedOperations } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { validate } from '../validate.js';

export type PersistedOperationRow = typeof persistedOperations.$inferSelect;

export const documentHash = (document: string) => createHash('sha256').update(document).digest('hex');

/** Admin: adds a document to the allow-list (idempotent by hash); it must parse. */
export async function registerPersistedOperation(
  db: Db,
  principal: Principal | null,
  input: { name: string; document: string },
): Promise<PersistedOperationRow> {
  const p = authorize(principal, 'admin');
  const data = validate(
    z.object({ name: z.string().trim().min(1).max(100), document: z.string().min(1).max(100_000) }),
    input,
  );
  try {
    parse(data.document);
  } catch (error) {
    throw new QunfaError('INVALID_INPUT', `document: ${(error as Error).message}`, {
      details: { field: 'document' },
    });
  }
  const hash = documentHash(data.document);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .insert(persistedOperations)
      .values({ workspaceId: p.workspaceId, hash, name: data.name, document: data.document })
      .onConflictDoNothing()
      .returning();
    if (row) {
      await writeAudit(tx, {
        at: new Date(),
        workspaceId: p.workspaceId,
        actor: { kind: 'api_key', id: String(p.keyId) },
        action: 'persisted_operation.registered',
        subjectType: 'persisted_operation',
        subjectId: row.id,
        details: { name: data.name, hash },
      });
      return row;
    }
    const [existing] = await tx
      .select()
      .from(persistedOperations)
      .where(and(eq(persistedOperations.workspaceId, p.workspaceId), eq(persistedOperations.hash, hash)));
    return existing!;
  });
}

export async function listPersistedOperations(
  db: Db,
  principal: Principal | null,
): Promise<PersistedOperationRow[]> {
  const p = authorize(principal, 'admin');
  return db
    .select()
    .from(persistedOperations)
    .where(eq(persistedOperations.workspaceId, p.workspaceId))
    .orderBy(asc(persistedOperations.id));
}

/** The registered document of a hash in a workspace, or undefined. */
export async function persistedDocument(
  db: Db,
  workspaceId: number,
  hash: string,
): Promise<string | undefined> {
  const [row] = await db
    .select({ document: persistedOperations.document })
    .from(persistedOperations)
    .where(and(eq(persistedOperations.workspaceId, workspaceId), eq(persistedOperations.hash, hash)));
  return row?.document;
}
