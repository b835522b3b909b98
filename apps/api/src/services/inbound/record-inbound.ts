import type { Actor, Clock, EventBus, InboundMessage, InboundRecorded, Logger, Registry } from '@qunfa/core';
import { createGroupCommit, type GroupCommit } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { type Db, preparedRows } from '../../db/database.js';
import type { inboundMessages } from '../../db/schema/index.js';
import { intArrayLiteral, textArrayLiteral } from '../../store/pg-array.js';
import type { EvidenceOptions } from '../evidence/assemble-evidence.js';
import { type ClassifiedReply, classifyReply } from '../triage/classify-reply.js';
import { applyArrivals, readTriageSettings } from '../triage/triage-on-arrival.js';
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
 *
 * Calls for the same channel and scope arriving together share that transaction (group commit,
 * see createGroupCommit): each resolves once it committed, with its own messages' outcome; a
 * message in two calls is recorded once, the other counted a duplicate.
 */
export function recordInbound(
  deps: InboundDeps,
  channel: string,
  input: readonly InboundMessage[],
  options: RecordInboundOptions,
): Promise<InboundRecordResult> {
  return inboundCommits(deps, channel, options).submit(input);
}

/** Group commits of inbound messages, per database, and per channel and scope within it. */
const commitsByDb = new WeakMap<
  Db,
  Map<string, GroupCommit<readonly InboundMessage[], InboundRecordResult>>
>();

function inboundCommits(deps: InboundDeps, channel: string, options: RecordInboundOptions) {
  let byScope = commitsByDb.get(deps.db);
  if (!byScope) {
    byScope = new Map();
    commitsByDb.set(deps.db, byScope);
  }
  const scope = JSON.stringify([
    channel,
    options.windowMs,
    options.workspaceId ?? null,
    options.anyChannel ?? false,
    options.actor,
  ]);
  let commits = byScope.get(scope);
  if (!commits) {
    // Bounded: scopes are channels and API keys; an idle one is dropped when the map grows.
    if (byScope.size > 1_000) byScope.clear();
    const published = new WeakMap<InboundRecordResult[], Published>();
    commits = createGroupCommit<readonly InboundMessage[], InboundRecordResult>({
      commit: async (groups) => {
        const { results, publish } = await recordGroups(deps, channel, groups, options);
        published.set(results, publish);
        return results;
      },
      after: async (_groups, results) => {
        await published.get(results)?.();
      },
      sizeOf: (messages) => Math.max(1, messages.length),
    });
    byScope.set(scope, commits);
  }
  return commits;
}

type Published = () => Promise<void>;

/** One message's outcome within its call. */
type MessageOutcome = 'recorded' | 'duplicate' | 'unknown';

/**
 * The calls' messages in one transaction, and each call's result; `publish` sends the bus
 * events of what was recorded (after the commit, before the calls are answered).
 */
