import type { AudienceExpression } from '@qunfa/core';
import { sql } from 'drizzle-orm';
import { customType, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/** PostgreSQL's 64-bit transaction id, read as a decimal string. */
const xid8 = customType<{ data: string }>({ dataType: () => 'xid8' });

/**
 * Which contacts changed, written in the transaction that changed them. The in-memory
 * audience index replays it before answering; `xid` lets it see late commits exactly.
 * A null contact id means "many changed: rebuild the workspace's index".
 */
export const audienceChanges = pgTable(
  'audience_changes',
  {
    seq: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    contactId: ref('contact_id'),
    xid: xid8('xid').notNull().default(sql`pg_current_xact_id()`),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [index('audience_changes_xid_idx').on(t.workspaceId, t.xid)],
);

/** A saved audience: operators reuse it in campaigns, which snapshot it when they start. */
export const segments = pgTable(
  'segments',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    expression: jsonb('expression').$type<AudienceExpression>().notNull(),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('segments_name_idx').on(t.workspaceId, t.name)],
);

/** One contact import: its progress and its error report (row, field, reason; no raw rows). */
export const contactImports = pgTable(
  'contact_imports',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    state: text('state').notNull(),
    encoding: text('encoding'),
    rows: integer('rows').notNull().default(0),
    created: integer('created').notNull().default(0),
    merged: integer('merged').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    errors: jsonb('errors').$type<{ row: number; field: string; reason: string }[]>().notNull().default([]),
    startedAt: createdAt(),
    finishedAt: at('finished_at'),
  },
  (t) => [index('contact_imports_workspace_idx').on(t.workspaceId, t.id)],
);

/** The HMAC key of erased identities when QUNFA_ERASURE_KEY is not set (one per workspace). */
export const erasureKeys = pgTable('erasure_keys', {
  workspaceId: ref('workspace_id')
    .primaryKey()
    .references(() => workspaces.id),
  key: text('key').notNull(),
});
