import { QunfaError } from '@qunfa/core';
import { and, eq, inArray } from 'drizzle-orm';
import type { Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { apiKeys, auditLog, workspaces } from '../../db/schema/index.js';

/**
 * Refuses an approval of a separated step (one a matching policy marks so) by the campaign's
 * author when the workspace separates duties (the default): the key that created the
 * campaign, or any key of the same member, may not approve it.
 */
export async function refuseAuthorAsApprover(
  db: Db,
  approver: Principal,
  campaignId: string,
  step: string,
): Promise<void> {
  const [ws] = await db
    .select({ on: workspaces.separationOfDuties })
    .from(workspaces)
    .where(eq(workspaces.id, approver.workspaceId));
  if (!ws?.on) return;
  const [created] = await db
    .select({ kind: auditLog.actorKind, id: auditLog.actorId })
    .from(auditLog)
    .where(
      and(
        eq(auditLog.workspaceId, approver.workspaceId),
        eq(auditLog.subjectType, 'campaign'),
        eq(auditLog.subjectId, campaignId),
        eq(auditLog.action, 'campaign.created'),
      ),
    );
  if (created?.kind !== 'api_key') return;
  const authorKeyId = Number(created.id);
  let same = authorKeyId === approver.keyId;
  if (!same && approver.userId != null) {
    const [author] = await db
      .select({ userId: apiKeys.userId })
      .from(apiKeys)
      .where(inArray(apiKeys.id, [authorKeyId]));
    same = author?.userId === approver.userId;
  }
  if (same) {
    throw new QunfaError(
      'SEPARATION_OF_DUTIES',
      `the author of a campaign may not approve its "${step}" step`,
      {
        details: { campaignId, step, setting: 'separationOfDuties' },
      },
    );
  }
}
