import { randomUUID } from 'node:crypto';
import {
  type IdentityKind,
  isQunfaError,
  QunfaError,
  type SendOutcome,
  type TriageStatus,
  triageTransition,
} from '@qunfa/core';
import { and, asc, eq, isNull, max } from 'drizzle-orm';
import { z } from 'zod';
import type { Principal } from '../../auth/roles.js';
import { authorize } from '../../auth/roles.js';
import { contactIdentities, deliveries, inboundMessages, triageReplies } from '../../db/schema/index.js';
import type { ServiceDeps } from '../deps.js';
import { API_CHANNEL } from '../inbound/inbound-messages.js';
import { validate } from '../validate.js';
import { moveTriageItem } from './triage-actions.js';
import { getTriageItem, type TriageItemRow } from './triage-items.js';

export type TriageReplyRow = typeof triageReplies.$inferSelect;

const replyInput = z.object({
  id: z.string(),
  text: z.string().trim().min(1).max(2000),
  /** Same key, same answer: a retried call never sends it twice. */
  idempotencyKey: z.string().min(1).max(128).nullish(),
});

/** A reply's result: the item after it and the reply as sent or failed (a failure is expected, not thrown). */
export interface TriageReplyResult {
  item: TriageItemRow;
  reply: TriageReplyRow;
}

/**
 * Answers a triage item over the channel its message came from (a message reported over the
 * API without one: the channel of the delivery it was attributed to). The reply is written
 * `sending` before the channel is called; the same idempotency key answers with the sent (or
 * uncertain) reply instead of sending again, and a crashed or failed one is retried with the same key. On
 * success the item becomes `replied`.
 */
export async function replyToTriageItem(
  deps: ServiceDeps,
  principal: Principal | null,
  input: z.input<typeof replyInput>,
): Promise<TriageReplyResult> {
  const p = authorize(principal, 'write');
  const data = validate(replyInput, input);
  const item = await getTriageItem(deps.db, p.workspaceId, data.id);
  triageTransition(item.status as TriageStatus, 'reply');
  const [message] = await deps.db
    .select()
    .from(inboundMessages)
    .where(eq(inboundMessages.id, item.inboundMessageId));
  if (!message)
    throw new QunfaError('NOT_FOUND', 'the message of this item is gone', { details: { id: data.id } });
  const channel = await replyChannel(deps, message);
  const [identity] = await deps.db
    .select({ value: contactIdentities.value })
    .from(contactIdentities)
    .where(
      and(eq(contactIdentities.contactId, item.contactId), eq(contactIdentities.kind, message.identityKind)),
    );
  if (!identity) {
    throw new QunfaError('INVALID_INPUT', 'the contact no longer has the identity it wrote from', {
      details: { id: data.id, identityKind: message.identityKind },
    });
  }
  const key = data.idempotencyKey ?? randomUUID();
  await deps.db
    .insert(triageReplies)
    .values({
      workspaceId: p.workspaceId,
      itemId: item.id,
      idempotencyKey: key,
      channel,
      text: data.text,
      status: 'sending',
      actorId: String(p.keyId),
      createdAt: deps.clock.now(),
    })
    .onConflictDoNothing();
  const [reply] = await deps.db
    .select()
    .from(triageReplies)
    .where(and(eq(triageReplies.workspaceId, p.workspaceId), eq(triageReplies.idempotencyKey, key)));
  if (reply!.itemId !== item.id) {
    throw new QunfaError('CONFLICT', 'this idempotency key answered another item', {
      details: { field: 'idempotencyKey' },
    });
  }
  if (reply!.status === 'sent')
    return { item: await getTriageItem(deps.db, p.workspaceId, data.id), reply: reply! };

  const lastInboundAt = await lastWrote(deps, item.contactId, channel, message.account);
  let outcome: SendOutcome;
  try {
    outcome = await deps.engine.reply(channel, {
      inReplyTo: {
        providerMessageId: message.providerMessageId,
        ...(message.groupId ? { groupId: message.groupId } : {}),
      },
      to: { kind: message.identityKind as IdentityKind, value: identity.value },
      account: message.account,
      content: { type: 'text', text: reply!.text },
      idempotencyKey: `reply-${p.workspaceId}-${key}`,
      ...(lastInboundAt ? { lastInboundAt } : {}),
    });
  } catch (error) {
    // The provider takes no answer now (an OA's 48 hours): nothing was sent, nothing is kept.
    if (isQunfaError(error, 'REPLY_WINDOW_CLOSED') && reply!.status !== 'uncertain') {
      await deps.db.delete(triageReplies).where(eq(triageReplies.id, reply!.id));
      throw error;
    }
    await settle(deps, reply!.id, {
      status: 'failed',
      failureClass: 'unknown',
      failureMessage: messageOf(error),
    });
    throw error;
  }
  if (outcome.status !== 'sent') {
    // Uncertain (the provider may have it): kept so, and never sent again under this key. A reply
    // the platform filters by a per-person cap did not go out: failed, with the cap as the reason.
    const failed = await settle(deps, reply!.id, {
      status: outcome.status === 'filtered' ? 'failed' : outcome.status,
      failureClass: outcome.failure ?? null,
      failureMessage: (outcome.status === 'filtered' ? outcome.reason : outcome.error).slice(0, 500),
    });
    return { item, reply: failed };
  }
  const sent = await settle(deps, reply!.id, {
    status: 'sent',
    providerMessageId: outcome.providerMessageId ?? null,
    sentAt: deps.clock.now(),
  });
  const moved = await moveTriageItem(
    deps,
    p,
    data.id,
    'reply',
    { repliedAt: deps.clock.now() },
    {
      replyId: sent.id,
      channel,
    },
  );
  return { item: moved, reply: sent };
}

