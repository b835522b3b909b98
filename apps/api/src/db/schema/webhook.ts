import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';
import { workspaces } from './workspace.js';

/** A partner's URL and the event types it wants, signed with its own secret. */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    url: text('url').notNull(),
    description: text('description'),
    /** Event types delivered to it (`campaign.state_changed`, …). */
    eventTypes: jsonb('event_types').$type<string[]>().notNull(),
    /** The HMAC-SHA256 key of its signatures; shown once when made or rotated. */
    secret: text('secret').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** Failed attempts in a row, across its deliveries; a 2xx resets it. */
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    /** Why the dispatcher turned it off (`consecutive_failures`); null when enabled, or paused by an admin. */
    disabledReason: text('disabled_reason'),
    disabledAt: at('disabled_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [index('webhook_endpoints_workspace_idx').on(t.workspaceId)],
);

/**
 * The outbox: one row per event and endpoint, written in the transaction of the change it
 * reports, delivered at least once (by `event_id`, the same on every attempt and redelivery).
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id').notNull(),
    endpointId: ref('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    eventType: text('event_type').notNull(),
    /** The JSON body sent, as sent. */
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull(),
    /** pending | delivered | failed (gave up after the last attempt) */
    status: text('status').notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at').notNull().defaultNow(),
    /** A dispatcher holds it until then; past it, another may take it over. */
    leasedUntil: at('leased_until'),
    /** With Redis: a job for its next attempt is in BullMQ until then; past it, the relay offers it again. */
    queuedUntil: at('queued_until'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: at('delivered_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('webhook_deliveries_event_endpoint_idx').on(t.eventId, t.endpointId),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index('webhook_deliveries_endpoint_idx').on(t.endpointId, t.id),
  ],
);

/** The delivery log: every request made, with its answer. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: idColumn(),
    deliveryId: ref('delivery_id')
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    at: at('at').notNull().defaultNow(),
    /** The HTTP status; null when no answer came (refused, timed out). */
    statusCode: integer('status_code'),
    error: text('error'),
    durationMs: integer('duration_ms').notNull(),
    /** The start of the answer, for the partner's debugging (at most 1 KB). */
    responseBody: text('response_body'),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);

/** Progress milestones a campaign passed, each recorded once: the webhook event goes out with the row. */
export const campaignMilestones = pgTable(
  'campaign_milestones',
  {
    campaignId: ref('campaign_id').notNull(),
    workspaceId: ref('workspace_id').notNull(),
    /** Percent of planned deliveries settled: 25, 50, 75 or 100. */
    milestone: integer('milestone').notNull(),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.campaignId, t.milestone] })],
);
