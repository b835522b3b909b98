import type { FindingParams } from '@qunfa/core';
import { index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { campaigns } from './campaign.js';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/** What came back from providers and people: receipts, replies, complaints. */
export const events = pgTable(
  'events',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    campaignId: ref('campaign_id').references(() => campaigns.id, { onDelete: 'cascade' }),
    deliveryId: ref('delivery_id'),
    type: text('type').notNull(),
    /** A provider event's state and time: a replayed receipt is recorded once. Null for tracked clicks. */
    dedupeKey: text('dedupe_key'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [
    index('events_campaign_idx').on(t.campaignId, t.at),
    uniqueIndex('events_delivery_key_idx').on(t.deliveryId, t.dedupeKey),
  ],
);

/** Deployment-wide secrets generated once (the link-tracking key when LINK_SECRET is unset). */
export const serverSecrets = pgTable('server_secrets', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  createdAt: createdAt(),
});

/** Deployment-wide settings a start compares with the environment (the QUIET_HOURS deferrals were made under). */
export const serverSettings = pgTable('server_settings', {
  name: text('name').primaryKey(),
  value: text('value').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
});

export const findings = pgTable(
  'findings',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    variantId: ref('variant_id'),
    rule: text('rule').notNull(),
    level: text('level').notNull(),
    code: text('code').notNull(),
    message: text('message').notNull(),
    spanStart: integer('span_start'),
    spanEnd: integer('span_end'),
    channel: text('channel'),
    /** The rule's structured details (Finding.params): what a client words the finding from. */
    params: jsonb('params').$type<FindingParams>(),
    /** Stable across re-checks of the same content: what an override refers to. */
    key: text('key'),
    createdAt: createdAt(),
  },
  (t) => [index('findings_campaign_idx').on(t.campaignId)],
);

export const approvals = pgTable(
  'approvals',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    step: text('step').notNull(),
    approverKeyId: ref('approver_key_id'),
    decision: text('decision').notNull(),
    comment: text('comment'),
    /** The review round the decision belongs to; an edit after review starts a new one. */
    round: integer('round').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index('approvals_campaign_idx').on(t.campaignId)],
);

/** Who did what, when. Never holds secrets or message bodies. */
export const auditLog = pgTable(
  'audit_log',
  {
    id: idColumn(),
    /** Null for deployment-level events (sender accounts). */
    workspaceId: ref('workspace_id').references(() => workspaces.id),
    actorKind: text('actor_kind').notNull(),
    actorId: text('actor_id').notNull(),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id').notNull(),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [
    index('audit_log_subject_idx').on(t.workspaceId, t.subjectType, t.subjectId),
    // The admins' log: newest first per workspace.
    index('audit_log_workspace_idx').on(t.workspaceId, t.id),
  ],
);
