import type { ChannelPlugin, DeliveryEvent, PollContext } from '../plugins/channel.js';
import type { ReceiptEvent, ReceiptsApplied } from '../ports/store.js';
import { channelContext } from './channel-context.js';
import type { EngineContext } from './deps.js';
import { completeWhenDone, escalateLateFailures } from './escalation.js';
import { createGroupCommit } from './group-commit.js';

/** Most early receipts the store keeps; beyond it the oldest are dropped. */
const EARLY_CAP = 100_000;
/** Most early receipts one retry tries. */
const EARLY_RETRY_LIMIT = 10_000;

/**
 * Writes the events and nudges the progress of every campaign whose counters moved. Events of
 * deliveries not known or settled yet are kept in the store, in the same transaction, for
 * `receiptGraceMs`: the settlement of their send applies them, or a later `retryEarly` (any
 * process's), and the escalation sweep leaves their deliveries meanwhile (`ReceiptStore`).
 */
export function applyReceipts(ctx: EngineContext, events: ReceiptEvent[]): Promise<ReceiptsApplied> {
  return ctx.receiptCommits.submit(events);
}

/**
 * The engine's group commit of receipts: calls arriving while one commits share the next
 * transaction (`Store.applyReceiptGroups`), each resolved after it with its own events' outcome;
 * a failed group is committed again call by call. The early receipts of a group are kept until
 * `receiptGraceMs` after the moment its transaction starts. What follows a commit (nudges,
 * escalation of late failures, confirmed completions) runs once per group.
 */
export function createReceiptCommits(ctx: EngineContext): EngineContext['receiptCommits'] {
  const store = ctx.store;
  const keepUntil = () => new Date(ctx.clock.now().getTime() + ctx.receiptGraceMs);
  return createGroupCommit<ReceiptEvent[], ReceiptsApplied>({
    commit: async (groups) =>
      store.applyReceiptGroups
        ? store.applyReceiptGroups(groups, { keepUntil: keepUntil() })
        : // Without group support each call is its own transaction (maxGroup 1 below).
          Promise.all(groups.map((events) => store.applyReceipts(events, { keepUntil: keepUntil() }))),
    sizeOf: (events) => Math.max(1, events.length),
    // Stores without group support get no group: a group would only run their calls in turn.
    ...(store.applyReceiptGroups ? {} : { maxGroup: 1, maxInFlight: 16 }),
    after: (groups, results) => followUp(ctx, groups, results),
  });
}

/** After a commit: progress nudges, late failures escalated, confirmed sends completed. */
async function followUp(ctx: EngineContext, groups: ReceiptEvent[][], results: ReceiptsApplied[]) {
  const campaigns = new Map<string, { workspaceId: string; campaignId: string }>();
  for (const result of results) for (const ref of result.campaigns) campaigns.set(ref.campaignId, ref);
  const moved = [...campaigns.values()];
  for (const ref of moved) ctx.progress.nudge(ref);
  const events = groups.flat();
  if (moved.length > 0 && events.some((e) => e.state === 'failed')) {
    await escalateLateFailures(ctx, moved);
  }
  await completeConfirmed(ctx, events, moved);
}

/**
 * Tries the early receipts the store keeps again (those a settlement could not see: one that
 * committed while the receipt's transaction was still open); those still unknown after their
 * grace period are dropped, and counted.
 */
export async function retryEarly(ctx: EngineContext): Promise<void> {
  const result = await ctx.store.retryEarlyReceipts({
    now: ctx.clock.now(),
    limit: EARLY_RETRY_LIMIT,
    cap: EARLY_CAP,
  });
  // A failure among them on a completed campaign is marked by the store, and the tick sends it on.
  for (const ref of result.campaigns) ctx.progress.nudge(ref);
  // Which channels the kept receipts came from is the store's: any channel holding sends may have.
  await completeConfirmed(ctx, undefined, result.campaigns);
  const dropped = result.expired + result.overCap;
  if (dropped > 0) {
    ctx.logger.warn('receipts for unknown deliveries were dropped', {
      count: dropped,
      expired: result.expired,
      overCap: result.overCap,
    });
  }
}

