import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';
import { contacts } from './contact.js';
import { workspaces } from './workspace.js';

/** What a sync run has done so far. */
export interface ChannelSyncCounts {
  /** Provider pages read (a `batch/get_by_user` page, a `user/info/batchget` call). */
  pages: number;
  /** Records the provider gave (a follower, a customer–staff relation). */
  records: number;
  created: number;
  /** Records that matched an existing contact by an identity (openid, external_userid, unionid). */
  matched: number;
  /** Provider tags created or renamed. */
  tags: number;
  /** "Reachable through" relations written. */
  relations: number;
  /** Customer groups read (WeCom `groupchat/get`). */
  groups: number;
  /** Identities left where they were because another contact of the workspace holds them. */
  conflicts: number;
  /** Relations a complete sync no longer saw (an unfollowed follower), marked ended. */
  removed?: number;
}

/**
 * One sync from a provider into a workspace's contacts (WeCom customers, OA followers): its
 * state, where it stopped (the resume position) and what it did. At most one runs per
 * workspace and channel at a time.
 */
export const channelSyncs = pgTable(
  'channel_syncs',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    channel: text('channel').notNull(),
    /** running, completed or failed (a failed sync resumes from `cursor` when started again). */
    state: text('state').notNull(),
    /** tags, followers, customers, done. */
    stage: text('stage').notNull(),
    /** The provider position after the last stored page (OA: `next_openid` and an offset). */
    cursor: jsonb('cursor').$type<Record<string, unknown>>().notNull().default({}),
    counts: jsonb('counts').$type<ChannelSyncCounts>().notNull(),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
    startedAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('channel_syncs_workspace_idx').on(t.workspaceId, t.channel, t.id),
    uniqueIndex('channel_syncs_running_idx').on(t.workspaceId, t.channel).where(sql`state = 'running'`),
  ],
);

/**
 * Who can reach a contact through whom: a WeCom external contact through a staff member who has
 * them as a customer (`follow_user`), an OA follower through the account (its AppID), written by
 * the sync and the contact callbacks. `removedBy` set (`contact`, `account`, `sync`): the relation
 * is gone and never used again until the provider reports it back; a contact whose relations
 * through a channel are all gone is not planned on that channel.
 */
export const contactReach = pgTable(
  'contact_reach',
  {
    workspaceId: ref('workspace_id').notNull(),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    channel: text('channel').notNull(),
    /** The sender: a WeCom member's userid, a personal account id. */
    account: text('account').notNull(),
    addedAt: at('added_at'),
    remark: text('remark'),
    removedBy: text('removed_by'),
    updatedAt: at('updated_at').notNull().defaultNow(),
    /** When a sync last saw the relation at the provider: one a full sync did not see has ended. */
    syncedAt: at('synced_at'),
  },
  (t) => [
    primaryKey({ columns: [t.contactId, t.channel, t.account] }),
    index('contact_reach_account_idx').on(t.workspaceId, t.channel, t.account),
  ],
);
