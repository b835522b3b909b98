import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import type { BodyLimits } from './http/body-limit.js';
import type { LogLevel } from './logger.js';
import { DEFAULT_HEAP_GROWTH } from './ops/heap-growth.js';
import { findConfigFile } from './plugin-config/find-config.js';
import { type ArchiveTarget, folderTarget } from './services/retention/archive-target.js';
import { type S3TargetOptions, s3Target } from './services/retention/s3-target.js';
import { checkedAllowList } from './services/webhooks/address-guard.js';
import type { WebhookRetryPolicy } from './services/webhooks/dispatcher.js';

const envSchema = z.object({
  /** PostgreSQL URL; unset: embedded PGlite under DATA_DIR. */
  DATABASE_URL: z.string().url().optional(),
  /** Folder of the embedded database and the demo key. Default .data */
  DATA_DIR: z.string().default('.data'),
  /** HTTP port. Default 4000. */
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Interface to listen on. Default 0.0.0.0. */
  HOST: z.string().default('0.0.0.0'),
  /** Redis URL; set: BullMQ batch jobs, shared rate limits and events across processes. */
  REDIS_URL: z.string().url().optional(),
  /** Start of every Redis key, queue and channel name; one database per prefix (claimed at start). Default qunfa */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('qunfa'),
  /** How long a worker's claim on a batch lasts before another may take it over, in ms. Default 60000. */
  LEASE_MS: z.coerce.number().int().min(500).default(60_000),
  /** Claims after which a batch is given up on as poison. Default 5. */
  MAX_BATCH_STARTS: z.coerce.number().int().min(1).max(100).default(5),
  /** API processes keep every workspace's audience index built and caught up this often; 0: build on first use. */
  AUDIENCE_WARM_MS: z.coerce.number().int().min(0).max(3_600_000).default(60_000),
  /** Memory the audience indexes of an API process may hold, in MB; past it, those used longest ago are dropped. Default 1024. */
  AUDIENCE_INDEX_MAX_MB: z.coerce.number().positive().max(1_048_576).default(1024),
  /** How often a worker removes personal data past each workspace's retention, in ms; 0: never. */
  RETENTION_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(3_600_000),
  /** Folder of campaign archives (gzipped JSON Lines per workspace and day). Default <DATA_DIR>/archive. */
  ARCHIVE_DIR: z.string().optional(),
  /** Set: archives go to this S3-compatible bucket instead of ARCHIVE_DIR (which then only stages them). */
  ARCHIVE_S3_BUCKET: z.string().optional(),
  /** The bucket's region. Default us-east-1. */
  ARCHIVE_S3_REGION: z.string().default('us-east-1'),
  /** An S3-compatible endpoint (MinIO, Aliyun OSS, Tencent COS); unset: AWS's regional endpoint. */
  ARCHIVE_S3_ENDPOINT: z.string().url().optional(),
  /** `true`: path-style URLs (`<endpoint>/<bucket>/<key>`, MinIO); default virtual-hosted (`<bucket>.<endpoint>`). */
  ARCHIVE_S3_FORCE_PATH_STYLE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** Start of every object key, e.g. `qunfa/`. Default none. */
  ARCHIVE_S3_PREFIX: z.string().default(''),
  /** Access key of the bucket; unset (with the secret): the AWS SDK's default chain (AWS_ACCESS_KEY_ID…, instance role). */
  ARCHIVE_S3_ACCESS_KEY_ID: z.string().optional(),
  ARCHIVE_S3_SECRET_ACCESS_KEY: z.string().optional(),
  /** Of temporary credentials (STS), with the two above. */
  ARCHIVE_S3_SESSION_TOKEN: z.string().optional(),
  /** Archives larger than this many MiB are uploaded in parts of this size. Default 16, at least 5. */
  ARCHIVE_S3_PART_MB: z.coerce.number().int().min(5).max(5120).default(16),
  /** `inline` runs the worker in the API process (default); `off` leaves it to `worker` processes. */
  WORKER: z.enum(['inline', 'off']).default('inline'),
  /** Batches a worker sends at once. Default 4. */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(4),
  /** CPU niceness a `worker` process gives itself at start (1–19, every thread), so API processes on the same cores come first; 0 leaves it as started. Default 0. */
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(0),
  /** How far V8's old generation of a `worker`, or of `serve` on PGlite, grows past its live heap before a full GC, in percent; 0: V8's own (up to 300). Default 50. */
  HEAP_GROWTH: z.coerce.number().int().min(0).max(1000).default(DEFAULT_HEAP_GROWTH),
  /** Seed a demo workspace when the database has none. Default true. */
  SEED_DEMO: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  /**
   * The project config (`.ts`, `.mjs`, `.js` or `.json`) whose plugins are added to the built-in set;
   * unset: `qunfa.config.*` in the working directory, if there is one. See docs/plugins.md.
   */
  QUNFA_CONFIG: z.string().optional(),
  /** The address people reach this server at, for tracked links (`<PUBLIC_URL>/l/<token>`). Default: the listen address. */
  PUBLIC_URL: z.string().url().optional(),
  /** Query parameter a tracked link's redirect adds (the click's token, for conversions), or `off`. Default qf_click. */
  LINK_CLICK_PARAM: z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,40}$/)
    .default('qf_click'),
  /** Key of tracked-link tokens (≥ 32 characters); unset: one generated once and kept in the database. */
  LINK_SECRET: z.string().min(32).optional(),
  /** How often channels that can be polled are asked for receipts, in ms. Default 5000. */
  RECEIPT_POLL_MS: z.coerce.number().int().min(100).default(5000),
  /** A reply is attributed to the campaign that reached its sender within this many hours. Default 72. */
  INBOUND_ATTRIBUTION_HOURS: z.coerce.number().positive().max(8760).default(72),
  /** Largest GraphQL request body, in bytes; larger is refused with 413 before parsing. Default 1048576 (1 MiB). */
  MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(1024 * 1024),
  /** Largest multipart upload (contact imports), in bytes. Default 52428800 (50 MiB). */
  MAX_UPLOAD_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(50 * 1024 * 1024),
  /** The instance owner's key (≥ 32 characters): creates workspaces over GraphQL. Unset: only `qunfa workspace create`. */
  QUNFA_OWNER_KEY: z.string().min(32).optional(),
  /** Requests a minute an API key may make unless it sets its own; shared across API processes with REDIS_URL. Default 600. */
  KEY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(1_000_000).default(600),
  /** A worker whose tick loop has not gone round for this long is stalled (not ready; its heartbeat stale), in ms. Default 60000. */
  WORKER_STALE_MS: z.coerce.number().int().min(1000).max(3_600_000).default(60_000),
  /** `/readyz` warns (never fails) when the oldest due batch has waited longer than this, in seconds. Default 300. */
  QUEUE_LAG_WARN_SECONDS: z.coerce.number().positive().max(86_400).default(300),
  /** `worker` processes serve `/healthz` and `/readyz` on this port; unset: none (an API process serves them on PORT). */
  HEALTH_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** Bearer token of `GET /metrics` (Prometheus), at least 16 characters; unset: no /metrics. */
  METRICS_TOKEN: z.string().min(16).optional(),
  /**
   * Addresses outbound webhooks may reach although not public (loopback, private, link-local):
   * comma-separated IPs or CIDRs (`10.0.0.0/8,127.0.0.1`), or `*`. Default none: on-premises only.
   */
  WEBHOOK_ALLOW_ADDRESSES: z.string().default(''),
  /** Failed webhook attempts in a row after which an endpoint is disabled (0: never). Default 50. */
  WEBHOOK_DISABLE_AFTER_FAILURES: z.coerce.number().int().min(0).default(50),
  /**
   * Run this far ahead of the system clock (negative: behind), in ms: a worker, a test or a demo at a
   * chosen hour (quiet hours, schedules, retention). Every process sharing a database should use the same. Default 0.
   */
  CLOCK_OFFSET_MS: z.coerce.number().int().min(-3_153_600_000_000).max(3_153_600_000_000).default(0),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** How long a stop (Ctrl-C, SIGTERM) may take to drain the batches in flight, in ms. Default 15000. */
  STOP_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /** Daily quiet period in the contact's time zone (`HH:MM-HH:MM`), or `off`. Default 22:00-08:00. */
  QUIET_HOURS: z
    .string()
    .regex(/^(off|([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d)$/, 'HH:MM-HH:MM or off')
    .default('22:00-08:00'),
});

