import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, primaryKey, real, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';
import { inboundMessages } from './inbound.js';
import { workspaces } from './workspace.js';

/**
 * One inbox item per inbound message: its class (from the loaded classifier), priority and
 * reply deadline (the workspace's triage policy), who handles it and where it stands.
 */
export const triageItems = pgTable(
  'triage_items',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    inboundMessageId: ref('inbound_message_id')
      .notNull()
      .references(() => inboundMessages.id, { onDelete: 'cascade' }),
    contactId: ref('contact_id').notNull(),
    campaignId: ref('campaign_id'),
    /** consultation, complaint, interested, not_interested, unsubscribe, noise, other. */
    label: text('label').notNull(),
    confidence: real('confidence').notNull(),
    reasons: jsonb('reasons').$type<string[]>().notNull().default([]),
    /** The classifier plugin that answered; null when none did. */
    classifier: text('classifier'),
    /** urgent, high, normal, low. */
    priority: text('priority').notNull(),
    /** Answer by then; null: no deadline. */
    dueAt: at('due_at'),
    /** new, assigned, replied, resolved. */
    status: text('status').notNull().default('new'),
    /** Who handles it (an operator's name or handle), free text. */
    assignee: text('assignee'),
    repliedAt: at('replied_at'),
    resolvedAt: at('resolved_at'),
    /** An interested reply: the follow-up template to run for it (the workspace's at arrival). */
    followUpTemplateId: ref('follow_up_template_id'),
    /** The follow-up run made for it; null while one is still to be made. */
    followUpCampaignId: ref('follow_up_campaign_id'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('triage_items_message_idx').on(t.inboundMessageId),
    index('triage_items_open_idx').on(t.workspaceId, t.status, t.dueAt),
    index('triage_items_workspace_idx').on(t.workspaceId, t.id),
    index('triage_items_follow_up_idx')
      .on(t.id)
      .where(sql`follow_up_template_id IS NOT NULL AND follow_up_campaign_id IS NULL`),
  ],
);

/**
 * Operators' answers to triage items, written before the channel is called: a retried or
 * crashed reply reuses its idempotency key, so the contact gets it once.
 */
export const triageReplies = pgTable(
  'triage_replies',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    itemId: ref('item_id')
      .notNull()
      .references(() => triageItems.id, { onDelete: 'cascade' }),
    idempotencyKey: text('idempotency_key').notNull(),
    channel: text('channel').notNull(),
    text: text('text').notNull(),
    /** sending, sent, failed, uncertain (never re-sent under its key). */
    status: text('status').notNull(),
    providerMessageId: text('provider_message_id'),
    failureClass: text('failure_class'),
    failureMessage: text('failure_message'),
    actorId: text('actor_id').notNull(),
    createdAt: createdAt(),
    sentAt: at('sent_at'),
  },
  (t) => [uniqueIndex('triage_replies_key_idx').on(t.workspaceId, t.idempotencyKey)],
);

/** A contact who replied "not interested" (or complained) to a campaign: none of its follow-ups go to them. */
export const campaignOptOuts = pgTable(
  'campaign_opt_outs',
  {
    campaignId: ref('campaign_id').notNull(),
    contactId: ref('contact_id').notNull(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    inboundMessageId: ref('inbound_message_id'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.contactId] })],
);
