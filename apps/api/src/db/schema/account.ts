import { pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { at } from './common.js';

/**
 * Recorded health of a channel's sender accounts (an account with no row is healthy).
 * Accounts belong to the deployment's channel plugins, so this table has no workspace.
 */
export const senderAccounts = pgTable(
  'sender_accounts',
  {
    channel: text('channel').notNull(),
    account: text('account').notNull(),
    state: text('state').notNull(),
    until: at('until'),
    reason: text('reason'),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.account] })],
);