export interface AppConfig {
  databaseUrl: string | undefined;
  /** Unset: in-process queue and rate limiter, and the PostgreSQL or in-process event bus. */
  redisUrl?: string | undefined;
  /** Namespace of our Redis keys. Default `qunfa`. */
  redisPrefix?: string;
  /** Batch lease, in ms. Default 60 000. */
  leaseMs?: number;
  /** Claims before a batch is given up on. Default 5. */
  maxBatchStarts?: number;
  dataDir: string;
  port: number;
  host: string;
  worker: 'inline' | 'off';
  workerConcurrency: number;
  /** Niceness a `worker` process gives itself at start (0: as started). Default 0. */
  workerNice?: number;
  /** Heap growth a `worker`, or `serve` on PGlite, allows past its live heap before a full GC, in percent (0: V8's own). Default 50. */
  heapGrowth?: number;
  seedDemo: boolean;
  logLevel: LogLevel;
  /** Path of the project config (plugins added to the built-in set), if any. */
  pluginConfig?: string | undefined;
  /** Milliseconds between the worker's looks for due work. Default 250. */
  tickIntervalMs: number;
  /** How often an API process catches its audience indexes up (0: build on first use). Default 60 000. */
  audienceWarmMs?: number;
  /** Memory budget of the audience indexes, in MB (those used longest ago are dropped past it). Default 1024. */
  audienceIndexMaxMb?: number;
  /** How often the worker runs the retention job, in ms (0: never). Default 3 600 000. */
  retentionIntervalMs?: number;
  /** Quiet hours of the default recipient rules. Default 22:00–08:00. */
  quietHours?: { start: string; end: string } | 'off';
  /** Base of tracked links; unset: the address the server listens at. */
  publicUrl?: string | undefined;
  /** Parameter the tracked-link redirect adds with the token; null: none. Default `qf_click`. */
  linkClickParam?: string | null;
  /** Key of tracked-link tokens; unset: generated once and kept in `server_secrets`. */
  linkSecret?: string | undefined;
  /** Milliseconds between polls of channels' `pollReceipts`. Default 5000. */
  receiptPollIntervalMs?: number;
  /** How long a stop on SIGINT/SIGTERM may take before the process exits anyway, in ms. Default 15 000. */
  stopTimeoutMs?: number;
  /** Requests a minute per API key that sets none. Default 600. */
  keyRateLimitPerMinute?: number;
  /** The instance owner key; unset: workspaces are created with the CLI only. */
  ownerKey?: string | undefined;
  /** Request body limits; larger bodies get 413 before any parsing. Defaults 1 MiB, uploads 50 MiB. */
  bodyLimits?: Partial<BodyLimits>;
  /** How far back a delivery counts for attributing a reply to its campaign, in ms. Default 72 h. */
  inboundAttributionMs?: number;
  /** Where finished campaigns' rows are archived. Default `<dataDir>/archive`. */
  archiveDir?: string | undefined;
  /** Set: archives go to this S3-compatible bucket (the archive folder only stages them). */
  archiveS3?: ArchiveS3Config | undefined;
  /** A worker loop silent this long is stalled, in ms. Default 60 000. */
  workerStaleMs?: number;
  /** Oldest due batch older than this makes `/readyz` warn, in seconds. Default 300. */
  queueLagWarnSeconds?: number;
  /** Port of `/healthz` and `/readyz` for a process without HTTP (`worker`); unset: none. */
  healthPort?: number | undefined;
  /** Bearer token of `/metrics`; unset: the endpoint is off (404). */
  metricsToken?: string | undefined;
  /** The server's clock runs this far ahead of the system clock, in ms (negative: behind). Default 0. */
  clockOffsetMs?: number;
  /** Outbound webhook retries, timeouts, auto-disable and reachable addresses; defaults in `defaultWebhookRetry`. */
  webhooks?: Partial<WebhookRetryPolicy>;
}

