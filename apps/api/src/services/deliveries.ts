import { type DeliveryState, deliveryStates } from '@qunfa/core';
import { and, asc, desc, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../auth/roles.js';
import type { Db } from '../db/database.js';
import {
  batches,
  campaigns,
  contacts,
  deliveries,
  deliveryAttempts,
  inboundMessages,
} from '../db/schema/index.js';
import { requireCampaign } from './campaigns.js';
import type { ServiceDeps } from './deps.js';
import { decodeCursor, keysetPage, parseId, validate } from './validate.js';

/**
 * A delivery's state as the counters count it: a claimed batch's deliveries stay `queued` in
 * their rows until the settlement (a claim does not rewrite them), but are `submitted` while
 * their batch is leased.
 */
export const effectiveState = sql<string>`CASE WHEN ${deliveries.state} = 'queued' AND ${batches.state} = 'leased'
  THEN 'submitted' ELSE ${deliveries.state} END`;

const deliveryColumns = {
  delivery: deliveries,
  contactName: contacts.name,
  campaignName: campaigns.name,
  state: effectiveState,
};

/** Rows of `deliveryColumns` as the API shows them, each with its attempts (one query for the page). */
async function withAttempts(
  db: Db,
  page: {
    delivery: typeof deliveries.$inferSelect;
    contactName: string | null;
    campaignName: string;
    state: string;
  }[],
) {
  const attempts =
    page.length === 0
      ? []
      : await db
          .select()
          .from(deliveryAttempts)
          .where(
            inArray(
              deliveryAttempts.deliveryId,
              page.map((r) => r.delivery.id),
            ),
          )
          .orderBy(asc(deliveryAttempts.id));
  return page.map(({ delivery: d, contactName, campaignName, state }) => ({
    id: String(d.id),
    campaignId: String(d.campaignId),
    campaignName,
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
}

const listInput = z.object({
  first: z.number().int().min(1).max(500),
  after: z.string().nullish(),
  states: z.array(z.enum(deliveryStates)).max(deliveryStates.length).nullish(),
});

/** Deliveries with the contact, campaign and batch a view of them names. */
const deliveriesInContext = (db: Db) =>
  db
    .select(deliveryColumns)
    .from(deliveries)
    .innerJoin(contacts, eq(contacts.id, deliveries.contactId))
    .innerJoin(campaigns, eq(campaigns.id, deliveries.campaignId))
    .leftJoin(batches, eq(batches.id, deliveries.batchId));

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
  const rows = await deliveriesInContext(deps.db)
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
  const nodes = await withAttempts(deps.db, rows.slice(0, args.first));
  return keysetPage(rows.length, args.first, nodes);
}

export type DeliveryView = Awaited<ReturnType<typeof listDeliveries>>['edges'][number]['node'];

const contactListInput = z.object({
  first: z.number().int().min(1).max(100),
  after: z.string().nullish(),
});

/** A contact's deliveries across the workspace's campaigns, newest first: what reached them, over which channel, how it ended. */
export async function listContactDeliveries(
  deps: ServiceDeps,
  principal: Principal | null,
  contactId: string,
  input: unknown,
) {
  const p = authorize(principal, 'read');
  const args = validate(contactListInput, input);
  const after = decodeCursor(args.after);
  const rows = await deliveriesInContext(deps.db)
    .where(
      and(
        eq(deliveries.contactId, parseId(contactId) ?? -1),
        eq(campaigns.workspaceId, p.workspaceId),
        after !== undefined ? lt(deliveries.id, after) : undefined,
      ),
    )
    .orderBy(desc(deliveries.id))
    .limit(args.first + 1);
  const nodes = await withAttempts(deps.db, rows.slice(0, args.first));
  return keysetPage(rows.length, args.first, nodes);
}

/** The inbound messages attributed to a delivery, oldest first (read through the contact's index). */
export function deliveryReplies(deps: ServiceDeps, d: Pick<DeliveryView, 'id' | 'contactId'>) {
  return deps.db
    .select()
    .from(inboundMessages)
    .where(
      and(eq(inboundMessages.contactId, Number(d.contactId)), eq(inboundMessages.deliveryId, Number(d.id))),
    )
    .orderBy(asc(inboundMessages.id));
}
