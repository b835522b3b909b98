import { index, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/**
 * Messages contacts sent us (replies), from channels' callbacks and polls or the API: one row
 * per (channel, provider message id), so a replayed callback is stored once. The sender's
 * identity value is not copied here: the contact holds it (and an erasure removes it).
 */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    channel: text('channel').notNull(),
    account: text('account'),
    providerMessageId: text('provider_message_id').notNull(),
    contactId: ref('contact_id').notNull(),
    /** The kind of identity it came from (phone, wecom_external_userid…). */
    identityKind: text('identity_kind').notNull(),
    /** The campaign whose delivery last reached the contact on this channel within the window, if any. */
    campaignId: ref('campaign_id'),
    deliveryId: ref('delivery_id'),
    groupId: text('group_id'),
    text: text('text').notNull(),
    /** `[{ type, ref }]`: provider references, never the media. */
    media: jsonb('media').$type<{ type: string; ref: string }[]>().notNull().default([]),
    /** What the message did on arrival: `unsubscribed`, or null. */
    action: text('action'),
    sentAt: at('sent_at').notNull(),
    receivedAt: at('received_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('inbound_messages_provider_idx').on(t.channel, t.providerMessageId),
    index('inbound_messages_workspace_idx').on(t.workspaceId, t.id),
    index('inbound_messages_campaign_idx').on(t.campaignId, t.id),
    index('inbound_messages_contact_idx').on(t.contactId, t.id),
  ],
);
