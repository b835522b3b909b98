import type { Actor } from '@qunfa/core';
import type { Db } from '../db/database.js';
import { auditLog } from '../db/schema/index.js';
import { enqueueWebhookEvent } from '../services/webhooks/enqueue.js';
import { webhookEventOfAudit } from '../services/webhooks/event-types.js';

export interface AuditEntry {
  workspaceId: string | number;
  actor: Actor;
  action: string;
  subjectType: string;
  subjectId: string | number;
  details?: Record<string, unknown>;
  /** When it happened, on the server's clock (never the database's `now()`, which a shifted clock disagrees with). */
  at: Date;
}

/**
 * Appends to the audit log; call inside the transaction that made the change. What partners
 * may hear of (state changes, approvals) goes to the webhook outbox in the same transaction.
 */
export async function writeAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values({
    workspaceId: Number(entry.workspaceId),
    actorKind: entry.actor.kind,
    actorId: entry.actor.id,
    action: entry.action,
    subjectType: entry.subjectType,
    subjectId: String(entry.subjectId),
    details: entry.details ?? {},
    at: entry.at,
  });
  const event = webhookEventOfAudit(entry.action, String(entry.subjectId), entry.details ?? {});
  if (event && entry.workspaceId != null) {
    await enqueueWebhookEvent(db, { workspaceId: entry.workspaceId, ...event, at: entry.at });
  }
}