/** When the contact last wrote on the channel (and account): the start of a reply window. */
async function lastWrote(
  deps: ServiceDeps,
  contactId: number,
  channel: string,
  account: string | null,
): Promise<Date | undefined> {
  const [row] = await deps.db
    .select({ at: max(inboundMessages.sentAt) })
    .from(inboundMessages)
    .where(
      and(
        eq(inboundMessages.contactId, contactId),
        eq(inboundMessages.channel, channel),
        account === null ? isNull(inboundMessages.account) : eq(inboundMessages.account, account),
      ),
    );
  return row?.at ? new Date(row.at) : undefined;
}

/** The channel to answer on: the message's own, or for one reported over the API its delivery's. */
async function replyChannel(
  deps: ServiceDeps,
  message: typeof inboundMessages.$inferSelect,
): Promise<string> {
  if (message.channel !== API_CHANNEL) return message.channel;
  if (message.deliveryId !== null) {
    const [delivery] = await deps.db
      .select({ channel: deliveries.channel })
      .from(deliveries)
      .where(eq(deliveries.id, message.deliveryId));
    if (delivery?.channel) return delivery.channel;
  }
  throw new QunfaError('INVALID_INPUT', 'this message came over the API with no channel to answer on', {
    details: { field: 'id' },
  });
}

async function settle(deps: ServiceDeps, id: number, set: Partial<TriageReplyRow>): Promise<TriageReplyRow> {
  const [row] = await deps.db.update(triageReplies).set(set).where(eq(triageReplies.id, id)).returning();
  return row!;
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/** The answers sent to an item, oldest first (the item is already the caller's workspace's). */
export function repliesOf(deps: ServiceDeps, item: TriageItemRow): Promise<TriageReplyRow[]> {
  return deps.db
    .select()
    .from(triageReplies)
    .where(and(eq(triageReplies.workspaceId, item.workspaceId), eq(triageReplies.itemId, item.id)))
    .orderBy(asc(triageReplies.id));
}
