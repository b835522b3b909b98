import { index, numeric, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/**
 * A conversion or custom event a partner app reported (GraphQL or signed webhook), once per
 * idempotency key, attributed to the delivery that brought it: by its tracked-link token, or to
 * the latest message that reached the contact within the attribution window; else to none.
 */
export const conversions = pgTable(
  'conversions',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    idempotencyKey: text('idempotency_key').notNull(),
    /** The partner's event name: `purchase`, `form_submitted`… */
    event: text('event').notNull(),
    value: numeric('value', { precision: 18, scale: 6 }),
    currency: text('currency'),
    contactId: ref('contact_id'),
    campaignId: ref('campaign_id'),
    deliveryId: ref('delivery_id'),
    /** `link` (tracked-link token), `delivery`, `contact` (latest message within the window) or `none`. */
    attributedBy: text('attributed_by').notNull(),
    /** `api` or `webhook`. */
    source: text('source').notNull(),
    occurredAt: at('occurred_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('conversions_key_idx').on(t.workspaceId, t.idempotencyKey),
    index('conversions_campaign_idx').on(t.campaignId, t.deliveryId),
    index('conversions_contact_idx').on(t.contactId),
  ],
);
