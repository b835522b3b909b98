import type { Forecast } from '../cost/forecast.js';
import type { ChannelPrice } from '../cost/prices.js';
import type { Actor, Campaign } from '../domain/campaign.js';
import type { CallbackRequest, SendOutcome } from '../plugins/channel.js';
import type { ReplyMessage } from '../plugins/reply.js';
import type { Clock } from '../ports/clock.js';
import type { EngineObserver } from '../ports/engine-observer.js';
import type { EventBus } from '../ports/event-bus.js';
import type { InboundSink } from '../ports/inbound-sink.js';
import type { Logger } from '../ports/logger.js';
import type { PluginState } from '../ports/plugin-state.js';
import type { BatchJob, Queue } from '../ports/queue.js';
import type { RateLimiter } from '../ports/rate-limiter.js';
import type { ReachSink } from '../ports/reach-sink.js';
import type { PlanSummary, ReceiptEvent, ReceiptsApplied, Store } from '../ports/store.js';
import type { Registry } from '../registry/registry.js';
import type { CallbackHandled } from './callbacks.js';
import type { ContentChecker } from './compliance.js';
import type { GroupCommit } from './group-commit.js';
import type { ProgressPublisher } from './progress.js';
import type { Quarantine } from './quarantine.js';
import type { ReceiptsRead } from './receipts-read.js';
import type { SweepPacer } from './sweep-pacer.js';
import type { LinkTracker } from './track-links.js';
import type { WaitLog } from './wait-log.js';

export interface EngineDeps {
  store: Store;
  queue: Queue;
  bus: EventBus;
  limiter: RateLimiter;
  clock: Clock;
  registry: Registry;
  logger?: Logger;
  /** Lease owner id of this process; unique per worker. */
  workerId: string;
  /** How long a claim holds a batch before another worker may take it over, in ms. Default 60 000. */
  leaseMs?: number;
  /** Claims after which a batch is given up on as poison. Default 5. */
  maxBatchStarts?: number;
  /** Shortest gap between two progress events of a campaign, in ms. Default 200. */
  progressIntervalMs?: number;
  /** Time zone of daily quotas. Default DEFAULT_QUOTA_TIME_ZONE (Asia/Shanghai). */
  timeZone?: string;
  /** Wait before a batch given back after an unexpected error is tried again, in ms. Default 60 000. */
  errorRetryDelayMs?: number;
  /** How variant content is checked before a start. Default: each rule's `checkContent` once. */
  contentChecker?: ContentChecker;
  /** Rewrites links of text messages to tracked ones; without it links are sent as written. */
  linkTracker?: LinkTracker;
  /** How long a receipt for a delivery not (yet) known is tried again, in ms. Default 120 000. */
  receiptGraceMs?: number;
  /** State channels share across processes (access tokens, cursors). Default: in this process only. */
  pluginState?: PluginState;
  /** Where messages from `pollInbound` go. Without it, channels are not polled for inbound messages. */
  inbound?: InboundSink;
  /** Where callbacks' changes of who reaches whom go (WeCom contact changes). Without it they stay in the channel's state. */
  reach?: ReachSink;
  /** Told of settled batches and campaigns starting and completing (logs, metrics). */
  observer?: EngineObserver;
  /**
   * How far behind the clock an escalation window on a polled channel may be judged, in ms:
   * windows are judged where this process has read the channel's receipts (`pollReceipts`), and
   * when polls fail or lag longer than this, at this far behind the clock. Default 600 000.
   */
  receiptLagLimitMs?: number;
}

/** The engine's dependencies with defaults applied, shared by its parts. */
export interface EngineContext
  extends Required<
    Omit<EngineDeps, 'progressIntervalMs' | 'linkTracker' | 'inbound' | 'observer' | 'reach'>
  > {
  reach: ReachSink | undefined;
  observer: EngineObserver;
  linkTracker: LinkTracker | undefined;
  inbound: InboundSink | undefined;
  /** `applyReceipts` calls arriving together, in one transaction when the store can. */
  receiptCommits: GroupCommit<ReceiptEvent[], ReceiptsApplied>;
  progress: ProgressPublisher;
  quarantine: Quarantine;
  waitLog: WaitLog;
  /** How far this process has read each polled channel's receipts. */
  receiptsRead: ReceiptsRead;
  /** Paces the escalation sweeps of campaigns whose sweeps are slow. */
  sweepPacer: SweepPacer;
}

export interface CampaignCommandInput {
  workspaceId: string;
  campaignId: string;
  actor: Actor;
}

