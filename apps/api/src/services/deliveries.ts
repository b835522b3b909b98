import { type DeliveryState, deliveryStates } from '@qunfa/core';
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import { contacts, deliveries, deliveryAttempts } from '../db/schema/index.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { decodeCursor, encodeCursor, validate } from './validate.js';

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
    .select({ delivery: deliveries, contactName: contacts.name })
    .from(deliveries)
    .innerJoin(contacts, eq(contacts.id, deliveries.contactId))
    .where(
      and(
        eq(deliveries.campaignId, Number(campaign.id)),
        args.states?.length ? inArray(deliveries.state, args.states) : undefined,
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
  const nodes = page.map(({ delivery: d, contactName }) => ({
    id: String(d.id),
    contactId: String(d.contactId),
    contactName,
    variantId: d.variantId === null ? null : String(d.variantId),
    channel: d.channel,
    state: d.state as DeliveryState,
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
        at: a.at,
      })),
  }));
  return {
    edges: nodes.map((node) => ({ cursor: encodeCursor(Number(node.id)), node })),
    pageInfo: {
      hasNextPage: rows.length > args.first,
      endCursor: nodes.length > 0 ? encodeCursor(Number(nodes.at(-1)!.id)) : null,
    },
  };
}

export type DeliveryView = Awaited<ReturnType<typeof listDeliveries>>['edges'][number]['node'];
