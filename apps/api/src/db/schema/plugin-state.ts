import { index, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at } from './common.js';

/**
 * Channels' small shared state (access tokens, media ids, cursors, replay guards) when no
 * Redis is configured; keys are `<plugin name>/<key>`. An expired row reads as absent.
 */
export const pluginState = pgTable(
  'plugin_state',
  {
    key: text('key').primaryKey(),
    value: jsonb('value').notNull(),
    expiresAt: at('expires_at'),
  },
  (t) => [index('plugin_state_expires_idx').on(t.expiresAt)],
);
