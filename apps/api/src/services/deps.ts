import type {
  Clock,
  Engine,
  EventBus,
  Logger,
  PluginState,
  QuietHoursSetting,
  RateLimiter,
  Registry,
  Store,
} from '@qunfa/core';
import type { LexiconCache } from '../compliance/lexicon-cache.js';
import type { Db } from '../db/database.js';
import type { ImportsInFlight } from '../import/imports-in-flight.js';
import type { LinkTokens } from '../links/link-token.js';
import type { PluginOrigin } from '../plugin-config/assemble-plugins.js';
import type { EvidenceOptions } from './evidence/assemble-evidence.js';
import type { ArchiveTarget } from './retention/archive-target.js';
import type { WebhookAddressPolicy } from './webhooks/address-guard.js';

/** What services need from the running app. */
export interface ServiceDeps {
  db: Db;
  store: Store;
  engine: Engine;
  registry: Registry;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  /** Each workspace's sensitive-word index, rebuilt when its lexicons change. */
  lexicons: LexiconCache;
  /** The contact imports this process runs, drained or aborted by a stop. */
  imports?: ImportsInFlight;
  /** Makes the follow-up runs of interested replies (the app's sweep). */
  followUps?: { kick(): Promise<void> };
  /** Signing key and link tracker of complaint evidence bundles. */
  evidence?: EvidenceOptions;
  /** Verifies tracked-link tokens a partner hands back with a conversion; unset: such tokens are refused. */
  linkTokens?: LinkTokens;
  /** How far back a campaign's delivery counts for attributing a reply to it, in ms. */
  inboundAttributionMs: number;
  /** The server's quiet hours (QUIET_HOURS), for workspaces that set none. Default 22:00–08:00. */
  quietHours?: QuietHoursSetting;
  /** Where each loaded plugin came from (built-in or the project config) and its extra secret paths. */
  pluginOrigins?: ReadonlyMap<string, PluginOrigin>;
  /** The instance owner key (QUNFA_OWNER_KEY): creates and lists workspaces. Unset: only the CLI can. */
  ownerKey?: string | undefined;
  /** The shared plugin state (unscoped), for channel calls made outside the engine (a sync). */
  pluginState: PluginState;
  /** Stopped when the app stops: background work (a channel sync) ends with it. */
  shutdown: AbortSignal;
  /** The engine's rate limiter: daily quotas of sender accounts as every worker counts them. */
  limiter: RateLimiter;
  /** Per-key request budgets (the app's rate limiter: Redis when REDIS_URL is set). */
  requestLimiter: RateLimiter;
  /** Requests a minute for keys that set none. Default 600. */
  keyRateLimitPerMinute?: number;
  /** Which addresses a webhook URL may resolve to; default public ones only. */
  webhookAddresses?: WebhookAddressPolicy;
  /** Where campaign archives are (a folder, an S3-compatible bucket), for re-imports; unset: none. */
  archiveTarget?: ArchiveTarget | undefined;
}
