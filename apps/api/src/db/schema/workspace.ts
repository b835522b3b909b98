import type { ChannelPrice } from '@qunfa/core';
import { boolean, index, integer, jsonb, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { at, createdAt, idColumn, ref } from './common.js';

export const workspaces = pgTable('workspaces', {
  id: idColumn(),
  name: text('name').notNull(),
  timeZone: text('time_zone').notNull().default('Asia/Shanghai'),
  /** Most tags the workspace may have (nesting is at most three levels everywhere). */
  maxTags: integer('max_tags').notNull().default(1000),
  /** `off` or `HH:MM-HH:MM` in each contact's time zone; null: the server's QUIET_HOURS. */
  quietHours: text('quiet_hours'),
  /** Overrides of the default triage policy per reply class: `{ complaint: { replyWithinMinutes: 10 } }`. */
  /** The started triggered template an "interested" reply runs for its contact; null: none. */
  followUpTemplateId: ref('follow_up_template_id'),
  triagePolicy: jsonb('triage_policy')
    .$type<Record<string, { priority?: string; replyWithinMinutes?: number | null }>>()
    .notNull()
    .default({}),
  /** On: whoever authored a campaign (the same key, or a key of the same member) may not approve it. */
  separationOfDuties: boolean('separation_of_duties').notNull().default(true),
  /** What each channel (or sender account) costs: `[{ channel, account, unit, amount, currency }]`. */
  channelPrices: jsonb('channel_prices').$type<ChannelPrice[]>().notNull().default([]),
  /** Levels of metrics overridden for this workspace: `{ 'metric:complaint-rate': { good: 0.05, alarm: 0.2 } }`. */
  metricThresholds: jsonb('metric_thresholds')
    .$type<Record<string, { good: number; alarm: number }>>()
    .notNull()
    .default({}),
  /** HMAC key partner apps sign conversion webhooks with; null until an admin makes one. */
  conversionSecret: text('conversion_secret'),
  /** Days personal data is kept, per kind (see services/retention): `{ inboundDays: 180 }`; absent kinds take the defaults. */
  retention: jsonb('retention').$type<Partial<Record<string, number>>>().notNull().default({}),
  /** E-mail of campaigns started from now on carries an open pixel (`/o/<token>.gif`). Off by default. */
  openPixel: boolean('open_pixel').notNull().default(false),
  createdAt: createdAt(),
});

export const users = pgTable(
  'users',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    name: text('name').notNull(),
    email: text('email'),
    role: text('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('users_workspace_idx').on(t.workspaceId)],
);

/** API keys are stored as a SHA-256 hash; `prefix` is shown to tell keys apart. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: idColumn(),
    workspaceId: ref('workspace_id')
      .notNull()
      .references(() => workspaces.id),
    userId: ref('user_id').references(() => users.id),
    name: text('name').notNull(),
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    role: text('role').notNull(),
    /** `full`, or `read_only`: queries and subscriptions only, whatever the role. */
    access: text('access').notNull().default('full'),
    /** Root fields (`campaigns`, `createCampaign`) the key may call; null: all its role allows. */
    operations: text('operations').array(),
    /** Requests a minute this key may make; null: the server's default. */
    rateLimitPerMinute: integer('rate_limit_per_minute'),
    /** On: the key may only run documents of the workspace's persisted-operation allow-list, by hash. */
    persistedOnly: boolean('persisted_only').notNull().default(false),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('api_keys_hash_idx').on(t.keyHash), index('api_keys_workspace_idx').on(t.workspaceId)],
);
