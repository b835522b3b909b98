import type { Actor, Clock, EventBus, InboundMessage, InboundRecorded, Logger, Registry } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, rows } from '../../db/database.js';
import { inboundMessages } from '../../db/schema/index.js';
import { textArrayLiteral } from '../../store/pg-array.js';
import type { EvidenceOptions } from '../evidence/assemble-evidence.js';
import { type ClassifiedReply, classifyReply } from '../triage/classify-reply.js';
import { applyArrivals } from '../triage/triage-on-arrival.js';
import { enqueueWebhookEvents, type WebhookEvent } from '../webhooks/enqueue.js';
import { matchSenders } from './match-senders.js';
import { isUnsubscribeReply } from './unsubscribe-reply.js';

/** Longest text kept of one message, in characters; the rest is cut. */
export const MAX_INBOUND_TEXT = 20_000;
/** Default attribution window: the campaign that reached the contact in the last 72 hours. */
export const DEFAULT_ATTRIBUTION_MS = 72 * 3_600_000;

export interface InboundDeps {
  db: Db;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Its classifiers sort each reply into a triage item. */
  registry: Pick<Registry, 'classifiers'>;
  /** Makes the follow-up runs of interested replies once they are stored. */
  followUps?: { kick(): Promise<void> };
  /** How complaint evidence bundles are signed and rendered. */
  evidence?: EvidenceOptions;
}

export interface RecordInboundOptions {
  /** How far back a delivery on the channel counts for attribution, in ms. */
  windowMs: number;
  /** Only senders of this workspace (an API call); undefined: any workspace (a provider's callback). */
  workspaceId?: number;
  /** Attribution looks at deliveries of any channel (a reply reported without one). */
  anyChannel?: boolean;
  actor: Actor;
}

/** Recording's result, with the stored id of each message given (null: duplicate or unknown sender). */
export type InboundRecordResult = InboundRecorded & { ids: (number | null)[] };

/** What PostgreSQL text can hold: no NUL, at most MAX_INBOUND_TEXT characters. */
const storable = (text: string) => [...text.replaceAll('\u0000', '')].slice(0, MAX_INBOUND_TEXT).join('');

/**
 * Records inbound messages of one channel: each once per provider message id, matched to its
 * sender's contact, attributed to the campaign that last reached them, and an unsubscribe
 * reply ("TD", "退订") suppresses the contact — all in one transaction; then every recorded
 * message is published on the workspace's `inbound.message` topic. Messages from identities no
 * workspace has (or several have, none having reached them) are counted, not stored.
 */
export async function recordInbound(
  deps: InboundDeps,
  channel: string,
  input: readonly InboundMessage[],
  options: RecordInboundOptions,
): Promise<InboundRecordResult> {
  const seen = new Set<string>();
  const distinct = input.filter((m) => !seen.has(m.providerMessageId) && seen.add(m.providerMessageId));
  // Replays first, in one read: a message already stored is neither matched nor classified again.
  // The insert below still skips a conflict, for a replay racing its first delivery.
  const known = await storedIds(deps.db, channel, distinct, options.workspaceId);
  const messages = distinct.filter((m) => !known.has(m.providerMessageId));
  const matches = await matchSenders(deps.db, options.anyChannel ? null : channel, messages, options);
  const now = deps.clock.now();
  const classified = new Map<string, ClassifiedReply>();
  for (const [i, m] of messages.entries()) {
    const match = matches[i];
    if (!match) continue;
    classified.set(
      m.providerMessageId,
      await classifyReply(deps.registry, deps.logger, {
        text: m.text,
        channel,
        workspaceId: match.workspaceId,
      }),
    );
  }
  const values = messages.flatMap((m, i) => {
    const match = matches[i];
    if (!match) return [];
    const label = classified.get(m.providerMessageId)!.label;
    return [
      {
        workspaceId: match.workspaceId,
        channel,
        account: m.account,
        providerMessageId: m.providerMessageId,
        contactId: match.contactId,
        identityKind: m.from.kind,
        campaignId: match.campaignId,
        deliveryId: match.deliveryId,
        groupId: m.groupId ?? null,
        text: storable(m.text),
        media: m.media ?? [],
        action: isUnsubscribeReply(m.text) || label === 'unsubscribe' ? 'unsubscribed' : null,
        sentAt: m.at,
        receivedAt: now,
      },
    ];
  });
  const unknownSenders = messages.length - values.length;
  if (unknownSenders > 0)
    deps.logger.info('inbound messages from unknown senders', { channel, count: unknownSenders });
  const { stored, unsubscribed, items } =
    values.length === 0
      ? { stored: [], unsubscribed: 0, items: [] }
      : await store(deps, values, classified, now, options.actor);
  const idOf = new Map(stored.map((s) => [s.providerMessageId, s.id]));
  for (const s of stored) {
    await deps.bus.publish('inbound.message', String(s.workspaceId), {
      workspaceId: String(s.workspaceId),
      id: String(s.id),
      channel,
      campaignId: s.campaignId === null ? null : String(s.campaignId),
      contactId: String(s.contactId),
      at: now.toISOString(),
    });
  }
  for (const item of items) {
    await deps.bus.publish('triage.item', String(item.workspaceId), {
      workspaceId: String(item.workspaceId),
      id: String(item.id),
      change: 'created',
      at: now.toISOString(),
    });
  }
  if (items.length > 0 && [...classified.values()].some((c) => c.label === 'interested')) {
    void deps.followUps?.kick();
  }
  return {
    recorded: stored.length,
    duplicates: input.length - stored.length - unknownSenders,
    attributed: stored.filter((s) => s.campaignId !== null).length,
    unsubscribed,
    unknownSenders,
    ids: input.map((m) => idOf.get(m.providerMessageId) ?? null),
  };
}