/**
 * A running campaign whose batches are all done waits for the results of sends a person had to
 * confirm (`completeIfDone` holds it while any awaits confirmation): the receipts that bring the
 * last of them complete it here — no batch settles after them, and the worker's tick looks only
 * at campaigns whose plan escalates.
 */
async function completeConfirmed(
  ctx: EngineContext,
  /** Undefined: not known (kept receipts a retry applied); then any channel that holds sends counts. */
  events: readonly ReceiptEvent[] | undefined,
  campaigns: readonly { workspaceId: string; campaignId: string }[],
): Promise<void> {
  if (campaigns.length === 0) return;
  const held = new Set<string>(ctx.registry.channels.filter((c) => c.limits.confirmation).map((c) => c.name));
  if (held.size === 0) return;
  if (events && !events.some((e) => 'channel' in e && held.has(e.channel))) return;
  for (const ref of campaigns) {
    const campaign = await ctx.store.getCampaign(ref.campaignId);
    if (campaign?.state === 'running' && campaign.workspaceId === ref.workspaceId)
      await completeWhenDone(ctx, campaign);
  }
}

/** A channel's events as the store takes them. */
export function channelReceiptEvents(
  channel: string,
  events: readonly DeliveryEvent[],
  source: 'callback' | 'poll',
): ReceiptEvent[] {
  return events.map((e) => ({
    channel,
    providerMessageId: e.providerMessageId,
    state: e.state,
    at: e.at,
    source,
    ...(e.failure === undefined ? {} : { failure: e.failure }),
    ...(e.error === undefined ? {} : { error: e.error }),
  }));
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * One round of `pollReceipts` (and `pollInbound` and `pollReach`, when the engine has an inbound
 * or a reach sink) over the channels that have them, after trying early receipts again; one
 * channel failing stops no other. What a poller asked to run once its answer is recorded (its
 * cursor: `PollContext.afterRecorded`) runs after the recording committed, never before.
 */
export async function pollReceipts(ctx: EngineContext): Promise<void> {
  try {
    await retryEarly(ctx);
  } catch (error) {
    ctx.logger.error('early receipts could not be applied', { error: messageOf(error) });
  }
  const signal = new AbortController().signal;
  for (const channel of ctx.registry.channels) {
    const { inbound, reach } = ctx;
    if (channel.pollReceipts) {
      await pollOnce(
        ctx,
        channel,
        signal,
        'receipts',
        channel.pollReceipts.bind(channel),
        (events) => applyReceipts(ctx, channelReceiptEvents(channel.name, events, 'poll')),
        (began) => ctx.receiptsRead.polled(channel.name, began),
      );
    }
    if (channel.pollInbound && inbound) {
      await pollOnce(
        ctx,
        channel,
        signal,
        'inbound messages',
        channel.pollInbound.bind(channel),
        (messages) => inbound.record(channel.name, messages),
      );
    }
    if (channel.pollReach && reach) {
      await pollOnce(ctx, channel, signal, 'relation changes', channel.pollReach.bind(channel), (changes) =>
        reach.record(channel.name, changes),
      );
    }
  }
}

/** One poll of one channel: read, record, then the poller's steps for after the recording. */
async function pollOnce<T>(
  ctx: EngineContext,
  channel: ChannelPlugin,
  signal: AbortSignal,
  what: string,
  read: (pollCtx: PollContext) => Promise<T[]>,
  record: (items: T[]) => Promise<unknown>,
  /** Told when the answer of a poll that began at `began` is recorded. */
  recorded?: (began: Date) => void,
): Promise<void> {
  const afterwards: (() => Promise<void>)[] = [];
  const began = ctx.clock.now();
  try {
    const items = await read({
      ...channelContext(ctx, channel, signal),
      afterRecorded: (step) => afterwards.push(step),
    });
    if (items.length > 0) await record(items);
    recorded?.(began);
  } catch (error) {
    ctx.logger.error(`polling ${what} failed`, { plugin: channel.name, error: messageOf(error) });
    return;
  }
  for (const step of afterwards) {
    try {
      await step();
    } catch (error) {
      // Not moved on: the next poll reads the same again, and a repeat counts once.
      ctx.logger.warn(`a step after recording polled ${what} failed`, {
        plugin: channel.name,
        error: messageOf(error),
      });
    }
  }
}