export interface WorkerOptions {
  /** Batches processed at once. */
  concurrency: number;
  /** How often due batches, scheduled campaigns and expired leases are looked for, in ms. */
  tickIntervalMs: number;
  /** How often channels with `pollReceipts` are asked for receipts, in ms. Default 5000. */
  receiptPollIntervalMs?: number;
  /** Called after every pass of the tick loop, failed or not: the worker's heartbeat. Default none. */
  onTick?: (at: Date) => void;
}

export interface Engine {
  /** Checks and starts a campaign, or schedules it when its time is in the future. */
  start(input: CampaignCommandInput): Promise<{ campaign: Campaign; summary?: PlanSummary }>;
  /**
   * A dry run of `start` now, writing nothing: recipients per channel, what rules and quotas
   * would drop or defer, the finish time and the cost at `prices`. ILLEGAL_TRANSITION once the
   * campaign has started; INTERNAL when the store cannot preview a plan.
   */
  forecast(input: CampaignCommandInput & { prices: readonly ChannelPrice[] }): Promise<Forecast>;
  /** A run of a started template for an API call; the same idempotency key returns the same run. */
  trigger(input: CampaignCommandInput & { idempotencyKey: string }): Promise<Campaign>;
  /**
   * A follow-up run of a started template (`campaignId`) for one contact only; the same `key`
   * returns the same run. ILLEGAL_TRANSITION when the template is not started.
   */
  followUp(input: CampaignCommandInput & { key: string; contactId: string }): Promise<Campaign>;
  /**
   * An operator confirms an A/B test awaiting its decision: the recommended winner, or
   * `variantId`, goes to the rest. ILLEGAL_TRANSITION when the test is not awaiting one.
   */
  confirmAbWinner(input: CampaignCommandInput & { variantId?: string | null }): Promise<Campaign>;
  /** An operator's decision: the campaign's uncertain deliveries are failed, never resent. Returns how many. */
  dropUncertain(input: CampaignCommandInput): Promise<number>;
  pause(input: CampaignCommandInput): Promise<Campaign>;
  resume(input: CampaignCommandInput): Promise<Campaign>;
  cancel(input: CampaignCommandInput): Promise<Campaign>;
  /**
   * A setting the recipient rules depend on changed (a workspace's quiet hours): the batches
   * deferred for `reason` — of one workspace, or all — are due now and judged again; those still
   * waiting are deferred anew, with the new time. Returns how many batches were brought forward.
   */
  reconsiderDeferrals(input: { workspaceId?: string; reason: string }): Promise<number>;
  /** Claims, sends and settles one batch; does nothing when the batch cannot be claimed. */
  processBatch(job: BatchJob): Promise<void>;
  /** Starts due scheduled campaigns, decides due A/B tests, and enqueues due batches and batches whose lease expired. */
  tick(): Promise<void>;
  /** Applies receipts (a callback's, a poll's) or tracked clicks, and publishes progress of the campaigns they moved. */
  applyReceipts(events: ReceiptEvent[]): Promise<ReceiptsApplied>;
  /**
   * Tries receipts of not yet known deliveries again, then asks every channel with
   * `pollReceipts` for new receipts and applies them, and every channel with `pollInbound`
   * for inbound messages for the `inbound` sink; a failing channel is logged.
   */
  pollReceipts(): Promise<void>;
  /**
   * Only tries the receipts the store keeps for deliveries not yet known or settled again (what
   * `pollReceipts` does first): for a process that takes callbacks, clicks and opens but runs no
   * worker loop. Any process's retry applies what any process kept.
   */
  retryEarlyReceipts(): Promise<void>;
  /**
   * A provider's callback for the channel named `channel`: verified and parsed by the channel's
   * `callback`, its receipts applied and its inbound messages recorded. Undefined: not the
   * channel's (or no such channel). A forged request throws the channel's error, nothing written.
   */
  handleCallback(channel: string, request: CallbackRequest): Promise<CallbackHandled | undefined>;
  /**
   * Sends an operator's answer to an inbound message over the channel named `channel` (`sendReply`:
   * its `reply` hook, else a one-recipient `send`), with the channel's context. CHANNEL_NOT_FOUND
   * when it is not loaded; the message's idempotency key makes a retried call safe.
   */
  reply(channel: string, message: ReplyMessage, signal?: AbortSignal): Promise<SendOutcome>;
  runWorker(options: WorkerOptions): { stop(): Promise<void> };
  /** Stops the progress timers and waits for events already going out. */
  close(): Promise<void>;
}
