import { index, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/** A workspace's allow-list of GraphQL documents, by SHA-256 of the text: what persisted-only keys may run. */
export const persistedOperations = pgTable(
  'persisted_operations',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    /** Hex SHA-256 of `document`, as clients send it in `extensions.persistedQuery.sha256Hash`. */
    hash: text('hash').notNull(),
    name: text('name').notNull(),
    document: text('document').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('persisted_operations_hash_idx').on(t.workspaceId, t.hash),
    index('persisted_operations_workspace_idx').on(t.workspaceId),
  ],
);