export type ArchiveS3Config = Omit<S3TargetOptions, 'spoolDir'>;

/**
 * The archive target: the S3-compatible bucket when one is configured (staging in the archive
 * folder, else the system's temporary folder), else the archive folder; none for an in-memory
 * database with neither.
 */
export function archiveTargetOf(
  config: Pick<AppConfig, 'archiveDir' | 'dataDir' | 'archiveS3'>,
): ArchiveTarget | undefined {
  const dir = archiveDirOf(config);
  if (config.archiveS3) {
    return s3Target({ ...config.archiveS3, spoolDir: join(dir ?? tmpdir(), '.staging') });
  }
  return dir === undefined ? undefined : folderTarget(dir);
}

/** Where archives go: ARCHIVE_DIR, else `<dataDir>/archive`; none for an in-memory database without ARCHIVE_DIR (archiving off). */
export function archiveDirOf(config: Pick<AppConfig, 'archiveDir' | 'dataDir'>): string | undefined {
  if (config.archiveDir) return config.archiveDir;
  return config.dataDir.startsWith('memory://') ? undefined : `${config.dataDir}/archive`;
}

const splitList = (value: string) =>
  value
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);

function archiveS3FromEnv(e: z.output<typeof envSchema>): ArchiveS3Config | undefined {
  if (!e.ARCHIVE_S3_BUCKET) return undefined;
  if ((e.ARCHIVE_S3_ACCESS_KEY_ID === undefined) !== (e.ARCHIVE_S3_SECRET_ACCESS_KEY === undefined)) {
    throw new Error('set both ARCHIVE_S3_ACCESS_KEY_ID and ARCHIVE_S3_SECRET_ACCESS_KEY, or neither');
  }
  return {
    bucket: e.ARCHIVE_S3_BUCKET,
    region: e.ARCHIVE_S3_REGION,
    endpoint: e.ARCHIVE_S3_ENDPOINT,
    forcePathStyle: e.ARCHIVE_S3_FORCE_PATH_STYLE,
    prefix: e.ARCHIVE_S3_PREFIX,
    credentials:
      e.ARCHIVE_S3_ACCESS_KEY_ID && e.ARCHIVE_S3_SECRET_ACCESS_KEY
        ? {
            accessKeyId: e.ARCHIVE_S3_ACCESS_KEY_ID,
            secretAccessKey: e.ARCHIVE_S3_SECRET_ACCESS_KEY,
            sessionToken: e.ARCHIVE_S3_SESSION_TOKEN,
          }
        : undefined,
    partBytes: e.ARCHIVE_S3_PART_MB * 1024 * 1024,
  };
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = envSchema.parse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    leaseMs: e.LEASE_MS,
    maxBatchStarts: e.MAX_BATCH_STARTS,
    dataDir: e.DATA_DIR,
    port: e.PORT,
    host: e.HOST,
    worker: e.WORKER,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerNice: e.WORKER_NICE,
    heapGrowth: e.HEAP_GROWTH,
    seedDemo: e.SEED_DEMO,
    logLevel: e.LOG_LEVEL,
    pluginConfig: findConfigFile(e.QUNFA_CONFIG),
    tickIntervalMs: 250,
    audienceWarmMs: e.AUDIENCE_WARM_MS,
    audienceIndexMaxMb: e.AUDIENCE_INDEX_MAX_MB,
    retentionIntervalMs: e.RETENTION_INTERVAL_MS,
    archiveDir: e.ARCHIVE_DIR,
    archiveS3: archiveS3FromEnv(e),
    publicUrl: e.PUBLIC_URL,
    linkSecret: e.LINK_SECRET,
    linkClickParam: e.LINK_CLICK_PARAM === 'off' ? null : e.LINK_CLICK_PARAM,
    receiptPollIntervalMs: e.RECEIPT_POLL_MS,
    stopTimeoutMs: e.STOP_TIMEOUT_MS,
    inboundAttributionMs: e.INBOUND_ATTRIBUTION_HOURS * 3_600_000,
    ownerKey: e.QUNFA_OWNER_KEY,
    keyRateLimitPerMinute: e.KEY_RATE_LIMIT_PER_MINUTE,
    metricsToken: e.METRICS_TOKEN,
    workerStaleMs: e.WORKER_STALE_MS,
    queueLagWarnSeconds: e.QUEUE_LAG_WARN_SECONDS,
    healthPort: e.HEALTH_PORT,
    clockOffsetMs: e.CLOCK_OFFSET_MS,
    webhooks: {
      addresses: { allow: checkedAllowList(splitList(e.WEBHOOK_ALLOW_ADDRESSES)) },
      disableAfterFailures: e.WEBHOOK_DISABLE_AFTER_FAILURES,
    },
    bodyLimits: { maxBodyBytes: e.MAX_BODY_BYTES, maxUploadBytes: e.MAX_UPLOAD_BYTES },
    quietHours:
      e.QUIET_HOURS === 'off' ? 'off' : { start: e.QUIET_HOURS.slice(0, 5), end: e.QUIET_HOURS.slice(6) },
  };
}
