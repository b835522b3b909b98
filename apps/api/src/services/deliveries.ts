import { type DeliveryState, deliveryStates } from '@qunfa/core';
import { and, asc, eq, gt, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { batches, contacts, deliveries, deliveryAttempts } from '../db/schema/index.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { decodeCursor, keysetPage, validate } from './validate.js';

/**
 * A delivery's state as the counters count it: a claimed batch's deliveries stay `queued` in
 * their rows until the settlement (a claim does not rewrite them), but are `submitted` while
 * their batch is leased.
 */
export const effectiveState = sql<string>`CASE WHEN ${deliveries.state} = 'queued' AND ${batches.state} = 'leased'
  THEN 'submitted' ELSE ${deliveries.state} END`;

const listInput = z.object({
  first: z.number().int().min(1).max(500),
  after: z.string().nullish(),
  states: z.array(z.enum(deliveryStates)).max(deliveryStates.length).nullish(),
});

/**
 * A campaign's deliveries, one per recipient, with every attempt (channel, account, outcome,
 * provider message id, error): what an operator reads before resending the failed ones.
 */
export async function listDeliveries(
  deps: ServiceDeps,
  principal: Principal | null,
  campaignId: string,
  input: unknown,
) {
  const p = authorize(principal, 'read');
  const args = validate(listInput, input);
  const campaign = await requireCampaign(deps.db, p, campaignId);
  const after = decodeCursor(args.after);
  const rows = await deps.db
    .select({ delivery: deliveries, contactName: contacts.name, state: effectiveState })
    .from(deliveries)
    .innerJoin(contacts, eq(contacts.id, deliveries.contactId))
    .leftJoin(batches, eq(batches.id, deliveries.batchId))
    .where(
      and(
        eq(deliveries.campaignId, Number(campaign.id)),
        args.states?.length
          ? sql`${effectiveState} IN (${sql.join(
              args.states.map((st) => sql`${st}`),
              sql`, `,
            )})`
          : undefined,
        after !== undefined ? gt(deliveries.id, after) : undefined,
      ),
    )
    .orderBy(asc(deliveries.id))
    .limit(args.first + 1);
  const page = rows.slice(0, args.first);
  const attempts =
    page.length === 0
      ? []
      : await deps.db
          .select()
          .from(deliveryAttempts)
          .where(
            inArray(
              deliveryAttempts.deliveryId,
              page.map((r) => r.delivery.id),
            ),
          )
          .orderBy(asc(deliveryAttempts.id));
  const nodes = page.map(({ delivery: d, contactName, state }) => ({
    id: String(d.id),
    contactId: String(d.contactId),
    contactName,
    variantId: d.variantId === null ? null : String(d.variantId),
    channel: d.channel,
    state: state as DeliveryState,
    failureClass: d.failureClass,
    suppressionReason: d.suppressionReason,
    lastError: d.lastError,
    providerMessageId: d.providerMessageId,
    resolution: d.resolution,
    updatedAt: d.updatedAt,
    attempts: attempts
      .filter((a) => a.deliveryId === d.id)
      .map((a) => ({
        attempt: a.attempt,
        channel: a.channel,
        account: a.account,
        status: a.status,
        providerMessageId: a.providerMessageId,
        failureClass: a.failureClass,
        error: a.error,
        note: a.note,
        at: a.at,
      })),
  }));
  return keysetPage(rows.length, args.first, nodes);
}

export type DeliveryView = Awaited<ReturnType<typeof listDeliveries>>['edges'][number]['node'];
