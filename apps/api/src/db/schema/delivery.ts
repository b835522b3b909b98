import { index, integer, jsonb, pgTable, smallint, text, unique, uniqueIndex } from 'drizzle-orm/pg-core';
import { campaigns } from './campaign.js';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

export const batches = pgTable(
  'batches',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    account: text('account'),
    seq: integer('seq').notNull(),
    state: text('state').notNull().default('queued'),
    dueAt: at('due_at').notNull(),
    size: integer('size').notNull(),
    starts: integer('starts').notNull().default(0),
    leaseOwner: text('lease_owner'),
    leaseUntil: at('lease_until'),
    /** Why it is due later than planned (a rule's deferral, retry, account_cooldown, quota_reached); null when planned. */
    waitReason: text('wait_reason'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    index('batches_due_idx').on(t.state, t.dueAt),
    index('batches_campaign_idx').on(t.campaignId, t.state),
  ],
);

export const deliveries = pgTable(
  'deliveries',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id').notNull(),
    // No foreign keys on the two columns below, nor on `delivery_attempts.delivery_id`: a
    // plan writes a row per recipient and each key costs a per-row check (and a row lock on
    // the contact), which doubled planning. Only the plan and settlement write these rows,
    // from a campaign and contacts read in the same transaction; neither is ever deleted
    // once it has deliveries (a merge keeps such a contact, an erasure anonymises it).
    campaignId: ref('campaign_id').notNull(),
    contactId: ref('contact_id').notNull(),
    /** Null in an A/B test's hold-out, and in its rest until the winner is decided. */
    variantId: ref('variant_id'),
    channel: text('channel'),
    batchId: ref('batch_id'),
    state: text('state').notNull(),
    /** Provider calls on the current channel. */
    attempts: smallint('attempts').notNull().default(0),
    /** The batch start that moved it to `submitted`, so a release reverts only its own. */
    claimedStart: integer('claimed_start'),
    providerMessageId: text('provider_message_id'),
    failureClass: text('failure_class'),
    suppressionReason: text('suppression_reason'),
    lastError: text('last_error'),
    /** resent | dropped: an operator's decision on a failed or uncertain delivery. */
    resolution: text('resolution'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // One delivery per recipient and channel: an all-channels campaign has one on each channel
    // that reaches the contact; a first-channel campaign one in all (escalation moves it).
    uniqueIndex('deliveries_campaign_contact_channel_idx').on(t.campaignId, t.contactId, t.channel),
    index('deliveries_batch_idx').on(t.batchId),
    index('deliveries_campaign_state_idx').on(t.campaignId, t.state),
    // Frequency caps count a contact's recent messages across campaigns.
    index('deliveries_contact_idx').on(t.contactId, t.updatedAt),
    // Receipts find their delivery by the provider's message id, within a channel.
    index('deliveries_provider_message_idx').on(t.channel, t.providerMessageId),
  ],
);

/** Every provider call per recipient: channel, account, outcome, error. */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id').notNull(),
    campaignId: ref('campaign_id').notNull(),
    deliveryId: ref('delivery_id').notNull(),
    batchId: ref('batch_id').notNull(),
    attempt: smallint('attempt').notNull(),
    channel: text('channel').notNull(),
    account: text('account'),
    status: text('status').notNull(),
    providerMessageId: text('provider_message_id'),
    failureClass: text('failure_class'),
    error: text('error'),
    /** Why this account (sender) was chosen for the recipient, where the channel chose one. */
    note: text('note'),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [index('delivery_attempts_delivery_idx').on(t.deliveryId)],
);

/**
 * Receipts, opens and clicks that found no settled delivery (`ReceiptStore`): a provider may
 * answer before the settlement of its send commits the provider message id. Written in the
 * receipt's own transaction, so no process keeps them in memory and none loses them by dying;
 * applied by the settlement of their delivery or a later retry, dropped after `keep_until`. The
 * escalation sweep leaves a delivery while one of these says it arrived.
 */
export const earlyReceipts = pgTable(
  'early_receipts',
  {
    id: idColumn(),
    /** With `provider_message_id`: a channel's receipt. */
    channel: text('channel'),
    providerMessageId: text('provider_message_id'),
    /** Or an open or click by our delivery id. No foreign key: a receipt never locks what it waits for. */
    deliveryId: ref('delivery_id'),
    state: text('state').notNull(),
    /** `earlyReceiptKey`: a replayed receipt is kept once. */
    dedupeKey: text('dedupe_key').notNull(),
    /** The `ReceiptEvent` as received, its time as ISO text. Its age is its id's order. */
    event: jsonb('event').notNull(),
    /** Set by the engine's clock (no database default: a shifted clock stays shifted). */
    keepUntil: at('keep_until').notNull(),
  },
  (t) => [
    unique('early_receipts_once')
      .on(t.channel, t.providerMessageId, t.deliveryId, t.dedupeKey)
      .nullsNotDistinct(),
    index('early_receipts_provider_idx').on(t.providerMessageId),
    index('early_receipts_delivery_idx').on(t.deliveryId),
  ],
);
