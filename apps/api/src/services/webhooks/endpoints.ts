import { randomBytes } from 'node:crypto';
import { QunfaError } from '@qunfa/core';
import { and, asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import type { Db } from '../../db/database.js';
import { webhookDeliveries, webhookEndpoints } from '../../db/schema/index.js';
import { writeAudit } from '../../store/audit.js';
import { parseId, validate } from '../validate.js';
import { checkWebhookUrl, defaultWebhookAddressPolicy, type WebhookAddressPolicy } from './address-guard.js';
import { isWebhookEventType, webhookEventTypes } from './event-types.js';

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;

const url = z
  .string()
  .trim()
  .max(2000)
  .refine((u) => {
    try {
      const parsed = new URL(u);
      return (
        (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.username && !parsed.password
      );
    } catch {
      return false;
    }
  }, 'an http(s) URL without credentials');

const eventTypes = z
  .array(z.string())
  .min(1)
  .max(Object.keys(webhookEventTypes).length)
  .refine((types) => types.every(isWebhookEventType), {
    message: `each one of ${Object.keys(webhookEventTypes).join(', ')}`,
  })
  .transform((types) => [...new Set(types)]);

const description = z.string().trim().max(200).nullish();

const newSecret = () => `whsec_${randomBytes(32).toString('base64url')}`;

const actorOf = (p: Principal) => ({ kind: 'api_key' as const, id: String(p.keyId) });

async function mine(db: Db, p: Principal, id: string): Promise<WebhookEndpointRow> {
  const n = parseId(id);
  const [row] =
    n === undefined
      ? []
      : await db
          .select()
          .from(webhookEndpoints)
          .where(and(eq(webhookEndpoints.id, n), eq(webhookEndpoints.workspaceId, p.workspaceId)));
  if (!row) throw new QunfaError('NOT_FOUND', `webhook endpoint ${id} not found`, { details: { id } });
  return row;
}

/** Admin: registers a partner URL for some event types; the signing secret is shown this once. */
export async function createWebhookEndpoint(
  db: Db,
  principal: Principal | null,
  input: { url: string; eventTypes: string[]; description?: string | null },
  addresses: WebhookAddressPolicy = defaultWebhookAddressPolicy,
  /** The server's clock reading. */
  now: Date = new Date(),
): Promise<{ endpoint: WebhookEndpointRow; secret: string }> {
  const p = authorize(principal, 'admin');
  const data = validate(z.object({ url, eventTypes, description }), input);
  await checkWebhookUrl(data.url, addresses);
  const secret = newSecret();
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [endpoint] = await tx
      .insert(webhookEndpoints)
      .values({
        workspaceId: p.workspaceId,
        url: data.url,
        eventTypes: data.eventTypes,
        description: data.description ?? null,
        secret,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    await writeAudit(tx, {
      at: now,
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'webhook_endpoint.created',
      subjectType: 'webhook_endpoint',
      subjectId: endpoint!.id,
      details: { url: data.url, eventTypes: data.eventTypes },
    });
    return { endpoint: endpoint!, secret };
  });
}

export async function listWebhookEndpoints(
  db: Db,
  principal: Principal | null,
): Promise<WebhookEndpointRow[]> {
  const p = authorize(principal, 'admin');
  return db
    .select()
    .from(webhookEndpoints)
    .where(eq(webhookEndpoints.workspaceId, p.workspaceId))
    .orderBy(asc(webhookEndpoints.id));
}

/**
 * Admin: changes the URL, event types, description, or pauses (enabled: false) an endpoint.
 * Enabling it again, after a pause or after the dispatcher disabled it for failing, clears its
 * failure streak; its pending deliveries go out again at once.
 */
export async function updateWebhookEndpoint(
  db: Db,
  principal: Principal | null,
  id: string,
  input: {
    url?: string | null;
    eventTypes?: string[] | null;
    description?: string | null;
    enabled?: boolean | null;
  },
  addresses: WebhookAddressPolicy = defaultWebhookAddressPolicy,
  now: Date = new Date(),
): Promise<WebhookEndpointRow> {
  const p = authorize(principal, 'admin');
  const data = validate(
    z.object({
      url: url.nullish(),
      eventTypes: eventTypes.nullish(),
      description,
      enabled: z.boolean().nullish(),
    }),
    input,
  );
  const before = await mine(db, p, id);
  if (data.url != null) await checkWebhookUrl(data.url, addresses);
  const reenabled = data.enabled === true && !before.enabled;
  return db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        ...(data.url == null ? {} : { url: data.url }),
        ...(data.eventTypes == null ? {} : { eventTypes: data.eventTypes }),
        ...(data.description === undefined ? {} : { description: data.description }),
        ...(data.enabled == null ? {} : { enabled: data.enabled }),
        ...(data.enabled === true ? { consecutiveFailures: 0, disabledReason: null, disabledAt: null } : {}),
        ...(data.enabled === false && before.enabled ? { disabledAt: now } : {}),
        updatedAt: now,
      })
      .where(and(eq(webhookEndpoints.id, Number(id)), eq(webhookEndpoints.workspaceId, p.workspaceId)))
      .returning();
    await writeAudit(tx, {
      at: now,
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'webhook_endpoint.updated',
      subjectType: 'webhook_endpoint',
      subjectId: id,
      details: { url: data.url ?? null, eventTypes: data.eventTypes ?? null, enabled: data.enabled ?? null },
    });
    if (reenabled) {
      // Due now, and offered to the queue again (a job that found it disabled has ended).
      await tx
        .update(webhookDeliveries)
        .set({ nextAttemptAt: now, queuedUntil: null, leasedUntil: null })
        .where(and(eq(webhookDeliveries.endpointId, row!.id), eq(webhookDeliveries.status, 'pending')));
    }
    return row!;
  });
}

/** Admin: a new signing secret, shown this once; the old one stops signing at once. */
export async function rotateWebhookSecret(
  db: Db,
  principal: Principal | null,
  id: string,
  now: Date = new Date(),
): Promise<string> {
  const p = authorize(principal, 'admin');
  await mine(db, p, id);
  const secret = newSecret();
  await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx
      .update(webhookEndpoints)
      .set({ secret, updatedAt: now })
      .where(and(eq(webhookEndpoints.id, Number(id)), eq(webhookEndpoints.workspaceId, p.workspaceId)));
    await writeAudit(tx, {
      at: now,
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'webhook_endpoint.secret_rotated',
      subjectType: 'webhook_endpoint',
      subjectId: id,
    });
  });
  return secret;
}

/** Admin: removes an endpoint with its outbox and delivery log. */
export async function deleteWebhookEndpoint(
  db: Db,
  principal: Principal | null,
  id: string,
  now: Date = new Date(),
): Promise<boolean> {
  const p = authorize(principal, 'admin');
  await mine(db, p, id);
  await db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    await tx
      .delete(webhookEndpoints)
      .where(and(eq(webhookEndpoints.id, Number(id)), eq(webhookEndpoints.workspaceId, p.workspaceId)));
    await writeAudit(tx, {
      at: now,
      workspaceId: p.workspaceId,
      actor: actorOf(p),
      action: 'webhook_endpoint.deleted',
      subjectType: 'webhook_endpoint',
      subjectId: id,
    });
  });
  return true;
}
