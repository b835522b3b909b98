import { bigint, boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { campaigns } from './campaign.js';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/** An operator's own lexicon; its terms join the shipped ones in the workspace's index. */
export const lexicons = pgTable(
  'lexicons',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    level: text('level').notNull(),
    code: text('code').notNull(),
    description: text('description'),
    traditionalToSimplified: boolean('traditional_to_simplified').notNull().default(true),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('lexicons_name_idx').on(t.workspaceId, t.name)],
);

/** A term of a lexicon (`kind = term`) or a phrase whose hits are dropped (`kind = allow`). */
export const lexiconTerms = pgTable(
  'lexicon_terms',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id').notNull(),
    lexiconId: ref('lexicon_id')
      .notNull()
      .references(() => lexicons.id, { onDelete: 'cascade' }),
    term: text('term').notNull(),
    kind: text('kind').notNull().default('term'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('lexicon_terms_term_idx').on(t.lexiconId, t.kind, t.term)],
);

/** Bumped in the transaction of every lexicon change: what instances compare to know they are current. */
export const lexiconRevisions = pgTable('lexicon_revisions', {
  workspaceId: ref('workspace_id')
    .primaryKey()
    .references(() => workspaces.id),
  revision: bigint('revision', { mode: 'number' }).notNull().default(0),
});

/** When a campaign needs review, and the steps of that review in order. */
export const approvalPolicies = pgTable(
  'approval_policies',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    /** Matches when the audience is larger than this. */
    audienceOver: integer('audience_over'),
    /** Matches when any finding is `revise`. */
    onRevise: boolean('on_revise').notNull().default(false),
    /** Matches when a finding has one of these codes (AUDIENCE_NEEDS_APPROVAL, MEDICAL_CLAIM). */
    findingCodes: jsonb('finding_codes').$type<string[]>().notNull().default([]),
    /** Matches when the channel plan uses any of these channels. */
    channels: jsonb('channels').$type<string[]>().notNull().default([]),
    /** Step names in order (business, legal, technical). */
    steps: jsonb('steps').$type<string[]>().notNull(),
    /** Steps the campaign's author may not approve (separation of duties); null: every step. */
    separatedSteps: jsonb('separated_steps').$type<string[]>(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('approval_policies_name_idx').on(t.workspaceId, t.name)],
);

/** A campaign's current review round: the steps it needs and how far it got. */
export const reviews = pgTable('reviews', {
  campaignId: ref('campaign_id')
    .primaryKey()
    .references(() => campaigns.id, { onDelete: 'cascade' }),
  workspaceId: ref('workspace_id').notNull(),
  /** Starts at 1; an edit after review starts a new round. */
  round: integer('round').notNull().default(1),
  /** in_review | approved | rejected */
  status: text('status').notNull(),
  steps: jsonb('steps').$type<string[]>().notNull(),
  /** Steps of this round the campaign's author may not approve, from the matching policies. */
  separatedSteps: jsonb('separated_steps').$type<string[]>().notNull().default([]),
  /** Steps approved so far in this round. */
  approvedSteps: integer('approved_steps').notNull().default(0),
  /** Why review is required (policy names and what matched). */
  reasons: jsonb('reasons').$type<string[]>().notNull().default([]),
  submittedAt: at('submitted_at').notNull().defaultNow(),
  updatedAt: at('updated_at').notNull().defaultNow(),
  /** The campaign as its last approved round approved it (content, audience, channels, schedule); kept across rounds. */
  approvedVersion: jsonb('approved_version').$type<Record<string, unknown>>(),
  approvedRound: integer('approved_round'),
  approvedAt: at('approved_at'),
});

/** An approver's override of a `revise` finding, by the finding's stable key. */
export const findingOverrides = pgTable(
  'finding_overrides',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id').notNull(),
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    findingKey: text('finding_key').notNull(),
    reason: text('reason').notNull(),
    approverKeyId: ref('approver_key_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('finding_overrides_key_idx').on(t.campaignId, t.findingKey),
    index('finding_overrides_campaign_idx').on(t.campaignId),
  ],
);
