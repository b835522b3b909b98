import type {
  AbComparison,
  AbTest,
  Actor,
  AudienceExpression,
  CampaignSchedule,
  ChannelMode,
  ChannelPlanStep,
  Content,
  ResendOf,
  RetryPolicy,
} from '@qunfa/core';
import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  smallint,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { segments } from './audience.js';
import { at, createdAt, idColumn, ref } from './common.js';
import { apiKeys, workspaces } from './workspace.js';

export const campaigns = pgTable(
  'campaigns',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    state: text('state').notNull().default('draft'),
    audience: jsonb('audience').$type<AudienceExpression>().notNull(),
    channelPlan: jsonb('channel_plan').$type<ChannelPlanStep[]>().notNull(),
    /** first | all: a recipient gets the first step that reaches them, or every one. */
    channelMode: text('channel_mode').$type<ChannelMode>().notNull().default('first'),
    retryPolicy: jsonb('retry_policy').$type<RetryPolicy>().notNull(),
    scheduledAt: at('scheduled_at'),
    batchIntervalMs: integer('batch_interval_ms').notNull().default(0),
    /** Spread the batches over this window instead of a fixed interval. */
    sendWindowMs: bigint('send_window_ms', { mode: 'number' }),
    /** Leave out contacts inactive for 30 days. */
    excludeDormant: boolean('exclude_dormant').notNull().default(false),
    /** `off` or `HH:MM-HH:MM`; null: the workspace's quiet hours. */
    quietHours: text('quiet_hours'),
    /** The saved segment the audience follows until the campaign starts. */
    segmentId: ref('segment_id').references(() => segments.id, { onDelete: 'set null' }),
    /** A resend run: the source campaign and the delivery states it resends. */
    resendOf: jsonb('resend_of').$type<ResendOf>(),
    /** A template (recurring or triggered) that sends through its runs. */
    schedule: jsonb('schedule').$type<CampaignSchedule>(),
    nextRunAt: at('next_run_at'),
    /** A run: its template and the key that makes it unique (fire time or idempotency key). */
    runOfId: ref('run_of_id'),
    runKey: text('run_key'),
    /** A follow-up run: the only contacts it plans (string ids). */
    runContactIds: jsonb('run_contact_ids').$type<string[]>(),
    /** An A/B test's settings; null without a test. */
    abTest: jsonb('ab_test').$type<AbTest>(),
    /** testing | awaiting_decision | decided, once a campaign with a test started. */
    abPhase: text('ab_phase'),
    abDecideAt: at('ab_decide_at'),
    /** The recorded comparison and who decided what, when. */
    abResult: jsonb('ab_result').$type<AbResult>(),
    /** The key that created it (a run: its template's); null when not known. */
    createdByKeyId: ref('created_by_key_id').references(() => apiKeys.id),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    /** E-mail carries an open pixel: the workspace's `open_pixel` at the first start; null before. */
    openPixel: boolean('open_pixel'),
  },
  (t) => [
    index('campaigns_workspace_idx').on(t.workspaceId, t.id),
    index('campaigns_state_idx').on(t.state, t.scheduledAt),
    uniqueIndex('campaigns_run_key_idx').on(t.runOfId, t.runKey),
    index('campaigns_segment_idx').on(t.segmentId),
    index('campaigns_ab_due_idx').on(t.abPhase, t.abDecideAt),
    index('campaigns_creator_idx').on(t.workspaceId, t.createdByKeyId),
  ],
);

/** What `campaigns.ab_result` holds: `AbTestState` but the phase and decision time, dates as ISO strings. */
export interface AbResult {
  comparison: AbComparison | null;
  recommendedVariantId: string | null;
  winnerVariantId: string | null;
  decidedBy: Actor | null;
  decidedAt: string | null;
}

export const variants = pgTable(
  'variants',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    weight: real('weight').notNull(),
    content: jsonb('content').$type<Content>().notNull(),
    /** Content of particular plan steps, by the step's channel (`Variant.channelContent`). */
    channelContent: jsonb('channel_content').$type<Record<string, Content>>().notNull().default({}),
  },
  (t) => [index('variants_campaign_idx').on(t.campaignId)],
);

/**
 * Exact counters by delivery state, updated in the same transaction as the deliveries. A
 * campaign's counters are the sum of its shards: each batch writes to one shard (by its
 * id), so concurrent settlements rarely wait on the same row lock.
 */
export const campaignCounters = pgTable(
  'campaign_counters',
  {
    campaignId: ref('campaign_id')
      .notNull()
      .references(() => campaigns.id, { onDelete: 'cascade' }),
    shard: smallint('shard').notNull().default(0),
    workspaceId: ref('workspace_id').notNull(),
    total: integer('total').notNull().default(0),
    waiting: integer('waiting').notNull().default(0),
    queued: integer('queued').notNull().default(0),
    submitted: integer('submitted').notNull().default(0),
    awaitingConfirmation: integer('awaiting_confirmation').notNull().default(0),
    sent: integer('sent').notNull().default(0),
    delivered: integer('delivered').notNull().default(0),
    read: integer('read').notNull().default(0),
    clicked: integer('clicked').notNull().default(0),
    failed: integer('failed').notNull().default(0),
    suppressed: integer('suppressed').notNull().default(0),
    filtered: integer('filtered').notNull().default(0),
    uncertain: integer('uncertain').notNull().default(0),
    failedRateLimited: integer('failed_rate_limited').notNull().default(0),
    failedNetwork: integer('failed_network').notNull().default(0),
    failedInvalidRecipient: integer('failed_invalid_recipient').notNull().default(0),
    failedBlockedByUser: integer('failed_blocked_by_user').notNull().default(0),
    failedAccountRestricted: integer('failed_account_restricted').notNull().default(0),
    failedContentRejected: integer('failed_content_rejected').notNull().default(0),
    failedUnknown: integer('failed_unknown').notNull().default(0),
    failedUnconfirmed: integer('failed_unconfirmed').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.shard] })],
);

/**
 * Completed campaigns a receipt failed a delivery of, until a sweep sends such failures on
 * (`Store.campaignsWithLateFailures`): the worker's tick finds what a crash between the two left.
 * A table of its own, not a column, so that a receipt never locks the campaign row (the sweep
 * locks it before the deliveries, a receipt holds deliveries); `marks` counts the receipts, so
 * the sweep clears only the mark it saw.
 */
export const campaignLateFailures = pgTable('campaign_late_failures', {
  // No foreign key: checking it would take a key-share lock on the campaign row, which the sweep
  // holds for update.
  campaignId: ref('campaign_id').primaryKey(),
  workspaceId: ref('workspace_id').notNull(),
  marks: integer('marks').notNull().default(1),
  markedAt: at('marked_at').notNull().defaultNow(),
});