/**
 * Provider message ids of `messages` already stored for `channel` (within `workspaceId` when the
 * caller is one workspace: another's ids are not its to learn of; the insert's conflict still
 * keeps such a message out).
 */
async function storedIds(
  db: Db,
  channel: string,
  messages: readonly InboundMessage[],
  workspaceId: number | undefined,
): Promise<Set<string>> {
  if (messages.length === 0) return new Set();
  const found = await rows<{ id: string }>(
    db,
    sql`SELECT provider_message_id AS id FROM inbound_messages
        WHERE channel = ${channel}
          ${workspaceId === undefined ? sql`` : sql`AND workspace_id = ${workspaceId}::bigint`}
          AND provider_message_id = ANY(${textArrayLiteral(messages.map((m) => m.providerMessageId))}::text[])`,
  );
  return new Set(found.map((r) => r.id));
}

type Row = typeof inboundMessages.$inferInsert;
interface Stored {
  id: number;
  workspaceId: number;
  providerMessageId: string;
  contactId: number;
  campaignId: number | null;
}

/**
 * Inserts the new messages and triages them (items, suppressions, campaign opt-outs) in one
 * transaction; `unsubscribed` counts contacts newly suppressed by unsubscribe replies.
 */
async function store(
  deps: InboundDeps,
  values: Row[],
  classified: Map<string, ClassifiedReply>,
  now: Date,
  actor: Actor,
): Promise<{ stored: Stored[]; unsubscribed: number; items: { id: number; workspaceId: number }[] }> {
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    const inserted = await tx
      .insert(inboundMessages)
      .values(values)
      .onConflictDoNothing({ target: [inboundMessages.channel, inboundMessages.providerMessageId] })
      .returning({
        id: inboundMessages.id,
        workspaceId: inboundMessages.workspaceId,
        providerMessageId: inboundMessages.providerMessageId,
        contactId: inboundMessages.contactId,
        campaignId: inboundMessages.campaignId,
        action: inboundMessages.action,
      });
    const applied = await applyArrivals(
      tx,
      inserted.map((r) => ({
        inboundMessageId: r.id,
        workspaceId: r.workspaceId,
        contactId: r.contactId,
        campaignId: r.campaignId,
        channel: values[0]!.channel,
        unsubscribes: r.action === 'unsubscribed',
        classified: classified.get(r.providerMessageId)!,
      })),
      now,
      actor,
      deps.evidence,
    );
    // Every event of the batch in one statement (not one round trip per message and item).
    const events: WebhookEvent[] = inserted.map((r) => {
      const value = values.find((v) => v.providerMessageId === r.providerMessageId)!;
      return {
        workspaceId: r.workspaceId,
        type: 'inbound.message_received',
        at: now,
        data: {
          messageId: String(r.id),
          channel: value.channel,
          contactId: String(r.contactId),
          campaignId: r.campaignId === null ? null : String(r.campaignId),
          text: value.text,
          label: classified.get(r.providerMessageId)?.label ?? null,
          unsubscribed: r.action === 'unsubscribed',
        },
      };
    });
    for (const item of applied.items) {
      events.push({
        workspaceId: item.workspaceId,
        type: 'triage.item_created',
        at: now,
        data: {
          itemId: String(item.id),
          messageId: String(item.inboundMessageId),
          campaignId: item.campaignId === null ? null : String(item.campaignId),
          label: item.label,
          priority: item.priority,
          dueAt: item.dueAt?.toISOString() ?? null,
        },
      });
    }
    await enqueueWebhookEvents(tx, events);
    return { stored: inserted, unsubscribed: applied.suppressed.unsubscribed, items: applied.items };
  });
}
