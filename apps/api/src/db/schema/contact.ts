import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

export const contacts = pgTable(
  'contacts',
  {
    id: idColumn(),
    /**
     * The workspace, checked by a statement-level trigger (`qf_contacts_workspace_check`,
     * migration 0028) rather than a foreign key: one check per statement instead of one per
     * row (measured: a quarter less backend CPU inserting 200,000 contacts).
     */
    workspaceId: ref('workspace_id').notNull(),
    /**
     * `person`, or `group` (a WeCom customer group, identity `wecom_chat_id`, reached through its
     * owner): a group is in an audience only when the audience asks for groups.
     */
    kind: text('kind').notNull().default('person'),
    name: text('name'),
    attributes: jsonb('attributes').$type<Record<string, unknown>>().notNull().default({}),
    region: text('region'),
    province: text('province'),
    city: text('city'),
    district: text('district'),
    device: text('device'),
    /**
     * The contact's tags, denormalised into one array (no contact–tag table): one row per
     * contact keeps imports fast and the audience index loads in one scan; see audience/README.
     */
    tagIds: bigint('tag_ids', { mode: 'number' }).array().notNull().default([]),
    lastActiveAt: at('last_active_at'),
    /** Set by `eraseContact`: the row stays, anonymous, so counts and deliveries keep adding up. */
    erasedAt: at('erased_at'),
    /**
     * Set when `mergeContacts` folded this contact into another and it still had deliveries
     * the other could not take (same campaign): an empty row kept for counts, out of every audience.
     */
    mergedIntoId: ref('merged_into_id'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  // Unique (id is), so identities can reference (workspace_id, id): one foreign-key check per
  // identity instead of two, and an identity cannot point into another workspace.
  (t) => [
    uniqueIndex('contacts_workspace_idx').on(t.workspaceId, t.id),
    // The audience index reads a workspace's groups on every preview (to leave them out): a
    // partial index holds only them, so that is not a scan of every person.
    index('contacts_groups_idx').on(t.workspaceId).where(sql`kind = 'group'`),
  ],
);

/**
 * `kind` and `value` compare in byte order (COLLATE "C", migration 0028): the unique index
 * then costs a byte comparison per key instead of a libc collation call. The contact
 * (`workspace_id`, `contact_id`) is checked once per statement by triggers (migration 0033)
 * rather than a foreign key, which locked the contact of every inserted identity one by one
 * (about 40% of the backend CPU of inserting identities); deleting a contact still deletes its identities.
 */
export const contactIdentities = pgTable(
  'contact_identities',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id').notNull(),
    contactId: ref('contact_id').notNull(),
    kind: text('kind').notNull(),
    value: text('value').notNull(),
  },
  (t) => [
    uniqueIndex('contact_identities_value_idx').on(t.workspaceId, t.kind, t.value),
    index('contact_identities_contact_idx').on(t.contactId, t.kind),
  ],
);

export const tags = pgTable(
  'tags',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    parentId: ref('parent_id'),
    kind: text('kind').notNull().default('attribute'),
    /** The channel a synced tag came from (`channel:wecom`); null for an operator's own tag. */
    source: text('source'),
    /** The provider's id of a synced tag (a corp tag's `tag_id`, an OA tag id). */
    externalId: text('external_id'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('tags_name_idx').on(t.workspaceId, t.name),
    uniqueIndex('tags_source_idx').on(t.workspaceId, t.source, t.externalId),
  ],
);

/** Why a contact must not get marketing (unsubscribed, blacklisted, complained, erased). */
export const suppressions = pgTable(
  'suppressions',
  {
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    contactId: ref('contact_id')
      .notNull()
      .references(() => contacts.id, { onDelete: 'cascade' }),
    reason: text('reason').notNull(),
    note: text('note'),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.reason] })],
);

/**
 * Keyed hashes (HMAC-SHA-256) of erased identities: an identity that comes back (import,
 * API) is suppressed as `erased` until a new opt-in, without keeping the value itself.
 */
export const erasedIdentities = pgTable(
  'erased_identities',
  {
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    kind: text('kind').notNull(),
    hash: text('hash').notNull(),
    erasedAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.kind, t.hash] })],
);