async function recordGroups(
  deps: InboundDeps,
  channel: string,
  groups: readonly (readonly InboundMessage[])[],
  options: RecordInboundOptions,
): Promise<{ results: InboundRecordResult[]; publish: Published }> {
  const input = groups.flat();
  const seen = new Set<string>();
  const first = input.map((m) => !seen.has(m.providerMessageId) && Boolean(seen.add(m.providerMessageId)));
  const distinct = input.filter((_, i) => first[i]);
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
  const unknownIds = new Set<string>();
  const values = messages.flatMap((m, i) => {
    const match = matches[i];
    if (!match) {
      unknownIds.add(m.providerMessageId);
      return [];
    }
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
  if (unknownIds.size > 0)
    deps.logger.info('inbound messages from unknown senders', { channel, count: unknownIds.size });
  const { stored, unsubscribedContacts, items } =
    values.length === 0
      ? { stored: [], unsubscribedContacts: [], items: [] }
      : await store(deps, values, classified, now, options.actor);
  const storedOf = new Map(stored.map((s) => [s.providerMessageId, s]));
  // A contact newly suppressed counts for the first call whose recorded message unsubscribed it.
  const unsubscribing = new Set(unsubscribedContacts);
  let at = 0;
  const results = groups.map((group): InboundRecordResult => {
    const result = { recorded: 0, duplicates: 0, attributed: 0, unsubscribed: 0, unknownSenders: 0 };
    const ids = group.map((m) => {
      const i = at++;
      const s = storedOf.get(m.providerMessageId);
      const outcome: MessageOutcome = !first[i]
        ? 'duplicate'
        : unknownIds.has(m.providerMessageId)
          ? 'unknown'
          : s
            ? 'recorded'
            : 'duplicate';
      if (outcome === 'unknown') result.unknownSenders++;
      else if (outcome === 'duplicate') result.duplicates++;
      else {
        result.recorded++;
        if (s!.campaignId !== null) result.attributed++;
        if (s!.action === 'unsubscribed' && unsubscribing.delete(s!.contactId)) result.unsubscribed++;
      }
      return s?.id ?? null;
    });
    return { ...result, ids };
  });
  const publish = async () => {
    await Promise.all([
      ...stored.map((s) =>
        deps.bus.publish('inbound.message', String(s.workspaceId), {
          workspaceId: String(s.workspaceId),
          id: String(s.id),
          channel,
          campaignId: s.campaignId === null ? null : String(s.campaignId),
          contactId: String(s.contactId),
          at: now.toISOString(),
        }),
      ),
      ...items.map((item) =>
        deps.bus.publish('triage.item', String(item.workspaceId), {
          workspaceId: String(item.workspaceId),
          id: String(item.id),
          change: 'created',
          at: now.toISOString(),
        }),
      ),
    ]);
    if (items.length > 0 && [...classified.values()].some((c) => c.label === 'interested')) {
      void deps.followUps?.kick();
    }
  };
  return { results, publish };
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
  const found = await preparedRows<{ id: string }>(
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
  action: string | null;
}

/**
 * Inserts the messages (skipping one already stored by its channel and provider id) in one
 * prepared statement, and returns those inserted.
 */
async function insertMessages(tx: Db, values: Row[]): Promise<Stored[]> {
  const inserted = await preparedRows<{
    id: number | string;
    workspace_id: number | string;
    provider_message_id: string;
    contact_id: number | string;
    campaign_id: number | string | null;
    action: string | null;
  }>(
    tx,
    sql`INSERT INTO inbound_messages (workspace_id, channel, account, provider_message_id, contact_id, identity_kind,
                                      campaign_id, delivery_id, group_id, text, media, action, sent_at, received_at)
        SELECT workspace_id, channel, account, provider_message_id, contact_id, identity_kind, campaign_id,
               delivery_id, group_id, text, media, action, sent_at, received_at
        FROM unnest(${intArrayLiteral(values.map((v) => v.workspaceId))}::bigint[],
                    ${textArrayLiteral(values.map((v) => v.channel))}::text[],
                    ${textArrayLiteral(values.map((v) => v.account ?? null))}::text[],
                    ${textArrayLiteral(values.map((v) => v.providerMessageId))}::text[],
                    ${intArrayLiteral(values.map((v) => v.contactId))}::bigint[],
                    ${textArrayLiteral(values.map((v) => v.identityKind))}::text[],
                    ${intArrayLiteral(values.map((v) => v.campaignId ?? null))}::bigint[],
                    ${intArrayLiteral(values.map((v) => v.deliveryId ?? null))}::bigint[],
                    ${textArrayLiteral(values.map((v) => v.groupId ?? null))}::text[],
                    ${textArrayLiteral(values.map((v) => v.text))}::text[],
                    ${textArrayLiteral(values.map((v) => JSON.stringify(v.media ?? [])))}::jsonb[],
                    ${textArrayLiteral(values.map((v) => v.action ?? null))}::text[],
                    ${textArrayLiteral(values.map((v) => v.sentAt.toISOString()))}::timestamptz[],
                    ${textArrayLiteral(values.map((v) => v.receivedAt!.toISOString()))}::timestamptz[])
             WITH ORDINALITY AS m(workspace_id, channel, account, provider_message_id, contact_id, identity_kind,
                                  campaign_id, delivery_id, group_id, text, media, action, sent_at, received_at, n)
        ORDER BY n
        ON CONFLICT (channel, provider_message_id) DO NOTHING
        RETURNING id, workspace_id, provider_message_id, contact_id, campaign_id, action`,
  );
  return inserted.map((r) => ({
    id: Number(r.id),
    workspaceId: Number(r.workspace_id),
    providerMessageId: r.provider_message_id,
    contactId: Number(r.contact_id),
    campaignId: r.campaign_id === null ? null : Number(r.campaign_id),
    action: r.action,
  }));
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
): Promise<{
  stored: Stored[];
  unsubscribedContacts: number[];
  items: { id: number; workspaceId: number }[];
}> {
  return deps.db.transaction(async (raw) => {
    const tx = raw as unknown as Db;
    // The insert and the workspaces' triage settings are independent: sent together (pipelined,
    // one round trip), as prepared statements (their texts never vary).
    const settings = readTriageSettings(
      tx,
      values.map((v) => v.workspaceId),
    );
    // Awaited in applyArrivals; when the insert fails first, its error is the transaction's.
    settings.catch(() => {});
    const inserted = await insertMessages(tx, values);
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
      settings,
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
    return { stored: inserted, unsubscribedContacts: applied.unsubscribedContacts, items: applied.items };
  });
}
