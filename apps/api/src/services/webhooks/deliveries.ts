import { QunfaError } from '@qunfa/core';
import { and, asc, desc, eq, inArray, lt } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { webhookAttempts, webhookDeliveries } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { decodeCursor, parseId, validate } from '../validate.js';

export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type WebhookAttemptRow = typeof webhookAttempts.$inferSelect;

const statuses = ['pending', 'delivered', 'failed'] as const;

const pageInput = z.object({
  endpointId: z.string().nullish(),
  status: z.enum(statuses).nullish(),
  eventId: z.string().max(100).nullish(),
  first: z.number().int().min(1).max(100).default(20),
  after: z.string().nullish(),
});

/** Admin: the delivery log, newest first. */
export async function listWebhookDeliveries(
  db: Db,
  principal: Principal | null,
  input: z.input<typeof pageInput>,
): Promise<{ rows: WebhookDeliveryRow[]; hasNextPage: boolean }> {
  const p = authorize(principal, 'admin');
  const data = validate(pageInput, input);
  const after = decodeCursor(data.after);
  const endpointId = data.endpointId == null ? undefined : parseId(data.endpointId);
  if (data.endpointId != null && endpointId === undefined) return { rows: [], hasNextPage: false };
  const found = await db
    .select()
    .from(webhookDeliveries)
    .where(
      and(
        eq(webhookDeliveries.workspaceId, p.workspaceId),
        endpointId === undefined ? undefined : eq(webhookDeliveries.endpointId, endpointId),
        data.status ? eq(webhookDeliveries.status, data.status) : undefined,
        data.eventId ? eq(webhookDeliveries.eventId, data.eventId) : undefined,
        after === undefined ? undefined : lt(webhookDeliveries.id, after),
      ),
    )
    .orderBy(desc(webhookDeliveries.id))
    .limit(data.first + 1);
  return { rows: found.slice(0, data.first), hasNextPage: found.length > data.first };
}

/** Every request made for these deliveries, oldest first, grouped by delivery. */
export async function attemptsOf(
  db: Db,
  deliveryIds: readonly number[],
): Promise<Map<number, WebhookAttemptRow[]>> {
  const byDelivery = new Map<number, WebhookAttemptRow[]>(deliveryIds.map((id) => [id, []]));
  if (deliveryIds.length === 0) return byDelivery;
  const found = await db
    .select()
    .from(webhookAttempts)
    .where(inArray(webhookAttempts.deliveryId, [...deliveryIds]))
    .orderBy(asc(webhookAttempts.deliveryId), asc(webhookAttempts.attempt), asc(webhookAttempts.id));
  for (const a of found) byDelivery.get(a.deliveryId)?.push(a);
  return byDelivery;
}

/**
 * Admin: sends a delivery again now, with the same event id (a receiver that deduplicates
 * takes it once) — after a partner fixed its endpoint, or to replay one it lost.
 */
export async function redeliverWebhook(
  db: Db,
  principal: Principal | null,
  id: string,
  now: Date,
): Promise<WebhookDeliveryRow> {
  const p = authorize(principal, 'admin');
  const n = parseId(id);
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] =
      n === undefined
        ? []
        : await tx
            .update(webhookDeliveries)
            .set({ status: 'pending', nextAttemptAt: now, leasedUntil: null, queuedUntil: null })
            .where(and(eq(webhookDeliveries.id, n), eq(webhookDeliveries.workspaceId, p.workspaceId)))
            .returning();
    if (!row) throw new QunfaError('NOT_FOUND', `webhook delivery ${id} not found`, { details: { id } });
    await writeAudit(tx, {
      workspaceId: p.workspaceId,
      actor: { kind: 'api_key', id: String(p.keyId) },
      action: 'webhook_delivery.redelivered',
      at: now,
      subjectType: 'webhook_delivery',
      subjectId: row.id,
      details: { eventId: row.eventId },
    });
    return row;
  });
}
