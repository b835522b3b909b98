import { index, integer, jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { at, ref } from './common.js';

/**
 * A campaign whose deliveries, attempts and events went to a compressed JSON Lines file and
 * left the hot tables. `deleting` while they are removed in bounded batches (a crash resumes
 * there: the file is complete and verified before the first row goes); `archived` once none
 * is left; `restored` after a re-import. `summary` keeps what the campaign's views read from
 * those rows (funnel, cost and sender groups, feedback counts), so they read the same after.
 */
export const campaignArchives = pgTable(
  'campaign_archives',
  {
    campaignId: ref('campaign_id').primaryKey(),
    workspaceId: ref('workspace_id').notNull(),
    state: text('state').notNull(),
    /** The file, relative to the archive folder: `<workspace>/<YYYY-MM-DD>/campaign-<id>.jsonl.gz`. */
    path: text('path').notNull(),
    deliveries: integer('deliveries').notNull(),
    attempts: integer('attempts').notNull(),
    events: integer('events').notNull(),
    /** Of the file's bytes, checked before deleting and before a re-import. */
    sha256: text('sha256').notNull(),
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull(),
    archivedAt: at('archived_at').notNull().defaultNow(),
    restoredAt: at('restored_at'),
  },
  (t) => [index('campaign_archives_workspace_idx').on(t.workspaceId, t.state)],
);
