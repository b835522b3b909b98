import { randomUUID } from 'node:crypto';
import { type InboundMessage, identityKinds, QunfaError } from '@qunfa/core';
import { Repeater } from '@repeaterjs/repeater';
import { and, desc, eq, inArray, lt, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { authorize, type Principal } from '../../auth/roles.js';
import { inboundMessages } from '../../db/schema/index.js';
import type { ServiceDeps } from '../deps.js';
import { normalizeIdentity } from '../identity.js';
import { decodeCursor, keysetPage, parseId, validate } from '../validate.js';
import { type InboundRecordResult, MAX_INBOUND_TEXT, recordInbound } from './record-inbound.js';

export type InboundMessageRow = typeof inboundMessages.$inferSelect;

/** The channel name stored for messages reported over the API without one. */
export const API_CHANNEL = 'api';

const recordInput = z.object({
  channel: z
    .string()
    .regex(/^channel:[a-z0-9][a-z0-9-]{0,62}$/, 'a channel name, channel:<id>')
    .nullish(),
  from: z.object({ kind: z.enum(identityKinds), value: z.string().min(1).max(256) }),
  text: z.string().max(MAX_INBOUND_TEXT),
  at: z.date().nullish(),
  providerMessageId: z.string().min(1).max(256).nullish(),
  account: z.string().min(1).max(256).nullish(),
  groupId: z.string().min(1).max(256).nullish(),
});

/**
 * A message a contact sent, reported by a partner app or an operator: recorded as a channel's
 * would be (once per provider message id), within the caller's workspace. Without a channel,
 * attribution looks at the contact's deliveries on any channel.
 */
export async function recordInboundMessage(
  deps: ServiceDeps,
  principal: Principal | null,
  input: z.input<typeof recordInput>,
): Promise<InboundRecordResult> {
  const p = authorize(principal, 'write');
  const data = validate(recordInput, input);
  const value = normalizeIdentity(data.from.kind, data.from.value);
  if (value === undefined) {
    throw new QunfaError('INVALID_INPUT', `from.value: not a valid ${data.from.kind}`, {
      details: { field: 'from.value' },
    });
  }
  const message: InboundMessage = {
    providerMessageId: data.providerMessageId ?? `api-${randomUUID()}`,
    from: { kind: data.from.kind, value },
    account: data.account ?? null,
    at: data.at ?? deps.clock.now(),
    text: data.text,
    ...(data.groupId ? { groupId: data.groupId } : {}),
  };
  return recordInbound(deps, data.channel ?? API_CHANNEL, [message], {
    windowMs: deps.inboundAttributionMs,
    workspaceId: p.workspaceId,
    anyChannel: !data.channel,
    actor: { kind: 'api_key', id: String(p.keyId) },
  });
}

/** An SMS reply reported over the API: an inbound message from that phone, on no particular channel. */
export function recordSmsReply(
  deps: ServiceDeps,
  principal: Principal | null,
  input: { phone: string; text: string },
): Promise<InboundRecordResult> {
  return recordInboundMessage(deps, principal, {
    from: { kind: 'phone', value: input.phone },
    text: input.text,
  });
}

const listInput = z.object({
  first: z.number().int().min(1).max(500).default(50),
  after: z.string().nullish(),
  campaignId: z.string().nullish(),
  channel: z.string().max(64).nullish(),
  contactId: z.string().nullish(),
});

/** The workspace's inbound messages, newest first, optionally of one campaign, channel or contact. */
export async function listInboundMessages(
  deps: ServiceDeps,
  principal: Principal | null,
  input: z.input<typeof listInput>,
) {
  const p = authorize(principal, 'read');
  const data = validate(listInput, input);
  const where: SQL[] = [eq(inboundMessages.workspaceId, p.workspaceId)];
  const after = decodeCursor(data.after);
  if (after !== undefined) where.push(lt(inboundMessages.id, after));
  if (data.channel) where.push(eq(inboundMessages.channel, data.channel));
  for (const [field, column] of [
    ['campaignId', inboundMessages.campaignId],
    ['contactId', inboundMessages.contactId],
  ] as const) {
    const raw = data[field];
    if (raw === null || raw === undefined) continue;
    // A malformed id matches nothing, as an unknown one does.
    where.push(eq(column, parseId(raw) ?? -1));
  }
  const found = await deps.db
    .select()
    .from(inboundMessages)
    .where(and(...where))
    .orderBy(desc(inboundMessages.id))
    .limit(data.first + 1);
  const page = found.slice(0, data.first);
  return keysetPage(found.length, data.first, page);
}

/** Inbound messages of the workspace by id (others' and unknown ids are left out). */
export async function inboundMessagesById(
  deps: ServiceDeps,
  workspaceId: number,
  ids: number[],
): Promise<InboundMessageRow[]> {
  if (ids.length === 0) return [];
  return deps.db
    .select()
    .from(inboundMessages)
    .where(and(eq(inboundMessages.workspaceId, workspaceId), inArray(inboundMessages.id, ids)));
}

/** Inbound messages as they are recorded in the caller's workspace, from any process. */
export function inboundMessageUpdates(
  deps: ServiceDeps,
  principal: Principal | null,
): AsyncIterable<InboundMessageRow> {
  const p = authorize(principal, 'read');
  return new Repeater<InboundMessageRow>(async (push, stop) => {
    const abort = new AbortController();
    stop.then(() => abort.abort());
    try {
      for await (const event of deps.bus.subscribe('inbound.message', String(p.workspaceId), abort.signal)) {
        const [row] = await inboundMessagesById(deps, p.workspaceId, [Number(event.id)]);
        if (row) await push(row);
      }
    } finally {
      abort.abort();
    }
    stop();
  });
}
