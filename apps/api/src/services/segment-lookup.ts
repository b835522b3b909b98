import { type AudienceExpression, QunfaError } from '@qunfa/core';
import { and, eq } from 'drizzle-orm';
import type { Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import { segments } from '../db/schema/index.js';
import { parseId } from './validate.js';

/** A segment of the principal's workspace, or NOT_FOUND (another workspace's too). */
export async function requireSegment(
  db: Db,
  p: Principal,
  id: string,
): Promise<{ id: number; audience: AudienceExpression }> {
  const n = parseId(id);
  const [row] =
    n === undefined
      ? []
      : await db
          .select({ id: segments.id, audience: segments.expression })
          .from(segments)
          .where(and(eq(segments.id, n), eq(segments.workspaceId, p.workspaceId)));
  if (!row) {
    throw new QunfaError('NOT_FOUND', `segment ${id} not found`, {
      details: { field: 'segmentId', segmentId: id },
    });
  }
  return row;
}
